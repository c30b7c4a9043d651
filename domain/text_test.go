package domain

import (
	"strings"
	"testing"
)

// What people type is checked before it is stored (text.go): every free-text field
// refuses control characters and the invisible characters that change how text reads,
// and has a length limit; line breaks are allowed in multi-line texts only.
func TestStoredTextIsChecked(t *testing.T) {
	survivor := func(f func(*SurvivorDetails)) ReferSurvivor {
		s := SurvivorDetails{FullName: "Ana López"}
		f(&s)
		return ReferSurvivor{ReferringOrganisation: shelter, Jurisdiction: "MX", Survivor: s}
	}
	name := func(n string) ReferSurvivor { return survivor(func(s *SurvivorDetails) { s.FullName = n }) }
	note := func(text string) Command { return AddCaseNote{NoteID: "n-1", Text: text} }
	bad := func(name string, when Command, msg string) caseTest {
		c := caseTest{name: name, when: when, wantErr: ErrInvalidInput, wantMsg: msg}
		if _, refer := when.(ReferSurvivor); !refer {
			c.given = events(referred)
		}
		return c
	}
	runCaseTests(t, []caseTest{
		bad("NUL in a name", name("Ana\x00"), "survivor.fullName: the text contains a control character (U+0000)"),
		bad("ESC in a name", name("Ana\x1b[2J"), "a control character (U+001B)"),
		bad("a line break in a name", name("Ana\nLópez"), "a line break"),
		bad("CR in a name", name("Ana\rLópez"), "a line break"),
		bad("a right-to-left override in a name", name("Ana\u202Eetnom"), "a bidirectional-text control (U+202E)"),
		bad("a bidi isolate in a name", name("Ana\u2067x\u2069"), "a bidirectional-text control"),
		bad("a zero-width space in a name", name("An\u200Ba"), "an invisible character (U+200B)"),
		bad("a name of 201 characters", name(strings.Repeat("é", MaxNameLength+1)), "at most 200 are allowed"),
		bad("a 700 KB name", name(strings.Repeat("a", 700_000)), "at most 200"),
		bad("a 700 KB phone", survivor(func(s *SurvivorDetails) { s.Phone = strings.Repeat("5", 700_000) }), "survivor.phone:"),
		bad("too many aliases", survivor(func(s *SurvivorDetails) {
			for i := range MaxAliases + 1 {
				s.Aliases = append(s.Aliases, strings.Repeat("a", i+1))
			}
		}), "at most 10 aliases"),
		bad("a control character in an alias", survivor(func(s *SurvivorDetails) { s.Aliases = []string{"ok", "b\x07"} }), "survivor.aliases[1]:"),
		bad("a malformed email", survivor(func(s *SurvivorDetails) { s.Email = "ana at example" }), "survivor.email: this does not look like an email address"),
		bad("an email without a domain dot", survivor(func(s *SurvivorDetails) { s.Email = "ana@localhost" }), "survivor.email:"),
		bad("an email with two @", survivor(func(s *SurvivorDetails) { s.Email = "a@b@example.org" }), "survivor.email:"),
		bad("a phone with letters", survivor(func(s *SurvivorDetails) { s.Phone = "call me maybe" }), "survivor.phone:"),
		bad("a phone with too few digits", survivor(func(s *SurvivorDetails) { s.Phone = "+1 2" }), "5 to 20 digits"),
		bad("born in the year 1", survivor(func(s *SurvivorDetails) { s.DateOfBirth = "0001-01-01" }), "within the last 110 years"),
		bad("born tomorrow", survivor(func(s *SurvivorDetails) { s.DateOfBirth = "2026-03-03" }), "cannot be in the future"),
		bad("a date of birth with a time", survivor(func(s *SurvivorDetails) { s.DateOfBirth = "1990-01-01T00:00:00Z" }), "survivor.dateOfBirth:"),
		bad("an address of 501 characters", survivor(func(s *SurvivorDetails) { s.Address = strings.Repeat("x", MaxAddressLength+1) }), "survivor.address:"),
		bad("a note with ESC", note("called her\x1b"), "text: the text contains a control character"),
		bad("a note with a bidi override", note("called \u202Eher"), "bidirectional"),
		bad("a document number of 65 characters", RecordIDDocumentObtained{DocumentID: "doc-1", DocumentNumber: strings.Repeat("9", MaxDocumentNumberLen+1)}, "documentNumber:"),
		bad("a client id of 700 KB", RecordDisputeItemOutcome{DisputeID: strings.Repeat("d", 700_000), ItemID: "i", Outcome: ItemBlocked}, "disputeId: an id is at most 100 characters"),
		bad("a client id with a dot", RecordDisputeItemOutcome{DisputeID: "d.1", ItemID: "i", Outcome: ItemBlocked}, "letters, digits, '-' and '_' only"),

		{name: "a minor's date of birth", when: survivor(func(s *SurvivorDetails) { s.DateOfBirth = "2015-06-01" }),
			then: events(SurvivorReferred{ReferringOrganisation: "org-shelter", Jurisdiction: "MX", At: at(10),
				Personal: &SurvivorDetails{FullName: "Ana López", DateOfBirth: "2015-06-01"}})},
		{name: "a name in another script, with a joiner", when: name("فاطمه\u200cزهرا"),
			then: events(SurvivorReferred{ReferringOrganisation: "org-shelter", Jurisdiction: "MX", At: at(10),
				Personal: &SurvivorDetails{FullName: "فاطمه\u200cزهرا"}})},
		{name: "repeated aliases are kept once", when: survivor(func(s *SurvivorDetails) { s.Aliases = []string{"Ani", " Ani "} }),
			then: events(SurvivorReferred{ReferringOrganisation: "org-shelter", Jurisdiction: "MX", At: at(10),
				Personal: &SurvivorDetails{FullName: "Ana López", Aliases: []string{"Ani"}}})},
		{name: "an address on two lines", when: survivor(func(s *SurvivorDetails) { s.Address = "Calle 1\r\nCol. Centro" }),
			then: events(SurvivorReferred{ReferringOrganisation: "org-shelter", Jurisdiction: "MX", At: at(10),
				Personal: &SurvivorDetails{FullName: "Ana López", Address: "Calle 1\nCol. Centro"}})},
		{name: "line breaks and tabs in a note", given: events(referred), when: note("first line\r\n\tsecond line"),
			then: events(CaseNoteAdded{NoteID: "n-1", At: at(10), Personal: &NoteDetails{Text: "first line\n\tsecond line"}})},
	})
}

func TestJurisdictionsAreCountries(t *testing.T) {
	refer := func(j string) Command {
		return ReferSurvivor{ReferringOrganisation: shelter, Jurisdiction: j, Survivor: SurvivorDetails{FullName: "Ana"}}
	}
	for _, j := range []string{"ZZ", "EU", "QO", "AA", "mx", "MEX", "M", "", "UK", "1A"} {
		if _, err := Decide(Case{}, refer(j), at(10)); err == nil || !strings.Contains(err.Error(), "jurisdiction:") {
			t.Errorf("jurisdiction %q: err = %v, want a jurisdiction error", j, err)
		}
	}
	for _, j := range []string{"MX", "US", "GB", "CA", "AT", "AU", "XK"} {
		if _, err := Decide(Case{}, refer(j), at(10)); err != nil {
			t.Errorf("jurisdiction %q: %v", j, err)
		}
	}
	if _, err := DecideOrganisation(Organisation{}, RegisterOrganisation{Name: "X", Kind: OrgNGO, Jurisdiction: "ZZ"}, at(0)); err == nil {
		t.Error("an organisation registered in ZZ")
	}
	if _, err := DecideOrganisation(Organisation{}, RegisterOrganisation{Name: "Banco\u202E", Kind: OrgBank, Jurisdiction: "MX"}, at(0)); err == nil {
		t.Error("an organisation's public name with a bidi override")
	}
}

func TestParseMoney(t *testing.T) {
	for _, tt := range []struct {
		cur, amount string
		want        Money
		wantAmount  string
	}{
		{"MXN", "0", Money{"MXN", 0}, "0.00"},
		{"MXN", "35.5", Money{"MXN", 3550}, "35.50"},
		{"USD", "4.95", Money{"USD", 495}, "4.95"},
		{"JPY", "500", Money{"JPY", 500}, "500"},
		{"GBP", " 12 ", Money{"GBP", 1200}, "12.00"},
	} {
		got, err := ParseMoney("fee", tt.cur, tt.amount)
		if err != nil || got != tt.want || got.Amount() != tt.wantAmount {
			t.Errorf("ParseMoney(%q, %q) = %+v (%s), %v; want %+v (%s)", tt.cur, tt.amount, got, got.Amount(), err, tt.want, tt.wantAmount)
		}
	}
	for _, bad := range [][2]string{{"MXN", ""}, {"MXN", "."}, {"MXN", "1."}, {"MXN", ".5"}, {"MXN", "1e3"}, {"MXN", "1,000"},
		{"JPY", "1.5"}, {"XXX", "1"}, {"", "1"}, {"MXN", "99999999999999999999"}} {
		if _, err := ParseMoney("fee", bad[0], bad[1]); err == nil {
			t.Errorf("ParseMoney(%q, %q) accepted", bad[0], bad[1])
		}
	}
}

func TestHasPersonal(t *testing.T) {
	if HasPersonal(CaseClosed{Outcome: ClosureOther}) || HasPersonal(&CaseClosed{}) || HasPersonal((*CaseClosed)(nil)) {
		t.Error("an event without personal data reports some")
	}
	if !HasPersonal(CaseClosed{Personal: &ReasonDetails{Text: "x"}}) || !HasPersonal(&CaseNoteAdded{Personal: &NoteDetails{Text: "x"}}) {
		t.Error("an event with personal data reports none")
	}
	if HasPersonal(ConsentWithdrawn{}) {
		t.Error("an event type without a Personal field reports some")
	}
}

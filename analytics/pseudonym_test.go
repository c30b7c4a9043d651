package analytics

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// The same case under the same key has one pseudonym; another key or another case
// gives another; a short key is refused and maps nothing, nor does a stream that is not
// a case's or a case without a jurisdiction.
func TestPseudonyms(t *testing.T) {
	p := testPseudonymizer(t)
	other, err := NewPseudonymizer([]byte("another key, also thirty-two bytes"))
	if err != nil {
		t.Fatal(err)
	}
	a := "000000f1-0000-7000-8000-000000000017"
	if p.Pseudonym(a) != p.Pseudonym(a) {
		t.Error("one case, two pseudonyms")
	}
	if p.Pseudonym(a) == other.Pseudonym(a) {
		t.Error("another key gave the same pseudonym")
	}
	if p.Pseudonym(a) == p.Pseudonym("000000f1-0000-7000-8000-000000000018") {
		t.Error("two cases, one pseudonym")
	}
	if !regexp.MustCompile(`^p-[0-9a-f]{64}$`).MatchString(p.Pseudonym(a)) {
		t.Errorf("pseudonym %q", p.Pseudonym(a))
	}
	// The published event id: stable (a republication de-duplicates), keyed, never
	// the stored UUIDv7 (which tells the time).
	ev := "019b7c2e-5a10-7000-8000-000000000001"
	if p.EventID(ev) != p.EventID(ev) || p.EventID(ev) == other.EventID(ev) || p.EventID(ev) == p.EventID(ev[:len(ev)-1]+"2") ||
		p.EventID(a) == p.Pseudonym(a)[len(PseudonymPrefix):] || !regexp.MustCompile(`^e-[0-9a-f]{64}$`).MatchString(p.EventID(ev)) {
		t.Errorf("event ids: %s, %s", p.EventID(ev), other.EventID(ev))
	}
	rec := eventstore.RecordedEvent{Stream: "case-" + a, EventData: eventstore.EventData{ID: ev}}
	if ce, ok := Map(rec, domain.CaseNoteAdded{}, domain.Case{Jurisdiction: "MX"}, p); !ok || ce.ID != p.EventID(ev) {
		t.Errorf("a note was mapped to id %q (%v)", ce.ID, ok)
	}
	for name, c := range map[string]struct {
		rec eventstore.RecordedEvent
		c   domain.Case
	}{
		"no jurisdiction":       {rec, domain.Case{}},
		"no event id":           {eventstore.RecordedEvent{Stream: "case-" + a}, domain.Case{Jurisdiction: "MX"}},
		"an organisation's":     {eventstore.RecordedEvent{Stream: "organisation-fx-bank"}, domain.Case{Jurisdiction: "MX"}},
		"a stream without id":   {eventstore.RecordedEvent{Stream: "case-"}, domain.Case{Jurisdiction: "MX"}},
		"a stream without kind": {eventstore.RecordedEvent{Stream: "case"}, domain.Case{Jurisdiction: "MX"}},
	} {
		if _, ok := Map(c.rec, domain.CaseNoteAdded{}, c.c, p); ok {
			t.Errorf("%s: mapped", name)
		}
	}
	for _, key := range [][]byte{nil, []byte("short")} {
		if _, err := NewPseudonymizer(key); !errors.Is(err, ErrKey) {
			t.Errorf("key %q: %v, want ErrKey", key, err)
		}
		if _, ok := Map(rec, domain.CaseNoteAdded{}, domain.Case{Jurisdiction: "MX"}, Pseudonymizer{Key: key}); ok {
			t.Errorf("key %q: an event was mapped", key)
		}
	}
}

// Every message of the fixtures goes to a subject of five valid NATS tokens,
// waymark.analytics.<jurisdiction>.<pseudonym>.<event-type>, all lowercase; the
// subject field is the pseudonym; the whole journey of a case, a transfer included,
// shares one pseudonym; and the only time is the day.
func TestSubjectsAreNATSTokens(t *testing.T) {
	p := testPseudonymizer(t)
	token := regexp.MustCompile(`^[a-z0-9_-]+$`) // no '.', '*', '>', space or upper case
	byStream := map[string]string{}
	transferred := 0
	for _, fe := range loadFixture(t) {
		ce, ok := Map(fe.rec, fe.event, fe.after, p)
		if !ok {
			continue
		}
		subj := Subject(ce)
		parts := strings.Split(subj, ".")
		if len(parts) != 5 || parts[0] != "waymark" || parts[1] != "analytics" ||
			parts[2] != strings.ToLower(fe.after.Jurisdiction) || parts[3] != ce.Subject || parts[4] != TypeToken(fe.rec.Type) {
			t.Errorf("%s: subject %q", fe.rec.Type, subj)
		}
		for _, tok := range parts {
			if !token.MatchString(tok) {
				t.Errorf("%s: token %q of %q", fe.rec.Type, tok, subj)
			}
		}
		key := fe.file + "/" + fe.rec.Stream
		if prev, seen := byStream[key]; seen && prev != ce.Subject {
			t.Errorf("%s: pseudonym changed from %s to %s at %s", key, prev, ce.Subject, fe.rec.Type)
		}
		byStream[key] = ce.Subject
		if fe.rec.Type == "CaseTransferAccepted" {
			transferred++
		}
		if !strings.HasSuffix(ce.Time, "T00:00:00Z") {
			t.Errorf("%s: time %q", fe.rec.Type, ce.Time)
		}
	}
	if len(byStream) == 0 || transferred == 0 {
		t.Fatalf("%d journeys, %d transfers: the fixtures should hold both", len(byStream), transferred)
	}
}

// One rule names every type: kebab case, a leading "Case" word dropped.
func TestTypeToken(t *testing.T) {
	for in, want := range map[string]string{
		"BankAccountOpened":     "bank-account-opened",
		"IDDocumentRequested":   "id-document-requested",
		"CaseClosed":            "closed",
		"CaseTransferRequested": "transfer-requested",
		"SurvivorReferred":      "survivor-referred",
		"NeedMet":               "need-met",
	} {
		if got := TypeToken(in); got != want {
			t.Errorf("TypeToken(%s) = %s, want %s", in, got, want)
		}
	}
	if got := CloudEventType("BankAccountOpened"); got != "org.waymark.case.bank-account-opened.v1" {
		t.Errorf("CloudEventType = %s", got)
	}
	seen := map[string]string{}
	for _, s := range caseEventSpecs() {
		tok := TypeToken(s.Type)
		if prev, dup := seen[tok]; dup {
			t.Errorf("%s and %s share the token %s", prev, s.Type, tok)
		}
		seen[tok] = s.Type
	}
}

func TestPurgeFilterAndTombstoneSubjects(t *testing.T) {
	p := Pseudonymizer{Key: make([]byte, MinKeyLen)}.Pseudonym("case-1")
	if got, want := PurgeFilter(p), "waymark.analytics.*."+p+".>"; got != want {
		t.Errorf("PurgeFilter = %q, want %q", got, want)
	}
	if got := TombstoneSubject("MX"); got != "waymark.analytics.mx.tombstones" {
		t.Errorf("TombstoneSubject = %q", got)
	}
	// A tombstone subject has three tokens after the prefix fewer than a journey's:
	// the purge filter (which needs two more) never matches one.
	if strings.Count(PurgeFilter(p), ".") == strings.Count(TombstoneSubject("mx"), ".") {
		t.Error("a purge filter as long as a tombstone subject could match one")
	}
}

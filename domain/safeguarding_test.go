package domain

import (
	"reflect"
	"strings"
	"testing"
)

var otherShelter = OrgRef{ID: "org-shelter-2", Kind: OrgShelter, Jurisdiction: "MX"}

func TestRaiseSafeguardingConcern(t *testing.T) {
	valid := RaiseSafeguardingConcern{ConcernID: "k-1", By: bank, Bank: bank, Category: ConcernTraffickerControl,
		Details: " A man held her card at the counter. "}
	with := func(f func(*RaiseSafeguardingConcern)) RaiseSafeguardingConcern {
		c := valid
		f(&c)
		return c
	}
	want := concernRaised
	want.At = at(10)

	runCaseTests(t, []caseTest{
		{name: "the bank raises a concern", given: shown(), when: valid, then: events(want), thenStage: StageAccountOpening},
		{name: "the support organisation raises a concern about a bank", given: shown(),
			when: with(func(c *RaiseSafeguardingConcern) { c.By, c.Bank, c.Category = shelter, bank2, ConcernCoercion }),
			then: events(SafeguardingConcernRaised{ConcernID: "k-1", RaisedBy: "org-shelter", Bank: "org-bank-2", Category: ConcernCoercion,
				At: at(10), Personal: &ConcernDetails{Details: "A man held her card at the counter."}})},
		{name: "safeguarding does not wait for consent", given: shown(ConsentWithdrawn{GrantID: "g-bank", At: at(5)}), when: valid,
			then: events(want)},

		{name: "another bank cannot raise a concern about this one", given: shown(), when: with(func(c *RaiseSafeguardingConcern) { c.By = bank2 }),
			wantErr: ErrInvalidTransition, wantMsg: "raiseSafeguardingConcern: only the bank involved or the case's support organisation can raise a concern; organisation org-bank-2 is neither"},
		{name: "a shelter that does not own the case cannot", given: shown(), when: with(func(c *RaiseSafeguardingConcern) { c.By = otherShelter }),
			wantErr: ErrInvalidTransition},
		{name: "a concern only about a bank the case was shown to", given: events(referred, bankGrant),
			when:    with(func(c *RaiseSafeguardingConcern) { c.By = shelter }),
			wantErr: ErrInvalidTransition, wantMsg: "a concern only about a bank the case was shown to"},
		{name: "the bank involved must be a bank", given: shown(), when: with(func(c *RaiseSafeguardingConcern) { c.By, c.Bank = shelter, ngo }),
			wantErr: ErrWrongOrganisationKind, wantMsg: "bankId:"},
		{name: "the raising organisation is not resolved", given: shown(), when: with(func(c *RaiseSafeguardingConcern) { c.By = OrgRef{ID: "x"} }),
			wantErr: ErrUnknownOrganisation},
		{name: "no concern id", given: shown(), when: with(func(c *RaiseSafeguardingConcern) { c.ConcernID = "" }), wantErr: ErrInvalidInput, wantMsg: "concernId:"},
		{name: "concern id already used", given: shown(concernRaised), when: valid, wantErr: ErrInvalidInput, wantMsg: "already used"},
		{name: "unknown category", given: shown(), when: with(func(c *RaiseSafeguardingConcern) { c.Category = "gossip" }), wantErr: ErrInvalidInput, wantMsg: "category:"},
		{name: "no details", given: shown(), when: with(func(c *RaiseSafeguardingConcern) { c.Details = " \n" }), wantErr: ErrInvalidInput, wantMsg: "details:"},
		{name: "details too long", given: shown(), when: with(func(c *RaiseSafeguardingConcern) { c.Details = strings.Repeat("x", MaxConcernTextLength+1) }),
			wantErr: ErrInvalidInput, wantMsg: "at most 5000"},
	})
}

func TestAcknowledgeAndResolveSafeguardingConcern(t *testing.T) {
	raised := shown(concernRaised)
	resolved := SafeguardingConcernResolved{ConcernID: "k-1", By: "org-bank", Resolution: ResolutionAccountRestricted, At: at(7)}
	runCaseTests(t, []caseTest{
		{name: "the support organisation acknowledges the bank's concern", given: raised,
			when: AcknowledgeSafeguardingConcern{ConcernID: "k-1", By: shelter},
			then: events(SafeguardingConcernAcknowledged{ConcernID: "k-1", By: "org-shelter", At: at(10)})},
		{name: "the bank acknowledges", given: raised, when: AcknowledgeSafeguardingConcern{ConcernID: "k-1", By: bank},
			then: events(SafeguardingConcernAcknowledged{ConcernID: "k-1", By: "org-bank", At: at(10)})},
		{name: "another bank cannot acknowledge", given: raised, when: AcknowledgeSafeguardingConcern{ConcernID: "k-1", By: bank2},
			wantErr: ErrInvalidTransition, wantMsg: "only the bank or the support organisation of a concern can acknowledge it"},
		{name: "another shelter cannot acknowledge", given: raised, when: AcknowledgeSafeguardingConcern{ConcernID: "k-1", By: otherShelter},
			wantErr: ErrInvalidTransition},
		{name: "acknowledged twice", given: append(raised, concernAcked), when: AcknowledgeSafeguardingConcern{ConcernID: "k-1", By: bank},
			wantErr: ErrInvalidTransition, wantMsg: "already acknowledged"},
		{name: "acknowledge a resolved concern", given: append(raised, resolved), when: AcknowledgeSafeguardingConcern{ConcernID: "k-1", By: bank},
			wantErr: ErrInvalidTransition},
		{name: "acknowledge an unknown concern", given: raised, when: AcknowledgeSafeguardingConcern{ConcernID: "k-9", By: bank},
			wantErr: ErrInvalidInput, wantMsg: "unknown concern k-9"},
		{name: "acknowledge without an organisation", given: raised, when: AcknowledgeSafeguardingConcern{ConcernID: "k-1"},
			wantErr: ErrInvalidInput, wantMsg: "by:"},

		{name: "the bank resolves an open concern", given: raised,
			when: ResolveSafeguardingConcern{ConcernID: "k-1", By: bank, Resolution: ResolutionAccountRestricted, Text: " card replaced "},
			then: events(SafeguardingConcernResolved{ConcernID: "k-1", By: "org-bank", Resolution: ResolutionAccountRestricted, At: at(10),
				Personal: &ReasonDetails{Text: "card replaced"}})},
		{name: "the support organisation resolves an acknowledged concern", given: append(raised, concernAcked),
			when: ResolveSafeguardingConcern{ConcernID: "k-1", By: shelter, Resolution: ResolutionSurvivorSafe},
			then: events(SafeguardingConcernResolved{ConcernID: "k-1", By: "org-shelter", Resolution: ResolutionSurvivorSafe, At: at(10)})},
		{name: "another bank cannot resolve", given: raised, when: ResolveSafeguardingConcern{ConcernID: "k-1", By: bank2, Resolution: ResolutionOther},
			wantErr: ErrInvalidTransition, wantMsg: "only the bank or the support organisation of a concern can resolve it"},
		{name: "resolved twice", given: append(raised, resolved), when: ResolveSafeguardingConcern{ConcernID: "k-1", By: bank, Resolution: ResolutionOther},
			wantErr: ErrInvalidTransition, wantMsg: "already resolved"},
		{name: "resolve without a resolution", given: raised, when: ResolveSafeguardingConcern{ConcernID: "k-1", By: bank, Text: "text without a code"},
			wantErr: ErrInvalidInput, wantMsg: "resolution:"},
		{name: "resolve an unknown concern", given: raised, when: ResolveSafeguardingConcern{ConcernID: "k-9", By: bank, Resolution: ResolutionOther},
			wantErr: ErrInvalidInput},
	})
}

// Open concerns are visible to both parties, and to no one else.
func TestConcernVisibility(t *testing.T) {
	k2 := SafeguardingConcernRaised{ConcernID: "k-2", RaisedBy: "org-shelter", Bank: "org-bank-2", Category: ConcernCoercion, At: at(6),
		Personal: &ConcernDetails{Details: "x"}}
	k3 := SafeguardingConcernRaised{ConcernID: "k-3", RaisedBy: "org-shelter", Bank: "org-bank", Category: ConcernOther, At: at(4),
		Personal: &ConcernDetails{Details: "y"}}
	k3Resolved := SafeguardingConcernResolved{ConcernID: "k-3", By: "org-bank", Resolution: ResolutionOther, At: at(7)}
	c := Fold(shown(k2, concernRaised, concernAcked, k3, k3Resolved))

	ids := func(ks []SafeguardingConcern) []string {
		var out []string
		for _, k := range ks {
			out = append(out, k.ConcernID)
		}
		return out
	}
	for org, want := range map[string][]string{
		"org-shelter": {"k-1", "k-2"}, // the owner sees every open concern, oldest first
		"org-bank":    {"k-1"},        // not k-2 (another bank's), not k-3 (resolved)
		"org-bank-2":  {"k-2"},
		"org-bureau":  nil,
		"":            nil,
	} {
		if got := ids(c.OpenConcernsFor(org)); !reflect.DeepEqual(got, want) {
			t.Errorf("OpenConcernsFor(%q) = %v, want %v", org, got, want)
		}
	}
	for _, tt := range []struct {
		concern, org string
		want         bool
	}{
		{"k-1", "org-bank", true}, {"k-1", "org-shelter", true}, {"k-1", "org-bank-2", false},
		{"k-2", "org-bank-2", true}, {"k-2", "org-bank", false}, {"k-9", "org-shelter", false}, {"k-1", "", false},
	} {
		if got := c.ConcernParty(tt.concern, tt.org); got != tt.want {
			t.Errorf("ConcernParty(%s, %q) = %v, want %v", tt.concern, tt.org, got, tt.want)
		}
	}
	want := SafeguardingConcern{ConcernID: "k-1", RaisedBy: "org-bank", Bank: "org-bank", Category: ConcernTraffickerControl,
		Status: ConcernAcknowledged, RaisedAt: at(5), AcknowledgedAt: at(6)}
	if got := c.Concerns["k-1"]; got != want {
		t.Errorf("concern state\n got %+v\nwant %+v", got, want)
	}
	if got := c.Concerns["k-3"]; got.Status != ConcernResolved || got.Resolution != ResolutionOther || got.ResolvedAt != at(7) {
		t.Errorf("resolved concern state %+v", got)
	}
}

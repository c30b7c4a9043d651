package app

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/projections"
	"github.com/waymark-org/waymark/sealing"
)

// A case shared with two banks and two bureaus, its entries made in an order that
// map iteration would scramble. The service has no access log, so opening any sealed
// data fails: every read below succeeds only because nothing sealed was asked for.
func sharedCase(t *testing.T) (*Service, *projections.CaseView) {
	t.Helper()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(minutes int) time.Time { return now.Add(time.Duration(minutes) * time.Minute) }
	svc, err := New(Config{HashKey: make([]byte, 32), Vault: new(sealing.Vault), Clock: NewFixedClock(now),
		Orgs: projections.NewOrganisations()})
	if err != nil {
		t.Fatal(err)
	}
	grant := func(id, to string, c domain.DataCategory, p domain.Purpose) domain.ConsentGrant {
		return domain.ConsentGrant{ID: id, Recipient: to, Categories: []domain.DataCategory{c}, Purposes: []domain.Purpose{p},
			GrantedAt: at(-10), ExpiresAt: at(60 * 24 * 365)}
	}
	state := domain.Case{
		Version: 30, Referred: true, OwnerOrganisation: "shelter", Jurisdiction: "MX",
		Stage: domain.StageCreditRepair, Status: domain.StatusOpen,
		Grants: map[string]domain.ConsentGrant{
			"g1": grant("g1", "bank-a", domain.DataBanking, domain.PurposeBanking),
			"g2": grant("g2", "bank-b", domain.DataBanking, domain.PurposeBanking),
			"g3": grant("g3", "bureau-a", domain.DataCredit, domain.PurposeCreditRepair),
			"g4": grant("g4", "bureau-b", domain.DataCredit, domain.PurposeCreditRepair),
		},
		BankReferrals: map[string]domain.BankReferral{"bank-b": {Bank: "bank-b", At: at(1)}, "bank-a": {Bank: "bank-a", At: at(2)}},
		Applications: map[string]domain.AccountApplication{
			"bank-a": {Bank: "bank-a", Status: domain.ApplicationSubmitted, SubmittedAt: at(9)},
			"bank-b": {Bank: "bank-b", Status: domain.ApplicationDeclined, SubmittedAt: at(8)},
		},
		Offers: map[string]domain.BankOffer{
			"o3": {OfferID: "o3", Bank: "bank-a", MadeAt: at(3)},
			"o2": {OfferID: "o2", Bank: "bank-b", MadeAt: at(3)},
			"o1": {OfferID: "o1", Bank: "bank-a", MadeAt: at(4)},
		},
		ChosenOffer: "o2",
		Packs: map[string]domain.DueDiligencePack{
			"p2": {PackID: "p2", Bank: "bank-a", ProvidedAt: at(6)},
			"p1": {PackID: "p1", Bank: "bank-b", ProvidedAt: at(5)},
		},
		Concerns: map[string]domain.SafeguardingConcern{
			"k1": {ConcernID: "k1", RaisedBy: "bank-b", Bank: "bank-b", RaisedAt: at(7)},
			"k2": {ConcernID: "k2", RaisedBy: "shelter", Bank: "bank-a", RaisedAt: at(8)},
		},
		CreditReports: map[string]domain.CreditReport{
			"r2": {ReportID: "r2", Bureau: "bureau-a", ObtainedAt: at(10)},
			"r1": {ReportID: "r1", Bureau: "bureau-b", ObtainedAt: at(10)},
		},
		Disputes: map[string]domain.CreditDispute{
			"d1": {ID: "d1", Bureau: "bureau-a", FiledAt: at(12), Items: map[string]domain.DisputeItemState{
				"item-b": {ItemID: "item-b"}, "item-a": {ItemID: "item-a"}}},
			"d2": {ID: "d2", Bureau: "bureau-b", FiledAt: at(11)},
		},
	}
	return svc, &projections.CaseView{
		ID: "case-1", State: state,
		Journey: projections.CompactJourney([]projections.JourneyStep{
			{Type: "SurvivorReferred", ActorOrganisation: "shelter"},
			{Type: "BankOfferMade", ActorOrganisation: "bank-b", Party: "bank-b"},
			{Type: "BankOfferMade", ActorOrganisation: "bank-a", Party: "bank-a"},
			{Type: "CaseNoteAdded", ActorOrganisation: "bank-b"}, // concerns no bank, done by one
		}),
	}
}

func ids[T any](list []T, id func(T) string) []string {
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = id(x)
	}
	return out
}

func TestCaseHandsEachCallerOnlyItsOwnEntriesInOrder(t *testing.T) {
	ctx := context.Background()
	svc, v := sharedCase(t)
	owner := svc.caseFor(Actor{ID: "cw", Role: RoleCaseworker, Organisation: "shelter"}, v)
	bankA := svc.caseFor(Actor{ID: "b", Role: RoleBank, Organisation: "bank-a"}, v)
	bureauA := svc.caseFor(Actor{ID: "u", Role: RoleBureau, Organisation: "bureau-a"}, v)

	offer := func(o Offer) string { return o.ID }
	pack := func(p DueDiligencePack) string { return p.ID }
	for _, tt := range []struct {
		name                      string
		c                         *Case
		offers, packs, apps, refs []string
		chosen                    string
	}{
		// Same time: by id. Otherwise by time, whatever the map's order.
		{"owner", owner, []string{"o2", "o3", "o1"}, []string{"p1", "p2"}, []string{"bank-b", "bank-a"}, []string{"bank-b", "bank-a"}, "o2"},
		// Another bank's offer, pack, application, referral — and its chosen offer — are not there.
		{"bank", bankA, []string{"o3", "o1"}, []string{"p2"}, []string{"bank-a"}, []string{"bank-a"}, ""},
	} {
		b, err := tt.c.Banking(ctx, SealedBanking{})
		if err != nil {
			t.Fatalf("%s: banking: %v", tt.name, err)
		}
		if got := ids(b.Offers, offer); !slices.Equal(got, tt.offers) {
			t.Errorf("%s: offers %v, want %v", tt.name, got, tt.offers)
		}
		if got := ids(b.Packs, pack); !slices.Equal(got, tt.packs) {
			t.Errorf("%s: packs %v, want %v", tt.name, got, tt.packs)
		}
		if got := ids(b.Applications, func(a Application) string { return a.Bank.ID }); !slices.Equal(got, tt.apps) {
			t.Errorf("%s: applications %v, want %v", tt.name, got, tt.apps)
		}
		if got := ids(b.Referrals, func(r BankReferral) string { return r.Bank.ID }); !slices.Equal(got, tt.refs) {
			t.Errorf("%s: referrals %v, want %v", tt.name, got, tt.refs)
		}
		if b.ChosenOfferID != tt.chosen {
			t.Errorf("%s: chosen offer %q, want %q", tt.name, b.ChosenOfferID, tt.chosen)
		}
	}

	concerns, err := bankA.Safeguarding(ctx, SealedSafeguarding{})
	if got := ids(concerns, func(k SafeguardingConcern) string { return k.ID }); err != nil || !slices.Equal(got, []string{"k2"}) {
		t.Errorf("bank's concerns %v (%v), want [k2]", got, err)
	}
	steps, err := bankA.Journey(ctx)
	want := []JourneyStep{{Type: "SurvivorReferred", ActorOrganisation: "shelter"}, {Type: "BankOfferMade", ActorOrganisation: "bank-a"}, {Type: "CaseNoteAdded"}}
	if err != nil || !slices.EqualFunc(steps, want, func(a, b JourneyStep) bool { return a.Type == b.Type && a.ActorOrganisation == b.ActorOrganisation }) {
		t.Errorf("bank's journey %+v (%v), want another bank's step left out and its name blanked: %+v", steps, err, want)
	}

	credit, err := bureauA.Credit(ctx, SealedCredit{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(credit.Disputes, func(d CreditDispute) string { return d.ID }); !slices.Equal(got, []string{"d1"}) {
		t.Errorf("bureau's disputes %v, want [d1]", got)
	}
	if got := ids(credit.Reports, func(r CreditReport) string { return r.ID }); !slices.Equal(got, []string{"r2"}) {
		t.Errorf("bureau's reports %v, want [r2]", got)
	}
	if got := ids(credit.Disputes[0].Items, func(i DisputeItem) string { return i.ID }); !slices.Equal(got, []string{"item-a", "item-b"}) {
		t.Errorf("items %v, want by id", got)
	}
	ownerCredit, err := owner.Credit(ctx, SealedCredit{})
	if got := ids(ownerCredit.Disputes, func(d CreditDispute) string { return d.ID }); err != nil || !slices.Equal(got, []string{"d2", "d1"}) {
		t.Errorf("owner's disputes %v (%v), want [d2 d1]", got, err)
	}

	// Each method decides its own group: a bureau reads no banking, a bank no credit
	// and no identity, whatever the caller of the method forgot to check.
	if _, err := bureauA.Banking(ctx, SealedBanking{}); !errors.Is(err, ErrForbidden) {
		t.Errorf("bureau reads banking: %v, want ErrForbidden", err)
	}
	if _, err := bankA.Credit(ctx, SealedCredit{}); !errors.Is(err, ErrForbidden) {
		t.Errorf("bank reads credit: %v, want ErrForbidden", err)
	}
	if _, err := bankA.Identity(ctx, false); !errors.Is(err, ErrForbidden) {
		t.Errorf("bank reads identity: %v, want ErrForbidden", err)
	}
	if err := bankA.Authorize(ctx, GroupIdentity); !errors.Is(err, ErrForbidden) {
		t.Errorf("Authorize(identity) for a bank: %v, want ErrForbidden", err)
	}
	if err := bankA.Authorize(ctx, GroupBanking); err != nil {
		t.Errorf("Authorize(banking) for a bank: %v", err)
	}
	// The premise of the reads above: asking for a sealed part opens it, which fails
	// here, without an access log to record it in.
	if _, err := owner.Banking(ctx, SealedBanking{PackStaff: true}); err == nil {
		t.Error("sealed banking data opened without an access log")
	}
}

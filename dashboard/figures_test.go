package dashboard

import (
	"reflect"
	"testing"
	"time"

	"github.com/waymark-org/waymark/domain"
)

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// journey applies each case's events in turn, interleaved as listed, folding each
// case's state as the read model does.
type journey struct {
	f      *Figures
	states map[string]domain.Case
}

func (j *journey) apply(caseID string, e domain.Event) {
	before := j.states[caseID]
	after := domain.Evolve(before, e)
	j.states[caseID] = after
	j.f.Apply(caseID, e, before, after)
}

func (j *journey) counts() map[Cell]map[Figure]int {
	out := map[Cell]map[Figure]int{}
	for _, c := range j.f.Cells() {
		out[c] = map[Figure]int{}
		for fig, n := range j.f.counts[c] {
			out[c][fig] = n
		}
	}
	return out
}

// A hand-computed fixture: three cases over March and April 2026, one of them
// transferred from a Mexican shelter to a US NGO in March, and one referred half an
// hour before April began (in UTC).
func TestFiguresFixture(t *testing.T) {
	j := &journey{f: NewFigures(), states: map[string]domain.Case{}}
	j.apply("a", domain.SurvivorReferred{ReferringOrganisation: "mx-shelter", Jurisdiction: "MX",
		Needs: []domain.Need{domain.NeedBankAccount, domain.NeedIDDocument}, Barriers: []domain.Barrier{domain.BarrierNoID}, At: day("2026-03-05T10:00:00Z")})
	j.apply("b", domain.SurvivorReferred{ReferringOrganisation: "mx-shelter", Jurisdiction: "MX",
		Barriers: []domain.Barrier{domain.BarrierNoIncome}, At: day("2026-03-07T10:00:00Z")})
	j.apply("a", domain.IDDocumentRequested{DocumentID: "d1", Kind: domain.DocPassport, At: day("2026-03-10T10:00:00Z")})
	j.apply("b", domain.CaseTransferRequested{TransferID: "t1", From: "mx-shelter", To: "us-ngo", ToJurisdiction: "US",
		ReasonCode: domain.TransferSurvivorRelocated, At: day("2026-03-15T10:00:00Z")})
	j.apply("a", domain.CaseNoteAdded{NoteID: "n1", At: day("2026-03-20T10:00:00Z")})
	j.apply("b", domain.CaseTransferAccepted{TransferID: "t1", From: "mx-shelter", To: "us-ngo", Jurisdiction: "US", At: day("2026-03-25T10:00:00Z")})
	j.apply("c", domain.SurvivorReferred{ReferringOrganisation: "mx-ngo", Jurisdiction: "MX", At: day("2026-03-31T23:30:00Z")})
	j.apply("a", domain.IDDocumentObtained{DocumentID: "d1", At: day("2026-04-02T10:00:00Z")})
	j.apply("b", domain.CaseClosed{Outcome: domain.ClosureJourneyCompleted, At: day("2026-04-03T10:00:00Z")})

	if j.states["b"].OwnerOrganisation != "us-ngo" || j.states["b"].Jurisdiction != "US" {
		t.Fatalf("the fixture's transfer did not move case b: %+v", j.states["b"])
	}
	march, april := Month{2026, time.March}, Month{2026, time.April}
	want := map[Cell]map[Figure]int{
		{"MX", "mx-shelter", march}: {
			FigReferrals: 1, FigStageReached.By("referral"): 1, // case a; b moved with its referral
			FigBarrierAtReferral.By("no_id"): 1, FigNeedAtReferral.By("bank_account"): 1, FigNeedAtReferral.By("id_document"): 1,
			FigIDRequested.By("passport"): 1, FigStageReached.By("id_recovery"): 1,
			FigTransfersOut: 1,
		},
		{"US", "us-ngo", march}: {
			FigReferrals: 1, FigStageReached.By("referral"): 1, FigBarrierAtReferral.By("no_income"): 1,
			FigTransfersIn: 1,
		},
		{"MX", "mx-ngo", march}:     {FigReferrals: 1, FigStageReached.By("referral"): 1},
		{"MX", "mx-shelter", april}: {FigIDObtained.By("passport"): 1},
		{"US", "us-ngo", april}:     {FigClosures.By("journey_completed"): 1},
	}
	if got := j.counts(); !reflect.DeepEqual(got, want) {
		t.Errorf("figures:\n got %v\nwant %v", got, want)
	}
}

// A case transferred in April keeps its March counts where they were; and a case
// transferred away and back within a month counts once, where it ends the month.
func TestFiguresTransferKeepsEarlierMonths(t *testing.T) {
	j := &journey{f: NewFigures(), states: map[string]domain.Case{}}
	j.apply("a", domain.SurvivorReferred{ReferringOrganisation: "x", Jurisdiction: "MX", At: day("2026-03-05T10:00:00Z")})
	j.apply("a", domain.CaseTransferRequested{TransferID: "t1", From: "x", To: "y", ToJurisdiction: "MX", At: day("2026-04-01T10:00:00Z")})
	j.apply("a", domain.CaseTransferAccepted{TransferID: "t1", From: "x", To: "y", Jurisdiction: "MX", At: day("2026-04-02T10:00:00Z")})
	j.apply("a", domain.CaseClosed{Outcome: domain.ClosureLostContact, At: day("2026-04-03T10:00:00Z")})
	j.apply("b", domain.SurvivorReferred{ReferringOrganisation: "x", Jurisdiction: "MX", At: day("2026-05-01T10:00:00Z")})
	j.apply("b", domain.CaseTransferRequested{TransferID: "t2", From: "x", To: "y", ToJurisdiction: "MX", At: day("2026-05-02T10:00:00Z")})
	j.apply("b", domain.CaseTransferAccepted{TransferID: "t2", From: "x", To: "y", Jurisdiction: "MX", At: day("2026-05-03T10:00:00Z")})
	j.apply("b", domain.CaseTransferRequested{TransferID: "t3", From: "y", To: "x", ToJurisdiction: "MX", At: day("2026-05-04T10:00:00Z")})
	j.apply("b", domain.CaseTransferAccepted{TransferID: "t3", From: "y", To: "x", Jurisdiction: "MX", At: day("2026-05-05T10:00:00Z")})
	march, april, may := Month{2026, time.March}, Month{2026, time.April}, Month{2026, time.May}
	want := map[Cell]map[Figure]int{
		{"MX", "x", march}: {FigReferrals: 1, FigStageReached.By("referral"): 1},
		{"MX", "x", april}: {FigTransfersOut: 1},
		{"MX", "y", april}: {FigTransfersIn: 1, FigClosures.By("lost_contact"): 1},
		{"MX", "x", may}:   {FigReferrals: 1, FigStageReached.By("referral"): 1, FigTransfersOut: 1, FigTransfersIn: 1},
		{"MX", "y", may}:   {FigTransfersIn: 1, FigTransfersOut: 1},
	}
	if got := j.counts(); !reflect.DeepEqual(got, want) {
		t.Errorf("figures:\n got %v\nwant %v", got, want)
	}
}

// Every case event type of the domain's table is decided on: counted, or listed as
// counting nothing. A new type fails this until figuresOf names it.
func TestEveryCaseEventTypeIsCounted(t *testing.T) {
	for _, s := range domain.Events() {
		if s.Aggregate != domain.AggregateCase {
			continue
		}
		zero := reflect.New(s.GoType).Elem().Interface().(domain.Event)
		if _, _, known := figuresOf(zero, domain.Case{}, domain.Case{}); !known {
			t.Errorf("%s: the dashboard does not say what it counts (figuresOf)", s.Type)
		}
	}
}

// A stage skipped is counted as reached on the way: the funnel counts a case at every
// stage it got to or beyond.
func TestStagesReachedCountsSkippedStages(t *testing.T) {
	got := stagesReached(domain.Case{Stage: domain.StageReferral}, domain.Case{Stage: domain.StageAccountOpening})
	want := []Figure{FigStageReached.By("id_recovery"), FigStageReached.By("account_opening")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("referral → account opening reaches %v, want %v", got, want)
	}
	if got := stagesReached(domain.Case{Stage: domain.StageCreditRepair}, domain.Case{Stage: domain.StageCreditRepair}); got != nil {
		t.Errorf("no change reaches %v", got)
	}
}

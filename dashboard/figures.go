package dashboard

import (
	"time"

	"github.com/waymark-org/waymark/domain"
)

// Figure names one count of the dashboard: what happened, and, for the figures
// broken down, the code it is broken down by ("id_documents_obtained/passport",
// "closures/journey_completed", "items_blocked/bureau-equifax-mx"). Codes are the
// domain's (the same as the analytics feed's), or organisation ids; never free text.
type Figure string

// The figures counted. Each is a count of events in the month, except transfers,
// which count cases moving in and out.
const (
	FigReferrals            Figure = "referrals"
	FigConsentsGranted      Figure = "consents_granted"
	FigConsentsWithdrawn    Figure = "consents_withdrawn"
	FigIDRequested          Figure = "id_documents_requested" // by kind
	FigIDObtained           Figure = "id_documents_obtained"  // by kind
	FigIDRefused            Figure = "id_documents_refused"   // by kind
	FigBankReferrals        Figure = "bank_referrals"
	FigOffers               Figure = "bank_offers"
	FigOfferChosen          Figure = "offers_chosen"
	FigDeclinedAll          Figure = "offers_declined_all" // by reason
	FigApplications         Figure = "applications"
	FigAccountsOpened       Figure = "accounts_opened"
	FigApplicationsDeclined Figure = "applications_declined" // by reason
	FigPacksAccepted        Figure = "packs_accepted"
	FigPacksRejected        Figure = "packs_rejected" // by reason
	FigCreditReports        Figure = "credit_reports"
	FigDisputesFiled        Figure = "disputes_filed"
	FigItemsBlocked         Figure = "items_blocked" // by bureau
	FigItemsRefused         Figure = "items_refused" // by bureau
	FigResubmissions        Figure = "dispute_resubmissions"
	FigConcernsRaised       Figure = "safeguarding_raised"   // counts only, never a category
	FigConcernsResolved     Figure = "safeguarding_resolved" // counts only, never a resolution
	FigClosures             Figure = "closures"              // by outcome
	FigErasures             Figure = "erasures"
	FigTransfersIn          Figure = "transfers_in"
	FigTransfersOut         Figure = "transfers_out"
	FigStageReached         Figure = "stage_reached"        // by stage: cases reaching it or going past it
	FigBarrierResolved      Figure = "barriers_resolved"    // by barrier
	FigNeedMet              Figure = "needs_met"            // by need
	FigBarrierAtReferral    Figure = "barriers_at_referral" // by barrier
	FigNeedAtReferral       Figure = "needs_at_referral"    // by need
	FigBarrierIdentified    Figure = "barriers_identified"  // by barrier, after referral
	FigNeedIdentified       Figure = "needs_identified"     // by need, after referral
)

// By is figure f broken down by code.
func (f Figure) By(code string) Figure { return f + "/" + Figure(code) }

// Month is a calendar month, in UTC.
type Month struct {
	Year  int
	Month time.Month
}

// MonthOf is the month t falls in, in UTC.
func MonthOf(t time.Time) Month {
	t = t.UTC()
	return Month{t.Year(), t.Month()}
}

func (m Month) String() string {
	return time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
}

// Cell is where a count is kept: a jurisdiction, an organisation (the one holding the
// case), a month.
type Cell struct {
	Jurisdiction string
	Organisation string
	Month        Month
}

// Figures counts a coalition's case events into cells, and keeps the waits they
// end (durations.go). A case's events of a month count in the organisation, and the
// jurisdiction, holding the case at the end of that month: a case transferred in
// March counts once, in March, in its new organisation (the counts and waits it had
// made in March move with it), and its February counts stay where they were. The
// transfer itself counts out of the one and into the other.
//
// Apply takes a case's events in the log's order. Figures is not safe for concurrent
// use (a projection applies one event at a time, and guards it).
type Figures struct {
	counts    map[Cell]map[Figure]int
	durations map[Cell]map[Measure][]float32 // days, in the order they ended
	cases     map[string]*caseTrack
	changes   uint64 // how many times a count or a wait changed (Changes)
}

// caseTrack is what Figures remembers of a case: what it counted and waited in its
// latest month, to move with it if it is transferred before the month ends, and when
// it reached each stage (the start of the next wait).
type caseTrack struct {
	month        Month
	jurisdiction string
	organisation string
	counted      []figureCount
	waited       []wait
	reachedAt    [stages]int64 // Unix seconds, by Stage.Rank()−1; 0: not reached
}

type figureCount struct {
	fig Figure
	n   int
}

type wait struct {
	m    Measure
	days float32
}

const stages = 4 // domain.AllStage()

// NewFigures returns empty figures.
func NewFigures() *Figures {
	return &Figures{counts: map[Cell]map[Figure]int{}, durations: map[Cell]map[Measure][]float32{}, cases: map[string]*caseTrack{}}
}

// Changes counts the changes of the figures so far: equal counts, equal figures.
func (f *Figures) Changes() uint64 { return f.changes }

// Apply counts event e of case caseID; before and after are the case's state around
// it (domain.Evolve). Events that count nothing (a note, contact rules) leave the
// figures as they were, but still close the case's earlier month.
func (f *Figures) Apply(caseID string, e domain.Event, before, after domain.Case) {
	at, figs, known := figuresOf(e, before, after)
	if !known || after.OwnerOrganisation == "" || after.Jurisdiction == "" {
		return
	}
	figs = append(figs, stagesReached(before, after)...)
	m := MonthOf(at)
	ct := f.cases[caseID]
	if ct == nil {
		ct = &caseTrack{month: m, jurisdiction: after.Jurisdiction, organisation: after.OwnerOrganisation}
		f.cases[caseID] = ct
	}
	if ct.month != m {
		ct.month, ct.counted, ct.waited = m, nil, nil
		ct.jurisdiction, ct.organisation = after.Jurisdiction, after.OwnerOrganisation
	}
	if ct.jurisdiction != after.Jurisdiction || ct.organisation != after.OwnerOrganisation {
		// Transferred this month: what the case counted and waited this month moves with it.
		from := Cell{ct.jurisdiction, ct.organisation, m}
		to := Cell{after.Jurisdiction, after.OwnerOrganisation, m}
		for _, c := range ct.counted {
			f.add(from, c.fig, -c.n)
			f.add(to, c.fig, c.n)
		}
		for _, w := range ct.waited {
			f.unwait(from, w)
			f.addWait(to, w)
		}
		ct.jurisdiction, ct.organisation = after.Jurisdiction, after.OwnerOrganisation
	}
	if t, ok := e.(domain.CaseTransferAccepted); ok {
		// Not the case's own count: each organisation keeps its side of the move.
		f.add(Cell{before.Jurisdiction, t.From, m}, FigTransfersOut, 1)
		f.add(Cell{after.Jurisdiction, t.To, m}, FigTransfersIn, 1)
	}
	here := Cell{ct.jurisdiction, ct.organisation, m}
	for _, fig := range figs {
		f.add(here, fig, 1)
		ct.count(fig)
	}
	for _, w := range ct.waitsEnded(e, at, before, after) {
		f.addWait(here, w)
		ct.waited = append(ct.waited, w)
	}
}

func (ct *caseTrack) count(fig Figure) {
	for i := range ct.counted {
		if ct.counted[i].fig == fig {
			ct.counted[i].n++
			return
		}
	}
	ct.counted = append(ct.counted, figureCount{fig, 1})
}

func (f *Figures) add(c Cell, fig Figure, n int) {
	f.changes++
	byFig := f.counts[c]
	if byFig == nil {
		byFig = map[Figure]int{}
		f.counts[c] = byFig
	}
	byFig[fig] += n
	if byFig[fig] == 0 {
		delete(byFig, fig)
		if len(byFig) == 0 {
			delete(f.counts, c)
		}
	}
}

// Count is the count of fig in cell c.
func (f *Figures) Count(c Cell, fig Figure) int { return f.counts[c][fig] }

// Cells lists the cells with any count, in no order.
func (f *Figures) Cells() []Cell {
	out := make([]Cell, 0, len(f.counts))
	for c := range f.counts {
		out = append(out, c)
	}
	return out
}

// figuresOf is what event e counts, and when it happened. Every case event type is
// listed (TestEveryCaseEventTypeIsCounted), so a new one is decided on, not missed;
// those that count nothing return no figure. Only codes and organisation ids make a
// figure: never a free-text field, a client-chosen id, or a safeguarding concern's
// category or resolution.
func figuresOf(e domain.Event, before, after domain.Case) (time.Time, []Figure, bool) {
	switch e := e.(type) {
	case domain.SurvivorReferred:
		figs := []Figure{FigReferrals}
		for _, b := range e.Barriers {
			figs = append(figs, FigBarrierAtReferral.By(string(b)))
		}
		for _, n := range e.Needs {
			figs = append(figs, FigNeedAtReferral.By(string(n)))
		}
		return e.At, figs, true
	case domain.ConsentGranted:
		return e.At, []Figure{FigConsentsGranted}, true
	case domain.ConsentWithdrawn:
		return e.At, []Figure{FigConsentsWithdrawn}, true
	case domain.IDDocumentRequested:
		return e.At, []Figure{FigIDRequested.By(string(e.Kind))}, true
	case domain.IDDocumentObtained:
		return e.At, []Figure{FigIDObtained.By(string(after.Documents[e.DocumentID].Kind))}, true
	case domain.IDDocumentRefused:
		return e.At, []Figure{FigIDRefused.By(string(after.Documents[e.DocumentID].Kind))}, true
	case domain.BankReferralMade:
		return e.At, []Figure{FigBankReferrals}, true
	case domain.BankOfferMade:
		return e.At, []Figure{FigOffers}, true
	case domain.SurvivorChoseOffer:
		return e.At, []Figure{FigOfferChosen}, true
	case domain.SurvivorDeclinedAllOffers:
		return e.At, []Figure{FigDeclinedAll.By(string(e.ReasonCode))}, true
	case domain.AccountApplicationSubmitted:
		return e.At, []Figure{FigApplications}, true
	case domain.BankAccountOpened:
		return e.At, []Figure{FigAccountsOpened}, true
	case domain.AccountApplicationDeclined:
		return e.At, []Figure{FigApplicationsDeclined.By(string(e.ReasonCode))}, true
	case domain.DueDiligencePackProvided:
		return e.At, nil, true
	case domain.DueDiligencePackAccepted:
		return e.At, []Figure{FigPacksAccepted}, true
	case domain.DueDiligencePackRejected:
		return e.At, []Figure{FigPacksRejected.By(string(e.ReasonCode))}, true
	case domain.CreditReportObtained:
		return e.At, []Figure{FigCreditReports}, true
	case domain.CreditDisputeFiled:
		return e.At, []Figure{FigDisputesFiled}, true
	case domain.CreditDisputeItemDecided:
		bureau := after.Disputes[e.DisputeID].Bureau
		switch e.Outcome {
		case domain.ItemBlocked:
			return e.At, []Figure{FigItemsBlocked.By(bureau)}, true
		case domain.ItemRefused:
			return e.At, []Figure{FigItemsRefused.By(bureau)}, true
		}
		return e.At, nil, true
	case domain.CreditDisputeResolved:
		return e.At, nil, true // its items are counted as they are decided
	case domain.CreditDisputeResubmitted:
		return e.At, []Figure{FigResubmissions}, true
	case domain.SafeguardingConcernRaised:
		return e.At, []Figure{FigConcernsRaised}, true
	case domain.SafeguardingConcernAcknowledged:
		return e.At, nil, true
	case domain.SafeguardingConcernResolved:
		return e.At, []Figure{FigConcernsResolved}, true
	case domain.SafeContactRulesSet:
		return e.At, nil, true
	case domain.BarrierIdentified:
		return e.At, []Figure{FigBarrierIdentified.By(string(e.Barrier))}, true
	case domain.BarrierResolved:
		return e.At, []Figure{FigBarrierResolved.By(string(e.Barrier))}, true
	case domain.NeedIdentified:
		return e.At, []Figure{FigNeedIdentified.By(string(e.Need))}, true
	case domain.NeedMet:
		return e.At, []Figure{FigNeedMet.By(string(e.Need))}, true
	case domain.CaseNoteAdded:
		return e.At, nil, true
	case domain.CaseClosed:
		return e.At, []Figure{FigClosures.By(string(e.Outcome))}, true
	case domain.CaseReopened:
		return e.At, nil, true
	case domain.SurvivorDataErased:
		return e.At, []Figure{FigErasures}, true
	case domain.SubjectAccessRequested:
		return e.At, nil, true
	case domain.CaseTransferRequested:
		return e.At, nil, true
	case domain.CaseTransferDeclined:
		return e.At, nil, true
	case domain.CaseTransferCancelled:
		return e.At, nil, true
	case domain.CaseTransferAccepted:
		return e.At, nil, true // counted apart: out of one organisation, into the other (Apply)
	}
	return time.Time{}, nil, false
}

// stagesReached are the stages a case reached or went past with an event: stages can
// be skipped (a survivor with her ID goes from referral to account opening), and the
// funnel counts a case at every stage it got to or beyond.
func stagesReached(before, after domain.Case) []Figure {
	var out []Figure
	for _, st := range domain.AllStage() {
		if st.Rank() > before.Stage.Rank() && st.Rank() <= after.Stage.Rank() {
			out = append(out, FigStageReached.By(string(st)))
		}
	}
	return out
}

package dashboard

import (
	"strings"

	"github.com/waymark-org/waymark/domain"
)

// The dashboard is a fixed set of series, in a fixed order: the funnel (a case at each
// stage it reached), then every other figure, broken down by every code the domain
// has for it (and, for a bureau's items, by every bureau that has any in the
// jurisdiction). A figure broken down has no all-codes series of its own: its total,
// published beside codes that are suppressed, would give them back.

// funnelFigures are the funnel's series, in journey order.
func funnelFigures() []Figure {
	var out []Figure
	for _, st := range domain.AllStage() {
		out = append(out, FigStageReached.By(string(st)))
	}
	return out
}

// catalogued is one figure of the dashboard and the codes it is broken down by (none:
// not broken down; bureaus: by the bureaus found in the figures).
type catalogued struct {
	fig     Figure
	codes   []string
	bureaus bool
}

func codesOf[T ~string](all []T) []string {
	out := make([]string, len(all))
	for i, v := range all {
		out[i] = string(v)
	}
	return out
}

// catalogue is every figure but the funnel's, in the dashboard's order.
func catalogue() []catalogued {
	docs := codesOf(domain.AllDocumentKind())
	barriers, needs := codesOf(domain.AllBarrier()), codesOf(domain.AllNeed())
	return []catalogued{
		{fig: FigReferrals},
		{fig: FigConsentsGranted},
		{fig: FigConsentsWithdrawn},
		{fig: FigIDRequested, codes: docs},
		{fig: FigIDObtained, codes: docs},
		{fig: FigIDRefused, codes: docs},
		{fig: FigBankReferrals},
		{fig: FigOffers},
		{fig: FigOfferChosen},
		{fig: FigDeclinedAll, codes: codesOf(domain.AllDeclineReason())},
		{fig: FigApplications},
		{fig: FigAccountsOpened},
		{fig: FigApplicationsDeclined, codes: codesOf(domain.AllAccountDeclineReason())},
		{fig: FigPacksAccepted},
		{fig: FigPacksRejected, codes: codesOf(domain.AllPackRejectionReason())},
		{fig: FigCreditReports},
		{fig: FigDisputesFiled},
		{fig: FigItemsBlocked, bureaus: true},
		{fig: FigItemsRefused, bureaus: true},
		{fig: FigResubmissions},
		{fig: FigConcernsRaised},
		{fig: FigConcernsResolved},
		{fig: FigClosures, codes: codesOf(domain.AllClosureOutcome())},
		{fig: FigErasures},
		{fig: FigTransfersIn},
		{fig: FigTransfersOut},
		{fig: FigBarrierAtReferral, codes: barriers},
		{fig: FigBarrierIdentified, codes: barriers},
		{fig: FigBarrierResolved, codes: barriers},
		{fig: FigNeedAtReferral, codes: needs},
		{fig: FigNeedIdentified, codes: needs},
		{fig: FigNeedMet, codes: needs},
	}
}

// Split is a figure's name and its code ("" when it is not broken down).
func (f Figure) Split() (name, code string) {
	n, c, _ := strings.Cut(string(f), "/")
	return n, c
}

// measures are the dashboard's waits, in order: between every two stages (from the
// stage a case was at to one it reached), to resolve each barrier, to meet each need.
func measures() []Measure {
	var out []Measure
	st := domain.AllStage()
	for i := range st {
		for j := i + 1; j < len(st); j++ {
			out = append(out, Measure{DurationStage, string(st[i]), string(st[j])})
		}
	}
	for _, b := range domain.AllBarrier() {
		out = append(out, Measure{DurationBarrier, string(b), "resolved"})
	}
	for _, n := range domain.AllNeed() {
		out = append(out, Measure{DurationNeed, string(n), "met"})
	}
	return out
}

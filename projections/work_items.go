package projections

import (
	"cmp"
	"slices"
	"time"

	"github.com/waymark-org/waymark/domain"
)

// WorkKind is one kind of work waiting for an organisation.
type WorkKind string

const (
	// For a bank.
	WorkCaseShown            WorkKind = "case_shown"             // referred to it under a banking grant in force, no offer from it yet
	WorkPackAwaitingDecision WorkKind = "pack_awaiting_decision" // a due-diligence pack it has not decided
	WorkApplicationAwaiting  WorkKind = "application_awaiting"   // an account application without its outcome
	WorkConcernOpen          WorkKind = "concern_open"           // a safeguarding concern it raised, not resolved
	// For a credit bureau.
	WorkDisputePending WorkKind = "dispute_pending" // a dispute addressed to it with items (or itself) undecided
	// For a support organisation a case's owner asked to take it over.
	WorkTransferOffered WorkKind = "transfer_offered"
	// For the owning organisation's caseworkers.
	WorkConsentExpiring WorkKind = "consent_expiring" // a grant in force that ends within the window
	WorkCaseStalled     WorkKind = "case_stalled"     // an open case without an event for StalledAfter
)

// AllWorkKind lists every kind, in the order of the queues above.
func AllWorkKind() []WorkKind {
	return []WorkKind{WorkCaseShown, WorkPackAwaitingDecision, WorkApplicationAwaiting, WorkConcernOpen,
		WorkDisputePending, WorkTransferOffered, WorkConsentExpiring, WorkCaseStalled}
}

func (k WorkKind) Valid() bool { return slices.Contains(AllWorkKind(), k) }

// WorkItem is one thing waiting for an organisation: ids, codes and times only,
// never personal data. ItemID names the entry of the case it is about (a pack, a
// concern, a dispute, a grant; for a case shown, the grant it was shown under; for
// an application, the bank, since a case holds one application per bank; for a
// stalled case, the case itself).
type WorkItem struct {
	Kind    WorkKind
	CaseID  string
	ItemID  string
	Since   time.Time // when the work began waiting
	Due     time.Time // when it is due; zero if it has no due date
	Overdue bool      // Due has passed
}

// OrderAt is what the queue is ordered by: the due date, or when there is none, since.
func (i WorkItem) OrderAt() time.Time {
	if !i.Due.IsZero() {
		return i.Due
	}
	return i.Since
}

// CompareWork orders a queue: by due date (or since), then case id, item id, kind. A
// total order, so that a cursor over it is stable.
func CompareWork(a, b WorkItem) int {
	return cmp.Or(a.OrderAt().Compare(b.OrderAt()), cmp.Compare(a.CaseID, b.CaseID),
		cmp.Compare(a.ItemID, b.ItemID), cmp.Compare(a.Kind, b.Kind))
}

// Defaults of WorkConfig.
const (
	DefaultConsentExpiryWindow = 14 * 24 * time.Hour
	DefaultStalledAfter        = 30 * 24 * time.Hour
)

// WorkConfig says when time makes work: a grant about to expire, a stalled case.
type WorkConfig struct {
	ConsentExpiryWindow time.Duration // default DefaultConsentExpiryWindow
	StalledAfter        time.Duration // default DefaultStalledAfter
}

func (c WorkConfig) withDefaults() WorkConfig {
	if c.ConsentExpiryWindow <= 0 {
		c.ConsentExpiryWindow = DefaultConsentExpiryWindow
	}
	if c.StalledAfter <= 0 {
		c.StalledAfter = DefaultStalledAfter
	}
	return c
}

// ItemsFor returns the work case v holds for organisation org at now, in no
// particular order. It decides from the case alone: whether the caller may see the
// case now is the application's decision (access), made before these are shown. A
// closed case holds no work: nothing can be recorded on it.
func (c WorkConfig) ItemsFor(v *CaseView, org string, now time.Time) []WorkItem {
	if v == nil || org == "" || v.State.Status != domain.StatusOpen {
		return nil
	}
	c = c.withDefaults()
	s := &v.State
	var items []WorkItem
	add := func(kind WorkKind, item string, since, due time.Time) {
		items = append(items, WorkItem{Kind: kind, CaseID: v.ID, ItemID: item, Since: since, Due: due,
			Overdue: !due.IsZero() && !now.Before(due)})
	}
	// A bank's work.
	if ref, ok := s.BankReferrals[org]; ok {
		if _, inForce := s.ConsentFor(org, domain.PurposeBanking, now); inForce && !offered(s, org) {
			add(WorkCaseShown, ref.GrantID, ref.At, time.Time{})
		}
	}
	for _, p := range s.Packs {
		if p.Bank == org && p.Decision == domain.PackPending {
			add(WorkPackAwaitingDecision, p.PackID, p.ProvidedAt, time.Time{})
		}
	}
	if a, ok := s.Applications[org]; ok && a.Status == domain.ApplicationSubmitted {
		add(WorkApplicationAwaiting, org, a.SubmittedAt, time.Time{})
	}
	for _, k := range s.Concerns {
		if k.RaisedBy == org && k.Bank == org && k.Status != domain.ConcernResolved {
			add(WorkConcernOpen, k.ConcernID, k.RaisedAt, time.Time{})
		}
	}
	// A bureau's work, by its statutory due date (none where the jurisdiction has no
	// clock: then by filing date).
	for _, d := range s.Disputes {
		if d.Bureau == org && d.Status == domain.DisputeFiled {
			add(WorkDisputePending, d.ID, d.FiledAt, d.DueAt)
			items[len(items)-1].Overdue = d.Overdue(now)
		}
	}
	// A transfer offered to a support organisation.
	if t := s.PendingTransfer; t != nil && t.To == org {
		add(WorkTransferOffered, t.ID, t.RequestedAt, time.Time{})
	}
	// The owning organisation's work.
	if s.OwnerOrganisation == org {
		for _, g := range s.Grants {
			if g.InForce(now) && g.ExpiresAt.Sub(now) <= c.ConsentExpiryWindow {
				add(WorkConsentExpiring, g.ID, g.GrantedAt, g.ExpiresAt)
			}
		}
		if !v.UpdatedAt.IsZero() && now.Sub(v.UpdatedAt) >= c.StalledAfter {
			add(WorkCaseStalled, v.ID, v.UpdatedAt, time.Time{})
		}
	}
	return items
}

// offered reports whether bank made an offer on the case.
func offered(s *domain.Case, bank string) bool {
	for _, o := range s.Offers {
		if o.Bank == bank {
			return true
		}
	}
	return false
}

// concerned lists the organisations whose work case v may hold: its owner, the banks
// it was referred to or that appear on its banking entries, the bureaus its disputes
// are addressed to, the recipient of its pending transfer. Sorted, without duplicates.
func concerned(v *CaseView) []string {
	if v == nil {
		return nil
	}
	s := &v.State
	orgs := []string{s.OwnerOrganisation}
	for bank := range s.BankReferrals {
		orgs = append(orgs, bank)
	}
	for bank := range s.Applications {
		orgs = append(orgs, bank)
	}
	for _, p := range s.Packs {
		orgs = append(orgs, p.Bank)
	}
	for _, k := range s.Concerns {
		orgs = append(orgs, k.RaisedBy)
	}
	for _, d := range s.Disputes {
		orgs = append(orgs, d.Bureau)
	}
	if t := s.PendingTransfer; t != nil {
		orgs = append(orgs, t.To)
	}
	slices.Sort(orgs)
	orgs = slices.Compact(orgs)
	if len(orgs) > 0 && orgs[0] == "" {
		orgs = orgs[1:]
	}
	return orgs
}

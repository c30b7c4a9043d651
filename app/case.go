package app

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/projections"
)

// Case is one case as one caller may see it, within one request: what the API
// renders. Each method hands out one field group (case_*.go) and decides first
// whether the caller may read that group; it leaves out the entries of other banks
// and bureaus for bank and bureau staff, orders every list, and decrypts sealed
// personal data only when the caller asks for it (the Sealed* arguments), recording
// the access first (OpenGroup). So a resolver that forgets a check still gets only
// what its caller may see.
type Case struct {
	s     *Service
	actor Actor
	v     *projections.CaseView // what is shown
	// current, when set, is the case as it stands now, v an earlier state (caseAt):
	// who may read what is decided on the current state, never on the historical one,
	// so that a consent withdrawn since then also closes the past.
	current *projections.CaseView

	// decided memoises the read decision of each group for this request: the API
	// asks for every field (its @group directive), and a case page's summary alone is
	// a dozen fields of one group, resolved concurrently. One decision a group, as
	// the schema promises; the request's reason and time do not change within it.
	mu      sync.Mutex
	decided []groupDecision
}

type groupDecision struct {
	group access.Group
	err   error
}

func (s *Service) caseFor(actor Actor, v *projections.CaseView) *Case {
	return &Case{s: s, actor: actor, v: v}
}

// ID is the case's id.
func (c *Case) ID() string { return c.v.ID }

// Version is the number of events in the case's history.
func (c *Case) Version() uint64 { return c.v.State.Version }

// Position is the global-log position of the case's latest event.
func (c *Case) Position() string { return c.v.Position.String() }

// Authorize decides whether the caller may read a field group of the case: nil,
// ErrNotFound or ErrForbidden. Every method below decides it for its own group; the
// API asks it for each field (its @group directive), so that a field of a group the
// caller may not read is null with that error.
func (c *Case) Authorize(ctx context.Context, group Group) error {
	return c.authorize(ctx, access.Group(group))
}

func (c *Case) authorize(ctx context.Context, group access.Group) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, d := range c.decided {
		if d.group == group {
			return d.err
		}
	}
	err := c.s.decideRead(ctx, c.actor, c.decisionView(), group, false).Err()
	c.decided = append(c.decided, groupDecision{group, err})
	return err
}

// decisionView is the view access decisions are made on: the case as it stands now.
func (c *Case) decisionView() *projections.CaseView {
	if c.current != nil {
		return c.current
	}
	return c.v
}

// sees reports whether an entry of a bank or bureau (org) is the caller's to see: a
// bank's staff and compliance team see only their bank's, a bureau's staff only
// theirs; other roles see every entry of a group they may read.
func (c *Case) sees(org string) bool { return access.EntryVisible(c.actor, org) }

// org is an organisation the case refers to, from the directory.
func (c *Case) org(id string) Organisation { return c.s.organisationRef(id) }

// opener opens a group's sealed parts when wanted. It is nil when they are not
// wanted, or when the group is readable but its sealed parts are not: erased, or
// closed to this caller; those fields stay empty. When only a stated reason is
// missing (an auditor), it opens nothing and fails each sealed value that exists with
// ErrReasonRequired, which the group's method records as Withheld.
func (c *Case) opener(ctx context.Context, group access.Group, wanted bool) (*Opener, error) {
	if !wanted {
		return nil, nil
	}
	o, err := c.s.OpenGroup(ctx, c.actor, c.decisionView(), group)
	switch {
	case errors.Is(err, ErrReasonRequired):
		return withheldOpener(err), nil
	case errors.Is(err, ErrErased) || errors.Is(err, ErrForbidden):
		return nil, nil
	}
	return o, err
}

// notesOpener opens the caseworker's own texts that go with the notes (closure and
// reopening reasons, why the survivor declined every offer): for callers who may read
// the notes, when wanted; nil otherwise.
func (c *Case) notesOpener(ctx context.Context, wanted bool) (*Opener, error) {
	if !wanted {
		return nil, nil
	}
	switch err := c.authorize(ctx, access.GroupNotes); {
	case errors.Is(err, ErrReasonRequired):
		return withheldOpener(err), nil
	case err != nil:
		return nil, nil
	}
	return c.opener(ctx, access.GroupNotes, true)
}

// open decrypts p into dst with o; nothing when o is nil (not wanted, or not for
// this caller) or p is empty.
func open(ctx context.Context, o *Opener, p codec.Personal, dst any) error {
	if o == nil {
		return nil
	}
	return o.Open(ctx, p, dst)
}

// text opens the sealed text beside a reason code: "" when there is none, or when o
// is nil.
func text(ctx context.Context, o *Opener, p codec.Personal) (string, error) {
	var details domain.ReasonDetails
	err := open(ctx, o, p, &details)
	return details.Text, err
}

// sortedBy returns m's values ordered by at(v), then id(v): map order never shows.
func sortedBy[V any](m map[string]V, at func(V) time.Time, id func(V) string) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b V) int {
		if c := at(a).Compare(at(b)); c != 0 {
			return c
		}
		return strings.Compare(id(a), id(b))
	})
	return out
}

package app

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/projections"
)

// MaxPageSize caps cases(first:), cases(last:) and myWork's; DefaultPageSize is their
// page size when neither is given.
const (
	MaxPageSize     = 100
	DefaultPageSize = 20
)

// Case returns a case the caller may see, as that caller may see it; any other id is
// ErrNotFound. A missing id takes the path of a hidden one (decoy.go): the same
// decision, on a decoy.
func (s *Service) Case(ctx context.Context, actor Actor, id, minPosition string) (*Case, error) {
	if !actor.Authenticated() {
		return nil, ErrUnauthenticated
	}
	if err := s.WaitFor(ctx, minPosition); err != nil {
		return nil, err
	}
	v, known := s.cases.Get(id)
	if !known {
		v = s.decoy
	}
	visible := access.VisibleCase(actor, &v.State, s.Now())
	if !known || !visible {
		return nil, fmt.Errorf("case %q: %w", id, ErrNotFound)
	}
	return s.caseFor(actor, v), nil
}

// CaseFilter selects cases; zero fields match everything.
type CaseFilter struct {
	Stage          domain.Stage
	Status         domain.Status
	Jurisdiction   string
	OrganisationID string         // the owning (referring) organisation
	Barrier        domain.Barrier // still active
	// SurvivorName and DocumentNumber find cases through the blind index (a case
	// matching either).
	SurvivorName   string
	DocumentNumber string
}

// CaseQuery selects a page of cases.
type CaseQuery struct {
	Filter      CaseFilter
	Page        PageArgs // cursors from Case.Cursor
	MinPosition string
}

// CasePage is one page of cases, newest referral first, each as the caller may see it.
type CasePage struct {
	Cases []*Case
	// HasPreviousPage: a case of the list is newer than the page; HasNextPage: older.
	HasPreviousPage, HasNextPage bool
	TotalCount                   int // over every page
	// Withheld: the search matched a case that only a stated reason would show (an
	// auditor without X-Access-Reason). The page is without it: the caller must be
	// told, or an empty answer reads as "no such survivor here".
	Withheld bool
}

// Cases returns the cases the caller may see, newest referral first.
func (s *Service) Cases(ctx context.Context, actor Actor, q CaseQuery) (CasePage, error) {
	if !actor.Authenticated() {
		return CasePage{}, ErrUnauthenticated
	}
	w, cursor, err := q.Page.window(DefaultPageSize, MaxPageSize)
	if err != nil {
		return CasePage{}, err
	}
	at, err := parseCaseCursor(cursor)
	if err != nil {
		return CasePage{}, err
	}
	if err := s.WaitFor(ctx, q.MinPosition); err != nil {
		return CasePage{}, err
	}
	now := s.Now()
	f := projections.CaseFilter{
		Stage: q.Filter.Stage, Status: q.Filter.Status, Jurisdiction: q.Filter.Jurisdiction,
		Organisation: q.Filter.OrganisationID, Barrier: q.Filter.Barrier,
		Visible:      func(v *projections.CaseView) bool { return access.VisibleCase(actor, &v.State, now) },
		OwnerSeesAll: access.SeesEveryCaseOf(actor, q.Filter.OrganisationID),
	}
	search := q.Filter.SurvivorName != "" || q.Filter.DocumentNumber != ""
	withheld := false // a match was hidden for want of a stated reason
	if search {
		// Finding a case by a name or a document number discloses who the survivor is:
		// only for callers who may read the case's identity, and recorded like a read.
		if f.BlindIndex, err = s.searchTokens(q.Filter.SurvivorName, q.Filter.DocumentNumber); err != nil {
			return CasePage{}, err
		}
		f.Visible = func(v *projections.CaseView) bool {
			d := s.decideRead(ctx, actor, v, access.GroupIdentity, true)
			if errors.Is(d.Err(), ErrReasonRequired) {
				withheld = true
			}
			return d.Allowed
		}
	}
	page := s.cases.List(f, w, at)
	if search && len(page.Cases) > 0 {
		if err := s.recordSearch(ctx, actor, page.Cases); err != nil {
			return CasePage{}, err
		}
	}
	out := CasePage{Cases: make([]*Case, len(page.Cases)), HasPreviousPage: page.HasPreviousPage, HasNextPage: page.HasNextPage,
		TotalCount: page.TotalCount, Withheld: withheld}
	for i, v := range page.Cases {
		out.Cases[i] = s.caseFor(actor, v)
	}
	return out, nil
}

const cursorPrefix = "case:"

// Cursor is the opaque cursor of the case in the list: pass it as after to continue
// after it, or as before to page back from it.
func (c *Case) Cursor() string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + c.v.ReferralPosition.String()))
}

// parseCaseCursor reads a cursor made by Case.Cursor ("": none, eventstore.Start).
func parseCaseCursor(c pageCursor) (eventstore.Position, error) {
	if c.text == "" {
		return eventstore.Start, nil
	}
	bad := fmt.Errorf("%s: not a cursor of cases: %w", c.arg, ErrBadInput)
	raw, err := base64.RawURLEncoding.DecodeString(c.text)
	if err != nil || !strings.HasPrefix(string(raw), cursorPrefix) {
		return eventstore.Start, bad
	}
	p, err := eventstore.ParsePosition(strings.TrimPrefix(string(raw), cursorPrefix))
	if err != nil || p.IsStart() {
		return eventstore.Start, bad
	}
	return p, nil
}

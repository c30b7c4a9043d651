package app

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/projections"
)

// MaxPageSize caps cases(first:).
const MaxPageSize = 100

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
	First       int
	After       string // a cursor from a previous page
	MinPosition string
}

// CasePage is one page of cases, newest referral first, each as the caller may see it.
type CasePage struct {
	Cases       []*Case
	HasNextPage bool
	TotalCount  int // over every page
}

// Cases returns the cases the caller may see, newest referral first.
func (s *Service) Cases(ctx context.Context, actor Actor, q CaseQuery) (CasePage, error) {
	if !actor.Authenticated() {
		return CasePage{}, ErrUnauthenticated
	}
	if q.First < 0 || q.First > MaxPageSize {
		return CasePage{}, fmt.Errorf("first must be between 0 and %d: %w", MaxPageSize, ErrBadInput)
	}
	after, err := ParseCursor(q.After)
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
	if search {
		// Finding a case by a name or a document number discloses who the survivor is:
		// only for callers who may read the case's identity, and recorded like a read.
		if f.BlindIndex, err = s.searchTokens(q.Filter.SurvivorName, q.Filter.DocumentNumber); err != nil {
			return CasePage{}, err
		}
		f.Visible = func(v *projections.CaseView) bool {
			return s.decideRead(ctx, actor, v, access.GroupIdentity, true).Allowed
		}
	}
	page := s.cases.List(f, q.First, after)
	if search && len(page.Cases) > 0 {
		if err := s.recordSearch(ctx, actor, page.Cases); err != nil {
			return CasePage{}, err
		}
	}
	out := CasePage{Cases: make([]*Case, len(page.Cases)), HasNextPage: page.HasNextPage, TotalCount: page.TotalCount}
	for i, v := range page.Cases {
		out.Cases[i] = s.caseFor(actor, v)
	}
	return out, nil
}

const cursorPrefix = "case:"

// Cursor is the opaque cursor of the case in the list: pass it as CaseQuery.After
// to continue after it.
func (c *Case) Cursor() string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + c.v.ReferralPosition.String()))
}

// ParseCursor reads a cursor made by Case.Cursor ("" is the start).
func ParseCursor(cursor string) (eventstore.Position, error) {
	if cursor == "" {
		return eventstore.Start, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || !strings.HasPrefix(string(raw), cursorPrefix) {
		return eventstore.Start, fmt.Errorf("after: not a cursor: %w", ErrBadInput)
	}
	p, err := eventstore.ParsePosition(strings.TrimPrefix(string(raw), cursorPrefix))
	if err != nil {
		return eventstore.Start, fmt.Errorf("after: not a cursor: %w", ErrBadInput)
	}
	return p, nil
}

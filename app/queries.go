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

// MaxPageSize caps cases(first:).
const MaxPageSize = 100

// WaitFor waits until the read models have applied the position token minPosition
// ("" for no wait), so a caller reads its own writes. A position the log has not
// reached is ErrBadInput at once (no write ever returned it); one the read models
// have not reached within the read timeout is ErrNotCaughtUp.
func (s *Service) WaitFor(ctx context.Context, minPosition string) error {
	if minPosition == "" {
		return nil
	}
	p, err := eventstore.ParsePosition(minPosition)
	if err != nil {
		return fmt.Errorf("minPosition is not a position from this server: %w", ErrBadInput)
	}
	return s.waitPosition(ctx, p)
}

func (s *Service) waitPosition(ctx context.Context, p eventstore.Position) error {
	if !s.runner.Position().Before(p) {
		return nil // the usual case: no look at the store
	}
	head, err := s.store.Head(ctx)
	if err != nil {
		return fmt.Errorf("read the log's head: %w", err)
	}
	if head.Before(p) {
		return fmt.Errorf("minPosition %s is ahead of the log (its head is %s): %w", p, head, ErrBadInput)
	}
	wait, cancel := context.WithTimeout(ctx, s.readTimeout)
	defer cancel()
	if err := s.runner.WaitFor(wait, p); err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("the read models did not reach minPosition %s within %s (they are at %s); retry shortly: %w",
				p, s.readTimeout, s.runner.Position(), ErrNotCaughtUp)
		}
		return fmt.Errorf("read models have not reached %s: %w", p, err)
	}
	return nil
}

// Case returns a case the caller may see; any other id is ErrNotFound. A missing id
// takes the path of a hidden one (decoy.go): the same decision, on a decoy.
func (s *Service) Case(ctx context.Context, actor Actor, id, minPosition string) (*projections.CaseView, error) {
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
	visible := access.VisibleCase(actor, v.State, s.Now())
	if !known || !visible {
		return nil, fmt.Errorf("case %q: %w", id, ErrNotFound)
	}
	return v, nil
}

// CaseQuery selects a page of cases.
type CaseQuery struct {
	Filter      projections.CaseFilter
	First       int
	After       string // a cursor from a previous page
	MinPosition string
	// SurvivorName and DocumentNumber find cases through the blind index.
	SurvivorName   string
	DocumentNumber string
}

// Cases returns the cases the caller may see, newest referral first.
func (s *Service) Cases(ctx context.Context, actor Actor, q CaseQuery) (projections.Page, error) {
	if !actor.Authenticated() {
		return projections.Page{}, ErrUnauthenticated
	}
	if q.First < 0 || q.First > MaxPageSize {
		return projections.Page{}, fmt.Errorf("first must be between 0 and %d: %w", MaxPageSize, ErrBadInput)
	}
	after, err := ParseCursor(q.After)
	if err != nil {
		return projections.Page{}, err
	}
	if err := s.WaitFor(ctx, q.MinPosition); err != nil {
		return projections.Page{}, err
	}
	f := q.Filter
	now := s.Now()
	f.Visible = func(v *projections.CaseView) bool { return access.VisibleCase(actor, v.State, now) }
	search := q.SurvivorName != "" || q.DocumentNumber != ""
	if search {
		// Finding a case by a name or a document number discloses who the survivor is:
		// only for callers who may read the case's identity, and recorded like a read.
		if f.BlindIndex, err = s.searchTokens(q.SurvivorName, q.DocumentNumber); err != nil {
			return projections.Page{}, err
		}
		f.Visible = func(v *projections.CaseView) bool {
			return s.decideRead(ctx, actor, v, access.GroupIdentity, true).Allowed
		}
	}
	page := s.cases.List(f, q.First, after)
	if search && len(page.Cases) > 0 {
		if err := s.recordSearch(ctx, actor, page.Cases); err != nil {
			return projections.Page{}, err
		}
	}
	return page, nil
}

const cursorPrefix = "case:"

// Cursor is the opaque cursor of a case in the list.
func Cursor(v *projections.CaseView) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + v.ReferralPosition.String()))
}

// ParseCursor reads a cursor made by Cursor ("" is the start).
func ParseCursor(c string) (eventstore.Position, error) {
	if c == "" {
		return eventstore.Start, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(raw), cursorPrefix) {
		return eventstore.Start, fmt.Errorf("after: not a cursor: %w", ErrBadInput)
	}
	p, err := eventstore.ParsePosition(strings.TrimPrefix(string(raw), cursorPrefix))
	if err != nil {
		return eventstore.Start, fmt.Errorf("after: not a cursor: %w", ErrBadInput)
	}
	return p, nil
}

// Organisations lists the directory.
func (s *Service) Organisations(ctx context.Context, actor Actor, jurisdiction string, kind domain.OrganisationKind, minPosition string) ([]*projections.OrganisationView, error) {
	if err := access.Authorize(access.Request{Actor: actor, Action: access.ActionReadDirectory, Now: s.Now()}).Err(); err != nil {
		return nil, err
	}
	if err := s.WaitFor(ctx, minPosition); err != nil {
		return nil, err
	}
	return s.orgs.List(jurisdiction, kind), nil
}

// Organisation returns one organisation of the directory.
func (s *Service) Organisation(ctx context.Context, actor Actor, id, minPosition string) (*projections.OrganisationView, error) {
	if err := access.Authorize(access.Request{Actor: actor, Action: access.ActionReadDirectory, Now: s.Now()}).Err(); err != nil {
		return nil, err
	}
	if err := s.WaitFor(ctx, minPosition); err != nil {
		return nil, err
	}
	o, ok := s.orgs.Get(id)
	if !ok {
		return nil, fmt.Errorf("organisation %q: %w", id, ErrNotFound)
	}
	return o, nil
}

// OrganisationRef returns the directory entry for id, or a stub naming only the id
// (for an organisation that is not in the read model yet). It is for rendering
// references inside a case the caller already may see.
func (s *Service) OrganisationRef(id string) *projections.OrganisationView {
	if o, ok := s.orgs.Get(id); ok {
		return o
	}
	return &projections.OrganisationView{ID: id, Name: id}
}

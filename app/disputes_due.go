package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/projections"
)

// MaxDuePage caps creditDisputesDue(first:) and (last:); DefaultDuePage is its page
// size when neither is given.
const (
	MaxDuePage     = 100
	DefaultDuePage = 20
)

// DueQuery selects a page of the open credit disputes the caller's organisation must
// act on, by due date.
type DueQuery struct {
	Page        PageArgs // cursors from DueDispute.Cursor
	OverdueOnly bool
	DueBefore   time.Time // zero: any
	MinPosition string
}

// DueDispute is an open credit dispute in a due-date list: nothing personal.
type DueDispute struct {
	CaseID       string
	DisputeID    string
	Bureau       Organisation
	FiledAt      time.Time
	DueAt        time.Time // zero: no statutory clock
	Overdue      bool
	PendingItems int
	Cursor       string // pass as after to continue after it, or as before to page back from it
}

// DuePage is one page of a due-date list, oldest due date first.
type DuePage struct {
	Disputes []DueDispute
	// HasPreviousPage: a dispute of the list comes before the page; HasNextPage: after.
	HasPreviousPage, HasNextPage bool
}

// CreditDisputesDue lists the open disputes the caller's organisation must act on, by
// due date, oldest first (those without a statutory clock last): for a bureau's
// staff, the disputes addressed to it that it may read (a credit-repair grant to it
// in force, as access decides for the credit group); for a caseworker, the disputes
// of the cases its organisation owns. Anyone else is ErrForbidden. The work is the
// caller's own list in the read model's index, never every case.
func (s *Service) CreditDisputesDue(ctx context.Context, actor Actor, q DueQuery) (DuePage, error) {
	if !actor.Authenticated() {
		return DuePage{}, ErrUnauthenticated
	}
	var party projections.DueParty
	switch actor.Role {
	case RoleBureau:
		party = projections.DueForBureau
	case RoleCaseworker:
		party = projections.DueForOwner
	default:
		return DuePage{}, fmt.Errorf("creditDisputesDue is for bureaus' staff and caseworkers: %w", ErrForbidden)
	}
	if actor.Organisation == "" {
		return DuePage{}, fmt.Errorf("creditDisputesDue: the caller has no organisation: %w", ErrForbidden)
	}
	w, cursor, err := q.Page.window(DefaultDuePage, MaxDuePage)
	if err != nil {
		return DuePage{}, err
	}
	// Due dates are compared as instants a time.Time holds in nanoseconds (1678–2262).
	if !q.DueBefore.IsZero() && (q.DueBefore.Year() < 1900 || q.DueBefore.Year() > 2200) {
		return DuePage{}, fmt.Errorf("dueBefore must be between the years 1900 and 2200: %w", ErrBadInput)
	}
	at, err := parseDueCursor(cursor)
	if err != nil {
		return DuePage{}, err
	}
	if err := s.WaitFor(ctx, q.MinPosition); err != nil {
		return DuePage{}, err
	}
	now := s.Now()
	page := s.cases.Disputes().DuePage(actor.Organisation, party, projections.DueFilter{
		Window: w, Cursor: at, OverdueOnly: q.OverdueOnly, DueBefore: q.DueBefore, Now: now,
		Keep: func(d projections.DueDispute) bool {
			v, ok := s.cases.Get(d.CaseID)
			return ok && s.decideRead(ctx, actor, v, access.GroupCredit, false).Allowed
		},
	})
	out := DuePage{Disputes: make([]DueDispute, len(page.Disputes)), HasPreviousPage: page.HasPrevious, HasNextPage: page.HasNext}
	for i, d := range page.Disputes {
		out.Disputes[i] = DueDispute{CaseID: d.CaseID, DisputeID: d.DisputeID, Bureau: s.organisationRef(d.Bureau),
			FiledAt: d.FiledAt, DueAt: d.DueAt, Overdue: d.Overdue(now), PendingItems: d.PendingItems, Cursor: dueCursor(d.Cursor())}
	}
	return out, nil
}

// dueCursorWire is a due-date list's cursor before base64.
type dueCursorWire struct {
	Kind      string `json:"k"`
	DueAt     int64  `json:"d,omitempty"` // Unix nanoseconds; absent: no statutory clock
	CaseID    string `json:"c"`
	DisputeID string `json:"i"`
}

const dueCursorKind = "due"

func dueCursor(c projections.DueCursor) string {
	w := dueCursorWire{Kind: dueCursorKind, CaseID: c.CaseID, DisputeID: c.DisputeID}
	if !c.DueAt.IsZero() {
		w.DueAt = c.DueAt.UnixNano()
	}
	raw, _ := json.Marshal(w) // strings and a number: cannot fail
	return base64.RawURLEncoding.EncodeToString(raw)
}

func parseDueCursor(c pageCursor) (*projections.DueCursor, error) {
	if c.text == "" {
		return nil, nil
	}
	bad := fmt.Errorf("%s: not a cursor of creditDisputesDue: %w", c.arg, ErrBadInput)
	raw, err := base64.RawURLEncoding.DecodeString(c.text)
	if err != nil {
		return nil, bad
	}
	var w dueCursorWire
	if err := json.Unmarshal(raw, &w); err != nil || w.Kind != dueCursorKind || w.CaseID == "" || w.DisputeID == "" || w.DueAt < 0 {
		return nil, bad
	}
	at := &projections.DueCursor{CaseID: w.CaseID, DisputeID: w.DisputeID}
	if w.DueAt != 0 {
		at.DueAt = time.Unix(0, w.DueAt).UTC()
	}
	return at, nil
}

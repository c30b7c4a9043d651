package app

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/internal/paging"
	"github.com/waymark-org/waymark/projections"
)

// WorkKind is a kind of work (projections.WorkKind, in the application's terms).
type WorkKind string

// The kinds of work, as the projection names them.
const (
	WorkCaseShown            = WorkKind(projections.WorkCaseShown)
	WorkPackAwaitingDecision = WorkKind(projections.WorkPackAwaitingDecision)
	WorkApplicationAwaiting  = WorkKind(projections.WorkApplicationAwaiting)
	WorkConcernOpen          = WorkKind(projections.WorkConcernOpen)
	WorkDisputePending       = WorkKind(projections.WorkDisputePending)
	WorkTransferOffered      = WorkKind(projections.WorkTransferOffered)
	WorkConsentExpiring      = WorkKind(projections.WorkConsentExpiring)
	WorkCaseStalled          = WorkKind(projections.WorkCaseStalled)
)

// AllWorkKind lists every kind, in the projection's order.
func AllWorkKind() []WorkKind {
	var out []WorkKind
	for _, k := range projections.AllWorkKind() {
		out = append(out, WorkKind(k))
	}
	return out
}

func (k WorkKind) Valid() bool { return projections.WorkKind(k).Valid() }

// WorkItem is one thing waiting for the caller's organisation: ids, codes and times
// (projections.WorkItem says what each item id names).
type WorkItem struct {
	Kind    WorkKind
	CaseID  string
	ItemID  string
	Since   time.Time
	Due     time.Time // zero: no due date
	Overdue bool
}

func workItem(i projections.WorkItem) WorkItem {
	return WorkItem{Kind: WorkKind(i.Kind), CaseID: i.CaseID, ItemID: i.ItemID, Since: i.Since, Due: i.Due, Overdue: i.Overdue}
}

func (i WorkItem) projected() projections.WorkItem {
	return projections.WorkItem{Kind: projections.WorkKind(i.Kind), CaseID: i.CaseID, ItemID: i.ItemID, Since: i.Since, Due: i.Due, Overdue: i.Overdue}
}

// WorkQuery selects a page of the caller's work queue.
type WorkQuery struct {
	Page        PageArgs // cursors from WorkCursor
	MinPosition string
}

// WorkPage is one page of a work queue, ordered by due date (or, without one, by when
// the work began waiting), then case id, item id and kind.
type WorkPage struct {
	Items []WorkItem
	// HasPreviousPage: an item of the queue comes before the page; HasNextPage: after.
	HasPreviousPage, HasNextPage bool
	TotalCount                   int              // over every page
	CountsByKind                 map[WorkKind]int // over every page; kinds with none left out
}

// StartCursor is the cursor of the page's first item ("" for an empty page).
func (p WorkPage) StartCursor() string {
	if len(p.Items) == 0 {
		return ""
	}
	return WorkCursor(p.Items[0])
}

// EndCursor is the cursor of the page's last item ("" for an empty page).
func (p WorkPage) EndCursor() string {
	if len(p.Items) == 0 {
		return ""
	}
	return WorkCursor(p.Items[len(p.Items)-1])
}

// errNoWorkQueues is a service built without the work index.
var errNoWorkQueues = errors.New("work queues are not configured")

// workQueueHolder checks that the actor's role has a work queue: caseworkers (their
// organisation's cases), banks and bureaus. Analysts, auditors and admins have none.
func workQueueHolder(actor Actor) error {
	if !actor.Authenticated() {
		return ErrUnauthenticated
	}
	switch actor.Role {
	case RoleCaseworker, RoleBank, RoleBureau:
		if actor.Organisation != "" {
			return nil
		}
	}
	return fmt.Errorf("%w: work queues are for caseworkers, banks and bureaus; the %s role has none", ErrForbidden, actor.Role)
}

// MyWork returns a page of what waits for the caller's organisation. Only cases the
// caller may see now are visited (access.VisibleCase, the one rule): a bank whose
// banking grant ended sees no work on that case. Time-dependent work (a consent
// about to expire, a stalled case) is judged at the service clock's now.
func (s *Service) MyWork(ctx context.Context, actor Actor, q WorkQuery) (WorkPage, error) {
	if err := workQueueHolder(actor); err != nil {
		return WorkPage{}, err
	}
	w, cursor, err := q.Page.window(DefaultPageSize, MaxPageSize)
	if err != nil {
		return WorkPage{}, err
	}
	at, hasCursor, err := parseWorkCursor(cursor)
	if err != nil {
		return WorkPage{}, err
	}
	if s.work == nil {
		return WorkPage{}, errNoWorkQueues
	}
	if err := s.WaitFor(ctx, q.MinPosition); err != nil {
		return WorkPage{}, err
	}
	now := s.Now()
	items := s.work.Items(actor.Organisation, now, func(v *projections.CaseView) bool { return workVisible(actor, v, now) })
	page := WorkPage{TotalCount: len(items), CountsByKind: map[WorkKind]int{}}
	for _, item := range items {
		page.CountsByKind[WorkKind(item.Kind)]++
	}
	// Where the cursor divides the queue: forward, after its item; backward, at it.
	from := 0
	switch {
	case hasCursor:
		var found bool
		from, found = slices.BinarySearchFunc(items, at, projections.CompareWork)
		if found && !w.Backward {
			from++
		}
	case w.Backward:
		from = len(items)
	}
	p := paging.Select(len(items), w, from, nil)
	page.HasPreviousPage, page.HasNextPage = p.HasPrevious, p.HasNext
	page.Items = make([]WorkItem, 0, len(p.Indexes))
	for _, i := range p.Indexes {
		page.Items = append(page.Items, workItem(items[i]))
	}
	return page, nil
}

// workVisible reports whether the actor may see the case's work now: it may see the
// case, or it is the recipient who may answer the case's pending transfer (the only
// work a recipient has on a case it does not own).
func workVisible(actor Actor, v *projections.CaseView, now time.Time) bool {
	return access.VisibleCase(actor, &v.State, now) ||
		access.Authorize(access.Request{Actor: actor, Action: access.ActionDecideTransfer, Case: &v.State, Now: now}).Allowed
}

const workCursorPrefix = "work:"

// WorkCursor is the opaque cursor of an item in its queue: pass it as after to
// continue after it, or as before to page back from it. It holds the item's place in the order (ids
// and a time), nothing else.
func WorkCursor(item WorkItem) string {
	raw := strings.Join([]string{item.projected().OrderAt().UTC().Format(time.RFC3339Nano), item.CaseID, item.ItemID, string(item.Kind)}, "\x00")
	return base64.RawURLEncoding.EncodeToString([]byte(workCursorPrefix + raw))
}

// parseWorkCursor reads a cursor made by WorkCursor ("": the start) into an item at
// the same place in the order.
func parseWorkCursor(cursor pageCursor) (projections.WorkItem, bool, error) {
	if cursor.text == "" {
		return projections.WorkItem{}, false, nil
	}
	bad := fmt.Errorf("%s: not a cursor of myWork: %w", cursor.arg, ErrBadInput)
	raw, err := base64.RawURLEncoding.DecodeString(cursor.text)
	if err != nil || !strings.HasPrefix(string(raw), workCursorPrefix) {
		return projections.WorkItem{}, false, bad
	}
	parts := strings.Split(strings.TrimPrefix(string(raw), workCursorPrefix), "\x00")
	if len(parts) != 4 {
		return projections.WorkItem{}, false, bad
	}
	at, err := time.Parse(time.RFC3339Nano, parts[0])
	if err != nil || parts[1] == "" || !WorkKind(parts[3]).Valid() {
		return projections.WorkItem{}, false, bad
	}
	return projections.WorkItem{Since: at, CaseID: parts[1], ItemID: parts[2], Kind: projections.WorkKind(parts[3])}, true, nil
}

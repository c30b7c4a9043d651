package app

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/accesslog"
	"github.com/waymark-org/waymark/internal/paging"
)

// AccessLog is where reads of personal data are recorded before the data leaves.
type AccessLog interface {
	Record(ctx context.Context, entries ...accesslog.Entry) error
	ForCase(ctx context.Context, caseID string) ([]accesslog.Entry, error)
	// Between lists every case's entries from from (inclusive) to to (exclusive),
	// oldest first (the break-glass report).
	Between(ctx context.Context, from, to time.Time) ([]accesslog.Entry, error)
}

// AccessLogEntry is one request's reads of one case's personal data (or a search by
// name or document number that found it).
type AccessLogEntry struct {
	At           time.Time
	Actor        string // the user id from the token
	Role         string
	Organisation string
	Groups       []Group // the field groups read, in the schema's order
	Reason       string  // X-Access-Reason; "search ..." for a search
	BreakGlass   bool    // allowed only because a reason was stated
	RequestID    string  // the request's correlation id
}

// AccessLogFilter narrows a case's access log; zero fields match everything.
type AccessLogFilter struct {
	Actor      string
	Role       string
	BreakGlass *bool
	From, To   time.Time // From inclusive, To exclusive
}

func (f AccessLogFilter) match(e accesslog.Entry) bool {
	return (f.Actor == "" || e.Actor == f.Actor) && (f.Role == "" || e.Role == f.Role) &&
		(f.BreakGlass == nil || e.BreakGlass == *f.BreakGlass) &&
		(f.From.IsZero() || !e.At.Before(f.From)) && (f.To.IsZero() || e.At.Before(f.To))
}

// AccessLogPage is one page of a case's access log, oldest first.
type AccessLogPage struct {
	Entries []AccessLogEntry
	Cursors []string
	// HasPreviousPage: an entry matching the filter comes before the page;
	// HasNextPage: after it.
	HasPreviousPage, HasNextPage bool
	TotalCount                   int // entries matching the filter, over every page
}

// MaxAccessLogPage caps accessLog(first:) and (last:); DefaultAccessLogPage is its
// page size when neither is given.
const (
	MaxAccessLogPage     = 100
	DefaultAccessLogPage = 50
)

// AccessLog returns a page of who read the personal data of a case, oldest first:
// coalition auditors for every case, a bank's compliance team for the cases its bank
// sees (access's ActionReadAccessLog on the case). A case the caller may not see is
// ErrNotFound, a missing one too.
func (s *Service) AccessLog(ctx context.Context, actor Actor, caseID string, filter AccessLogFilter, args PageArgs) (AccessLogPage, error) {
	if !actor.Authenticated() {
		return AccessLogPage{}, ErrUnauthenticated
	}
	w, cursor, err := args.window(DefaultAccessLogPage, MaxAccessLogPage)
	if err != nil {
		return AccessLogPage{}, err
	}
	if !filter.From.IsZero() && !filter.To.IsZero() && !filter.From.Before(filter.To) {
		return AccessLogPage{}, fmt.Errorf("filter: from must be before to: %w", ErrBadInput)
	}
	at, err := parseIndexCursor(accessCursorPrefix, "accessLog", cursor)
	if err != nil {
		return AccessLogPage{}, err
	}
	v, known := s.cases.Get(caseID)
	if !known {
		v = s.decoy
	}
	state := v.State
	d := access.Authorize(access.Request{Actor: actor, Action: access.ActionReadAccessLog, Case: &state, Now: s.Now()})
	if !known {
		return AccessLogPage{}, fmt.Errorf("case %q: %w", caseID, ErrNotFound)
	}
	if err := d.Err(); err != nil {
		return AccessLogPage{}, fmt.Errorf("access log of case %q: %w", caseID, err)
	}
	if s.accessLog == nil {
		return AccessLogPage{}, errors.New("no access log configured")
	}
	entries, err := s.accessLog.ForCase(ctx, caseID)
	if err != nil {
		return AccessLogPage{}, err
	}
	var matching []accesslog.Entry
	for _, e := range entries {
		// A bank's compliance team sees its own bank's reads, as its bank sees only
		// its own entries of a case; coalition auditors see every read.
		if filter.match(e) && access.EntryVisible(actor, e.Organisation) {
			matching = append(matching, e)
		}
	}
	// A cursor is the entry's place (1-based) among the matching ones: forward, the
	// page starts after it; backward, it ends before it.
	from := 0
	switch {
	case at > 0 && !w.Backward:
		from = at
	case at > 0:
		from = at - 1
	case w.Backward:
		from = len(matching)
	}
	p := paging.Select(len(matching), w, from, nil)
	page := AccessLogPage{HasPreviousPage: p.HasPrevious, HasNextPage: p.HasNext, TotalCount: len(matching)}
	for _, i := range p.Indexes {
		page.Entries = append(page.Entries, accessLogEntry(matching[i]))
		page.Cursors = append(page.Cursors, indexCursor(accessCursorPrefix, i+1))
	}
	return page, nil
}

func accessLogEntry(e accesslog.Entry) AccessLogEntry {
	out := AccessLogEntry{
		At: e.At, Actor: e.Actor, Role: e.Role, Organisation: e.Organisation, Reason: e.Reason,
		BreakGlass: e.BreakGlass, RequestID: e.RequestID, Groups: make([]Group, len(e.Groups)),
	}
	for j, g := range e.Groups {
		out.Groups[j] = Group(g)
	}
	return out
}

// BreakGlassSummary is one auditor's break-glass reads in a period.
type BreakGlassSummary struct {
	Actor        string
	Organisation string
	Reads        int // one per request and case
	Cases        int // distinct
	First, Last  time.Time
	Reasons      []string // distinct, in the order first given
}

// MaxReportPeriod bounds accessLogReport's period: it reads every entry in it.
const MaxReportPeriod = 366 * 24 * time.Hour

// AccessLogReport summarises the break-glass reads from from (inclusive) to to
// (exclusive) per auditor, most reads first: what a reviewer checks the reasons of.
// Coalition auditors only (it spans every case).
func (s *Service) AccessLogReport(ctx context.Context, actor Actor, from, to time.Time) ([]BreakGlassSummary, error) {
	if err := access.Authorize(access.Request{Actor: actor, Action: access.ActionReadAccessLog, Now: s.Now()}).Err(); err != nil {
		return nil, err
	}
	if !from.Before(to) {
		return nil, fmt.Errorf("from must be before to: %w", ErrBadInput)
	}
	if to.Sub(from) > MaxReportPeriod {
		return nil, fmt.Errorf("a report covers at most a year (ask for several): %w", ErrBadInput)
	}
	if s.accessLog == nil {
		return nil, errors.New("no access log configured")
	}
	entries, err := s.accessLog.Between(ctx, from, to)
	if err != nil {
		return nil, err
	}
	byActor := map[string]*BreakGlassSummary{}
	cases := map[string]map[string]bool{}
	var order []string
	for _, e := range entries {
		if !e.BreakGlass {
			continue
		}
		key := e.Organisation + "\x00" + e.Actor
		sum, ok := byActor[key]
		if !ok {
			sum = &BreakGlassSummary{Actor: e.Actor, Organisation: e.Organisation, First: e.At}
			byActor[key], cases[key] = sum, map[string]bool{}
			order = append(order, key)
		}
		sum.Reads++
		sum.Last = e.At
		if !cases[key][e.CaseID] {
			cases[key][e.CaseID] = true
			sum.Cases++
		}
		if !slices.Contains(sum.Reasons, e.Reason) {
			sum.Reasons = append(sum.Reasons, e.Reason)
		}
	}
	out := make([]BreakGlassSummary, len(order))
	for i, key := range order {
		out[i] = *byActor[key]
	}
	slices.SortStableFunc(out, func(a, b BreakGlassSummary) int { return b.Reads - a.Reads })
	return out, nil
}

const accessCursorPrefix = "access:"

// indexCursor is the cursor of the n-th item (1-based) of a list in a stable order.
func indexCursor(prefix string, n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(prefix + strconv.Itoa(n)))
}

// parseIndexCursor returns the place (1-based) of the item a cursor made by
// indexCursor points at; 0 for no cursor. list names the list in an error.
func parseIndexCursor(prefix, list string, cursor pageCursor) (int, error) {
	if cursor.text == "" {
		return 0, nil
	}
	bad := fmt.Errorf("%s: not a cursor of %s: %w", cursor.arg, list, ErrBadInput)
	raw, err := base64.RawURLEncoding.DecodeString(cursor.text)
	if err != nil || !strings.HasPrefix(string(raw), prefix) {
		return 0, bad
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(raw), prefix))
	if err != nil || n < 1 {
		return 0, bad
	}
	return n, nil
}

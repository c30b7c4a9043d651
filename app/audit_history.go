package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/paging"
	"github.com/waymark-org/waymark/projections"
)

// A case's history, as auditors replay it: every event in order, each showing what
// its caller may read of it. Who may read what is always decided on the case as it
// stands now and at the current time, never on the state the event left: a bank whose
// consent was withdrawn yesterday must not read yesterday's banking data through
// history. The events come from the store, not from the read model, so what is shown
// is what is stored, hash and all.

// auditCase returns the current view of a case the caller may audit (access's
// ActionAudit). A missing case takes the path of a hidden one, on the decoy.
func (s *Service) auditCase(actor Actor, id string) (*projections.CaseView, error) {
	if !actor.Authenticated() {
		return nil, ErrUnauthenticated
	}
	v, known := s.cases.Get(id)
	if !known {
		v = s.decoy
	}
	state := v.State
	d := access.Authorize(access.Request{Actor: actor, Action: access.ActionAudit, Case: &state, Now: s.Now()})
	if !known {
		return nil, fmt.Errorf("case %q: %w", id, ErrNotFound)
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("case %q: %w", id, err)
	}
	return v, nil
}

// readCase reads a case's events from the store, in order.
func (s *Service) readCase(ctx context.Context, id string) ([]eventstore.RecordedEvent, error) {
	events, err := s.store.ReadStream(ctx, eventstore.StreamName(eventstore.KindCase, id), 0)
	if err != nil {
		return nil, fmt.Errorf("read case %s: %w", id, err)
	}
	return events, nil
}

// HistoryEvent is one event of a case's history as one caller may see it. Its data
// and its personal part are handed out by methods that decide first.
type HistoryEvent struct {
	Type          string
	SchemaVersion int
	Actor         string // the user id; "" when another bank or bureau recorded it
	Role          string
	Organisation  string // "" when another bank or bureau recorded it
	RecordedAt    time.Time
	Version       uint64 // the case's version after it (its revision + 1)
	Position      string
	Hash          string // of its stored bytes
	PrevHash      string // of the event before it ("" for the first)
	Group         Group  // the field group its data belongs to

	c        *Case // the case now: decisions are made on it
	personal access.Group
	data     json.RawMessage // its own fields, without the sealed parts
	sealed   codec.Personal
}

// Data returns the event's own fields as JSON (never its personal part), when the
// caller may read the group they belong to.
func (e *HistoryEvent) Data(ctx context.Context) (string, error) {
	if err := e.c.authorize(ctx, access.Group(e.Group)); err != nil {
		return "", err
	}
	return string(e.data), nil
}

// PersonalErased reports whether the event had personal data and it was erased: its
// ciphertext stays (the hash covers it), its key is gone.
func (e *HistoryEvent) PersonalErased() bool {
	return !e.sealed.IsZero() && e.c.decisionView().State.Erased
}

// Personal decrypts the event's personal part as JSON, recording the read first like
// any other (OpenGroup). erased is true when it can no longer be opened; nothing is
// returned (and nothing recorded) for an event without one.
func (e *HistoryEvent) Personal(ctx context.Context) (plain string, erased bool, err error) {
	if e.sealed.IsZero() {
		return "", false, nil
	}
	if e.c.decisionView().State.Erased {
		return "", true, nil
	}
	o, err := e.c.s.OpenGroup(ctx, e.c.actor, e.c.decisionView(), e.personal)
	if errors.Is(err, ErrErased) {
		return "", true, nil
	}
	if err != nil {
		return "", false, err
	}
	var raw json.RawMessage
	if err := o.Open(ctx, e.sealed, &raw); errors.Is(err, ErrErased) {
		return "", true, nil
	} else if err != nil {
		return "", false, err
	}
	return string(raw), false, nil
}

// HistoryPage is one page of a case's history.
type HistoryPage struct {
	Events  []*HistoryEvent
	Cursors []string
	// HasPreviousPage: an event the caller sees comes before the page; HasNextPage: after.
	HasPreviousPage, HasNextPage bool
	TotalCount                   int // the events this caller sees, over every page
}

// MaxHistoryPage caps caseHistory(first:) and (last:); DefaultHistoryPage is its page
// size when neither is given.
const (
	MaxHistoryPage     = 100
	DefaultHistoryPage = 50
)

// CaseHistory returns a page of a case's events in order (args: after or before a
// cursor). Banks and bureaus (and a bank's compliance team) do not see the events that
// concern another bank or bureau, exactly as in the case's journey.
func (s *Service) CaseHistory(ctx context.Context, actor Actor, id string, args PageArgs) (HistoryPage, error) {
	w, cursor, err := args.window(DefaultHistoryPage, MaxHistoryPage)
	if err != nil {
		return HistoryPage{}, err
	}
	at, err := parseHistoryCursor(cursor)
	if err != nil {
		return HistoryPage{}, err
	}
	v, err := s.auditCase(actor, id)
	if err != nil {
		return HistoryPage{}, err
	}
	records, err := s.readCase(ctx, id)
	if err != nil {
		return HistoryPage{}, err
	}
	c := s.caseFor(actor, v)
	type seen struct {
		rec    eventstore.RecordedEvent
		extras codec.Extras
	}
	var visible []seen
	folded := domain.Case{}
	for _, rec := range records {
		event, extras, err := codec.Decode(rec)
		if err != nil {
			return HistoryPage{}, fmt.Errorf("case %s: %w", id, err)
		}
		folded = domain.Evolve(folded, event)
		if party := domain.PartyOf(event, folded); party != "" && !c.sees(party) {
			continue
		}
		visible = append(visible, seen{rec, extras})
	}
	// A cursor is an event's version (its revision + 1): forward, the page starts
	// after that event; backward, it ends before it.
	from := 0
	switch {
	case at > 0 && !w.Backward:
		from = sort.Search(len(visible), func(i int) bool { return visible[i].rec.Revision >= at })
	case at > 0:
		from = sort.Search(len(visible), func(i int) bool { return visible[i].rec.Revision >= at-1 })
	case w.Backward:
		from = len(visible)
	}
	p := paging.Select(len(visible), w, from, nil)
	page := HistoryPage{HasPreviousPage: p.HasPrevious, HasNextPage: p.HasNext, TotalCount: len(visible)}
	for _, i := range p.Indexes {
		h, err := historyEvent(c, visible[i].rec, visible[i].extras)
		if err != nil {
			return HistoryPage{}, err
		}
		page.Events = append(page.Events, h)
		page.Cursors = append(page.Cursors, historyCursor(visible[i].rec.Revision+1))
	}
	return page, nil
}

func historyEvent(c *Case, rec eventstore.RecordedEvent, extras codec.Extras) (*HistoryEvent, error) {
	data, personal := groupsOf(rec.Type)
	own, err := withoutSealed(rec.Data)
	if err != nil {
		return nil, fmt.Errorf("case %s revision %d: %w", c.ID(), rec.Revision, err)
	}
	md := rec.Metadata
	h := &HistoryEvent{
		Type: rec.Type, SchemaVersion: rec.SchemaVersion, Actor: md.Actor, Role: md.Role, Organisation: md.Organisation,
		RecordedAt: md.RecordedAt, Version: rec.Revision + 1, Position: rec.Position.String(),
		Hash: md.Hash, PrevHash: md.PrevHash, Group: Group(data),
		c: c, personal: personal, data: own, sealed: extras.Personal,
	}
	if h.Organisation != c.decisionView().OwningOrganisation() && !c.sees(h.Organisation) {
		h.Organisation, h.Actor = "", "" // another bank or bureau recorded it
	}
	return h, nil
}

// withoutSealed returns an event's stored data without its sealed members (the
// personal object and the blind index): those are shown, decrypted, by Personal only.
func withoutSealed(data json.RawMessage) (json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, fmt.Errorf("event data: %w", err)
	}
	delete(fields, "personal")
	delete(fields, "blindIndex")
	return json.Marshal(fields)
}

const historyCursorPrefix = "history:"

// historyCursor is the cursor of the event at version (its revision + 1).
func historyCursor(version uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(historyCursorPrefix + strconv.FormatUint(version, 10)))
}

// parseHistoryCursor returns the version of the event a cursor made by historyCursor
// points at; 0 for no cursor.
func parseHistoryCursor(cursor pageCursor) (uint64, error) {
	if cursor.text == "" {
		return 0, nil
	}
	bad := fmt.Errorf("%s: not a cursor of caseHistory: %w", cursor.arg, ErrBadInput)
	raw, err := base64.RawURLEncoding.DecodeString(cursor.text)
	if err != nil || !strings.HasPrefix(string(raw), historyCursorPrefix) {
		return 0, bad
	}
	n, err := strconv.ParseUint(strings.TrimPrefix(string(raw), historyCursorPrefix), 10, 64)
	if err != nil || n < 1 {
		return 0, bad
	}
	return n, nil
}

// CaseAt returns the case as it stood after its first version events (version > 0),
// or at the instant at (at non-zero): exactly one of the two. What the caller may read
// of it is decided on the case as it stands now (see above); the historical state
// only supplies the data shown. A version beyond the head, or an instant before the
// referral, is ErrBadInput.
func (s *Service) CaseAt(ctx context.Context, actor Actor, id string, version *int, at *time.Time) (*Case, error) {
	if (version == nil) == (at == nil) {
		return nil, fmt.Errorf("give exactly one of version and at: %w", ErrBadInput)
	}
	if version != nil && *version < 1 {
		return nil, fmt.Errorf("version must be 1 or more (the referral is version 1): %w", ErrBadInput)
	}
	v, err := s.auditCase(actor, id)
	if err != nil {
		return nil, err
	}
	records, err := s.readCase(ctx, id)
	if err != nil {
		return nil, err
	}
	var envs []projections.Envelope
	for _, rec := range records {
		if version != nil && rec.Revision >= uint64(*version) {
			break
		}
		if at != nil && rec.Metadata.RecordedAt.After(*at) {
			break
		}
		event, extras, err := codec.Decode(rec)
		if err != nil {
			return nil, fmt.Errorf("case %s: %w", id, err)
		}
		envs = append(envs, projections.Envelope{Record: rec, Event: event, Extras: extras})
	}
	switch {
	case version != nil && uint64(*version) > uint64(len(records)):
		return nil, fmt.Errorf("version %d is beyond the case's head (version %d): %w", *version, len(records), ErrBadInput)
	case len(envs) == 0:
		return nil, fmt.Errorf("the case did not exist yet at %s: %w", at.UTC().Format(time.RFC3339), ErrBadInput)
	}
	then, err := projections.FoldCase(id, envs)
	if err != nil {
		return nil, fmt.Errorf("fold case %s: %w", id, err)
	}
	c := s.caseFor(actor, then)
	c.current = v
	return c, nil
}

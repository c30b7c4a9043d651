package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/accesslog"
)

// Reads of personal data are recorded once per request and case. The API puts an
// AccessCollector in each request's context; OpenGroup and the searches by name or
// document number note their accesses in it (and refuse past the per-request limit),
// and RecordCollected stores one entry per case — with every field group read — before
// the response leaves. Personal data is decrypted into memory while the request runs,
// but nothing leaves the process unrecorded: a response whose accesses cannot be
// recorded is withheld. Callers without a collector (the CLI, tests of app) record
// each access before it is returned, as before.

// MaxPersonalCasesPerRequest bounds how many distinct cases' personal data one
// request may read: one full page of cases. Past it, the fields that would read
// another case are refused with ErrPersonalDataLimit. It keeps one caller from
// reading (and recording) thousands of survivors' data at once through aliases.
const MaxPersonalCasesPerRequest = 100

// ErrPersonalDataLimit is a read past MaxPersonalCasesPerRequest in one request.
var ErrPersonalDataLimit = errors.New("personal data limit exceeded")

// AccessCollector gathers one request's accesses to personal data. Safe for
// concurrent use by the request's resolvers.
type AccessCollector struct {
	mu       sync.Mutex
	order    []string // case ids, in the order first read
	byCase   map[string]*collected
	recorded bool
}

type collected struct {
	entry  accesslog.Entry
	search bool // the case was found by a search on personal data
}

// NewAccessCollector returns an empty collector for one request.
func NewAccessCollector() *AccessCollector {
	return &AccessCollector{byCase: map[string]*collected{}}
}

type collectorKey struct{}

// WithAccessCollector returns ctx carrying c: reads of personal data under ctx are
// noted in c, to be recorded with RecordCollected before the response leaves.
func WithAccessCollector(ctx context.Context, c *AccessCollector) context.Context {
	return context.WithValue(ctx, collectorKey{}, c)
}

func collectorFrom(ctx context.Context) *AccessCollector {
	c, _ := ctx.Value(collectorKey{}).(*AccessCollector)
	return c
}

// Cases returns how many distinct cases' personal data were noted.
func (c *AccessCollector) Cases() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.order)
}

// note adds an access to e.CaseID's groups (e.Groups has one), merging with what the
// request read of that case before. A new case past the limit is refused.
func (c *AccessCollector) note(e accesslog.Entry, search bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.recorded {
		return errors.New("the request's reads of personal data were already recorded")
	}
	got, ok := c.byCase[e.CaseID]
	if !ok {
		if len(c.order) >= MaxPersonalCasesPerRequest {
			return fmt.Errorf("this request reads the personal data of more than %d cases; at most %d are allowed per request (ask for fewer cases, or page through them): %w",
				MaxPersonalCasesPerRequest, MaxPersonalCasesPerRequest, ErrPersonalDataLimit)
		}
		e.Groups = slices.Clone(e.Groups)
		c.byCase[e.CaseID] = &collected{entry: e, search: search}
		c.order = append(c.order, e.CaseID)
		return nil
	}
	for _, g := range e.Groups {
		if !slices.Contains(got.entry.Groups, g) {
			got.entry.Groups = append(got.entry.Groups, g)
		}
	}
	got.entry.BreakGlass = got.entry.BreakGlass || e.BreakGlass
	got.search = got.search || search
	return nil
}

// take returns the entries to record, once.
func (c *AccessCollector) take() []accesslog.Entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.recorded {
		return nil
	}
	c.recorded = true
	out := make([]accesslog.Entry, len(c.order))
	for i, id := range c.order {
		got := c.byCase[id]
		out[i] = got.entry
		// Resolvers run concurrently: list the groups in the schema's order, not
		// in the order they happened to be read.
		slices.SortFunc(out[i].Groups, func(a, b string) int { return groupRank(a) - groupRank(b) })
		if got.search {
			out[i].Reason = strings.TrimSpace("search " + got.entry.Reason)
		}
	}
	return out
}

func groupRank(g string) int {
	if i := slices.Index(access.Groups(), access.Group(g)); i >= 0 {
		return i
	}
	return len(access.Groups())
}

// RecordCollected stores the request's accesses, one entry per case, and returns
// once they are durable. The response must not leave if it fails.
func (s *Service) RecordCollected(ctx context.Context, c *AccessCollector) error {
	entries := c.take()
	if len(entries) == 0 {
		return nil
	}
	if s.accessLog == nil {
		return errors.New("no access log: personal data cannot be read")
	}
	if err := s.accessLog.Record(ctx, entries...); err != nil {
		return fmt.Errorf("record the request's reads of personal data (%d cases): %w", len(entries), err)
	}
	return nil
}

// recordAccess records that actor read group of a case (search: found it by a search
// on personal data): noted in the request's collector when there is one, stored at
// once otherwise.
func (s *Service) recordAccess(ctx context.Context, entries []accesslog.Entry, search bool) error {
	if s.accessLog == nil {
		return errors.New("no access log: personal data cannot be read")
	}
	if c := collectorFrom(ctx); c != nil {
		for _, e := range entries {
			if err := c.note(e, search); err != nil {
				return err
			}
		}
		return nil
	}
	if search {
		for i := range entries {
			entries[i].Reason = strings.TrimSpace("search " + entries[i].Reason)
		}
	}
	return s.accessLog.Record(ctx, entries...)
}

// accessEntry is the log entry for actor reading group of case caseID now.
func (s *Service) accessEntry(ctx context.Context, actor Actor, caseID string, group string, breakGlass bool) accesslog.Entry {
	return accesslog.Entry{
		At: s.Now(), Actor: actor.ID, Role: string(actor.Role), Organisation: actor.Organisation,
		CaseID: caseID, Groups: []string{group}, Reason: AccessReason(ctx), BreakGlass: breakGlass,
		RequestID: CorrelationID(ctx),
	}
}

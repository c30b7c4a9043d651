// Package accesslog records every response that returns decrypted personal data: who
// saw which field groups of which case, in what role, for what reason, and when. An
// entry is stored before the data leaves: Record returns only once the Sink holds it
// durably (the JetStream sink: acknowledged by the server, fsynced with the default
// --sync always), so a read whose access cannot be recorded fails instead (fail
// closed).
//
// The Log batches the reads of the whole process into rounds with back-pressure
// (batcher.go); where entries are kept is a Sink, a small interface: the default one
// is the JetStream stream of accesslog/jsaccesslog, kept apart from the case streams.
// This package imports no NATS.
package accesslog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Entry is one access to personal data.
type Entry struct {
	At           time.Time `json:"at"`
	Actor        string    `json:"actor"`
	Role         string    `json:"role"`
	Organisation string    `json:"organisation,omitempty"`
	CaseID       string    `json:"caseId"`
	Groups       []string  `json:"groups"`
	Reason       string    `json:"reason,omitempty"`
	BreakGlass   bool      `json:"breakGlass,omitempty"`
	RequestID    string    `json:"requestId,omitempty"`
}

// ErrInvalidEntry is an entry without a case or an actor, or with a case id that is
// not one token.
var ErrInvalidEntry = errors.New("invalid access log entry")

// ErrUnavailable is a sink that did not answer in time or has no leader for the
// moment: the read it was for is refused, and may be tried again shortly.
var ErrUnavailable = errors.New("access log unavailable")

// Sink keeps entries durably.
type Sink interface {
	// Publish stores one round of at most MaxRound entries and returns once each is
	// stored or failed: errs[i] is entries[i]'s outcome (nil: durable). The Log calls
	// it for one round at a time, with entries that passed Validate.
	Publish(ctx context.Context, entries []Entry) (errs []error)
	// ForCase returns every entry stored for the case, in any order (the Log sorts
	// them); none for a case id that ValidCaseID refuses.
	ForCase(ctx context.Context, caseID string) ([]Entry, error)
}

// Log is the access log over a Sink. It is safe for concurrent use.
type Log struct {
	sink    Sink
	batch   *batcher
	horizon horizonState // what retention dropped from the read model (horizon.go)
}

// New starts a Log that stores entries in sink. Close stops it; the sink stays the
// caller's to close.
func New(sink Sink) *Log { return NewWithMetrics(sink, nil) }

// Metrics is what a Log reports of its rounds (internal/metrics implements it): the
// entries a round wrote, how many of them failed, how long it took. Counts only:
// never an entry's contents.
type Metrics interface {
	AccessLogRound(entries, failed int, took time.Duration)
}

// NewWithMetrics is New reporting every round to m (nil: to nothing).
func NewWithMetrics(sink Sink, m Metrics) *Log {
	return &Log{sink: sink, batch: newBatcher(sink.Publish, m)}
}

// Close stops the batcher; entries still waiting fail.
func (l *Log) Close() { l.batch.close() }

// Record stores entries and returns once they are durable. Concurrent calls are
// batched into rounds; when the log is busy, Record waits (as long as ctx allows)
// rather than fail.
func (l *Log) Record(ctx context.Context, entries ...Entry) error {
	for _, e := range entries {
		if err := Validate(e); err != nil {
			return err
		}
	}
	return l.batch.add(ctx, entries)
}

// ForCase returns every recorded access to a case, oldest first.
func (l *Log) ForCase(ctx context.Context, caseID string) ([]Entry, error) {
	if !ValidCaseID(caseID) {
		return nil, nil
	}
	out, err := l.sink.ForCase(ctx, caseID)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b Entry) int { return a.At.Compare(b.At) })
	return out, nil
}

// Validate accepts an entry with an actor and a case id that ValidCaseID accepts.
func Validate(e Entry) error {
	if e.CaseID == "" || e.Actor == "" || !ValidCaseID(e.CaseID) {
		return fmt.Errorf("%w: case %q, actor %q", ErrInvalidEntry, e.CaseID, e.Actor)
	}
	return nil
}

// ValidCaseID keeps a case id usable as one token of a name (the JetStream sink's
// subject waymark.access.<caseId>): no dots, wildcards or spaces.
func ValidCaseID(s string) bool {
	return s != "" && !strings.ContainsAny(s, ".*> \t\r\n")
}

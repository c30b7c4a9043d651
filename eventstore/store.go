// Package eventstore defines Waymark's event store contract: streams with 0-based
// revisions, optimistic concurrency on append, and one totally ordered global log.
//
// The shape follows KurrentDB so that every backend (eventstore/jetstream, the default;
// eventstore/memstore, in memory for tests; eventstore/kurrentdb, KurrentDB) implements
// the same interface and passes the same conformance suite (eventstore/storetest).
// This package and the suite import no backend: node chooses one.
package eventstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Store is the event store every backend implements.
type Store interface {
	// Append writes events to the end of stream atomically (all or none), provided the
	// stream is in the state expected. It fills in each event's previous-event hash and
	// hash, and returns the stream's new last revision and the position of each event.
	// A stream in another state fails with a *WrongExpectedRevisionError (errors.Is
	// ErrWrongExpectedRevision) that carries the actual revision.
	Append(ctx context.Context, stream string, expected ExpectedRevision, events ...EventData) (AppendResult, error)

	// ReadStream returns the stream's events forward from revision from (inclusive).
	// A stream that does not exist returns ErrStreamNotFound.
	ReadStream(ctx context.Context, stream string, from uint64) ([]RecordedEvent, error)

	// Subscribe delivers every event of the global log after position from (Start for
	// all of them), in global order: first the ones already stored (catch-up), then
	// new ones as they are appended (live). It runs until ctx ends or the store closes.
	Subscribe(ctx context.Context, from Position) (Subscription, error)

	// Head returns the position of the last event of the global log (Start when empty).
	Head(ctx context.Context) (Position, error)

	Close() error
}

// UnhashedSubscriber is implemented by stores that can follow the global log without
// hashing every event's stored bytes. SubscribeUnhashed is Subscribe with each event's
// Metadata.Hash left empty; a reader that needs the hash of an event it keeps computes
// it with HashOf(e.Raw). A read model's runner needs only its checkpoint's, and
// hashing every event was a twentieth of a rebuild's CPU. An auditor never uses it:
// the chain is verified from every hash.
type UnhashedSubscriber interface {
	SubscribeUnhashed(ctx context.Context, from Position) (Subscription, error)
}

// Subscription yields the global log in order.
type Subscription interface {
	// Events delivers events in global order; it is closed when the subscription ends,
	// after which Err says why (nil when ctx was cancelled or the store closed).
	Events() <-chan RecordedEvent
	Err() error
	Close()
}

// EventData is an event to append. Hashes and positions are the store's to fill in.
type EventData struct {
	ID            string          // UUIDv7, chosen by the caller
	Type          string          // e.g. "SurvivorReferred"
	SchemaVersion int             // version of Data's shape for this Type
	Data          json.RawMessage // JSON; personal fields live in one "personal" sub-object
	Metadata      Metadata
}

// Metadata describes who caused an event and how it links to the stream before it.
type Metadata struct {
	Actor         string    `json:"actor"`
	Role          string    `json:"role"`
	Organisation  string    `json:"organisation,omitempty"`
	CommandID     string    `json:"commandId,omitempty"`
	CorrelationID string    `json:"correlationId,omitempty"`
	CausationID   string    `json:"causationId,omitempty"`
	RecordedAt    time.Time `json:"recordedAt"`
	// CommandType and Fingerprint identify the command's input (a keyed hash, never
	// the input itself), so that a retry of CommandID is told from the id reused for
	// other input (the application's idempotency). Empty on events recorded before
	// they were kept, and on events no command made.
	CommandType string `json:"commandType,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
	// PrevHash is the hash of the stream's previous event ("" for the first); set by the store.
	PrevHash string `json:"prevHash"`
	// Hash covers this event's stored bytes (everything above and the event itself);
	// set by the store, never part of the bytes it covers.
	Hash string `json:"-"`
}

// RecordedEvent is an event as stored.
type RecordedEvent struct {
	EventData
	Stream   string
	Revision uint64   // 0-based index within its stream
	Position Position // place in the global log
	// Raw is the exact stored bytes the Hash covers; auditors recompute it.
	Raw []byte
}

// AppendResult reports where an append landed.
type AppendResult struct {
	// LastRevision is the stream's revision after the append (its last event's).
	LastRevision uint64
	// Positions of the appended events, in order.
	Positions []Position
}

// Last is the position of the last appended event.
func (r AppendResult) Last() Position {
	if len(r.Positions) == 0 {
		return Start
	}
	return r.Positions[len(r.Positions)-1]
}

// Sentinel errors callers branch on.
var (
	ErrWrongExpectedRevision = errors.New("wrong expected revision")
	ErrStreamNotFound        = errors.New("stream not found")
	ErrInvalidStreamName     = errors.New("invalid stream name")
	ErrNoEvents              = errors.New("no events to append")
	ErrClosed                = errors.New("event store closed")
	// ErrUnavailable is a store that did not answer in time or has no leader for the
	// moment (a node lost, an election, a connection being re-established). A write's
	// outcome is then unknown: try it again shortly (a command retried with its
	// commandId is applied once).
	ErrUnavailable = errors.New("event store unavailable")
	// ErrEventTooLarge is an append whose events, as stored, exceed what the backend
	// takes in one append (JetStream: the server's max payload). Nothing is written.
	ErrEventTooLarge = errors.New("events too large to append")
)

// TooLargeError says how large an append was and how large one may be, in bytes as the
// backend stores them.
type TooLargeError struct {
	Stream string
	Size   int
	Max    int
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("append to %s: the events are %d bytes stored; at most %d are allowed: %v", e.Stream, e.Size, e.Max, ErrEventTooLarge)
}

func (e *TooLargeError) Unwrap() error { return ErrEventTooLarge }

// SizeChecker is implemented by stores whose appends have a size limit. It lets a
// caller refuse events before it writes anything else on their account (the
// application claims a command id before it appends the command's events).
type SizeChecker interface {
	// CheckAppendSize returns a *TooLargeError if events would not fit in one append
	// to stream, nil if they would. It writes nothing.
	CheckAppendSize(stream string, events ...EventData) error
}

// WrongExpectedRevisionError says what the stream's state really was.
type WrongExpectedRevisionError struct {
	Stream   string
	Expected ExpectedRevision
	// Actual is the stream's last revision; meaningful only when ActualExists.
	Actual       uint64
	ActualExists bool
}

func (e *WrongExpectedRevisionError) Error() string {
	actual := "no stream"
	if e.ActualExists {
		actual = fmt.Sprintf("revision %d", e.Actual)
	}
	return fmt.Sprintf("append to %s: expected %s, stream is at %s: %v", e.Stream, e.Expected, actual, ErrWrongExpectedRevision)
}

func (e *WrongExpectedRevisionError) Unwrap() error { return ErrWrongExpectedRevision }

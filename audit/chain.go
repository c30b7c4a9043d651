// Package audit proves that nobody rewrote Waymark's history. Every event carries the
// hash of the one before it in its stream (eventstore.EncodeRecord), which anyone with
// write access to the store could recompute after rewriting it; so Waymark also makes
// checkpoints, each signed with an Ed25519 audit key of its own (not the token signing
// key): the head hash of every stream changed since the previous checkpoint, a
// running hash over the whole global log and one over the access log. An auditor keeps
// the checkpoints outside the system (waymark checkpoint export) and verifies the
// store against them with a key she pins herself.
//
// The package is pure apart from the store it reads: it recomputes, compares and
// names the first broken link (Break).
package audit

import (
	"errors"
	"fmt"

	"github.com/waymark-org/waymark/eventstore"
)

// ErrBroken is a history that does not verify: errors.As gives the *Break.
var ErrBroken = errors.New("history does not verify")

// Break is the first broken link found: where, and what was expected against what was
// found there (hashes, or revisions for a missing or misplaced event).
type Break struct {
	Stream   string
	Revision uint64
	Problem  string
	Expected string
	Found    string
}

func (b *Break) Error() string {
	return fmt.Sprintf("%v: %s revision %d: %s (expected %s, found %s)", ErrBroken, b.Stream, b.Revision, b.Problem, b.Expected, b.Found)
}

func (b *Break) Unwrap() error { return ErrBroken }

// Head is where a stream ended: its last revision and that event's hash.
type Head struct {
	Revision uint64 `json:"revision"`
	Hash     string `json:"hash"`
}

// chain follows one stream's links as its events come, in revision order.
type chain struct {
	next uint64 // the revision expected next
	last string // the hash of the last event ("" before the first)
}

// add checks that e is the stream's next event and links to the one before it.
func (c *chain) add(stream string, e eventstore.RecordedEvent) *Break {
	rec, err := eventstore.DecodeRecord(e.Raw)
	if err != nil {
		return &Break{Stream: stream, Revision: c.next, Problem: "stored bytes do not decode: " + err.Error(), Expected: "a stored event", Found: "unreadable bytes"}
	}
	switch {
	case rec.Stream != stream:
		return &Break{Stream: stream, Revision: c.next, Problem: "an event of another stream is stored here", Expected: stream, Found: rec.Stream}
	case rec.Revision != c.next:
		problem := "an event is missing or out of order"
		return &Break{Stream: stream, Revision: c.next, Problem: problem,
			Expected: fmt.Sprintf("revision %d", c.next), Found: fmt.Sprintf("revision %d", rec.Revision)}
	case rec.Metadata.PrevHash != c.last:
		return &Break{Stream: stream, Revision: c.next, Problem: "does not link to the event before it (that event was changed, or this one)",
			Expected: orNone(c.last), Found: orNone(rec.Metadata.PrevHash)}
	}
	c.next++
	c.last = rec.Metadata.Hash // recomputed from the bytes, never read from them
	return nil
}

func (c *chain) head() Head { return Head{Revision: c.next - 1, Hash: c.last} }

func orNone(h string) string {
	if h == "" {
		return "(none)"
	}
	return h
}

// CheckStream verifies one stream read whole from revision 0: contiguous revisions,
// each stored in its own stream, each linked to the hash of the one before. It
// returns the stream's head, or the first broken link.
func CheckStream(stream string, events []eventstore.RecordedEvent) (Head, error) {
	var c chain
	for _, e := range events {
		if b := c.add(stream, e); b != nil {
			return Head{}, b
		}
	}
	if len(events) == 0 {
		return Head{}, &Break{Stream: stream, Problem: "the stream is empty", Expected: "its events", Found: "none"}
	}
	return c.head(), nil
}

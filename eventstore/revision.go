package eventstore

import "fmt"

// ExpectedRevision is the state a stream must be in for an append to succeed.
type ExpectedRevision struct {
	kind     expectKind
	revision uint64
}

type expectKind uint8

const (
	expectAny expectKind = iota
	expectNoStream
	expectStreamExists
	expectExact
)

var (
	// Any appends whatever the stream's state.
	Any = ExpectedRevision{kind: expectAny}
	// NoStream appends only if the stream has no events yet.
	NoStream = ExpectedRevision{kind: expectNoStream}
	// StreamExists appends only if the stream has at least one event.
	StreamExists = ExpectedRevision{kind: expectStreamExists}
)

// Exact appends only if the stream's last revision is r.
func Exact(r uint64) ExpectedRevision { return ExpectedRevision{kind: expectExact, revision: r} }

// Matches reports whether a stream whose last revision is last (exists=false: no
// stream) satisfies the expectation. Backends that read the head use it.
func (e ExpectedRevision) Matches(last uint64, exists bool) bool {
	switch e.kind {
	case expectNoStream:
		return !exists
	case expectStreamExists:
		return exists
	case expectExact:
		return exists && last == e.revision
	default:
		return true
	}
}

// IsAny reports whether e accepts any stream state.
func (e ExpectedRevision) IsAny() bool { return e.kind == expectAny }

// ExactRevision returns the revision of an Exact expectation.
func (e ExpectedRevision) ExactRevision() (uint64, bool) {
	return e.revision, e.kind == expectExact
}

func (e ExpectedRevision) String() string {
	switch e.kind {
	case expectNoStream:
		return "no stream"
	case expectStreamExists:
		return "stream exists"
	case expectExact:
		return fmt.Sprintf("revision %d", e.revision)
	default:
		return "any"
	}
}

package eventstore

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Position is a place in the global log. It is opaque and totally ordered: compare
// positions, never subtract them (KurrentDB's positions have gaps, and so do ours).
type Position struct {
	major, minor uint64
}

// Start is the position before the first event.
var Start = Position{}

// NewPosition builds a position from a backend's two ordered components (JetStream:
// stream sequence and index in the message; KurrentDB: commit and prepare positions).
// Only backends call it.
func NewPosition(major, minor uint64) Position { return Position{major: major, minor: minor} }

// Parts returns the two components NewPosition was given. Only backends call it.
func (p Position) Parts() (major, minor uint64) { return p.major, p.minor }

// Compare returns -1, 0 or +1 as p is before, equal to or after q.
func (p Position) Compare(q Position) int {
	switch {
	case p.major < q.major:
		return -1
	case p.major > q.major:
		return 1
	case p.minor < q.minor:
		return -1
	case p.minor > q.minor:
		return 1
	}
	return 0
}

// Before reports whether p comes before q.
func (p Position) Before(q Position) bool { return p.Compare(q) < 0 }

// IsStart reports whether p is Start.
func (p Position) IsStart() bool { return p == Start }

// String renders p as an opaque token that ParsePosition reads back.
func (p Position) String() string { return fmt.Sprintf("%d-%d", p.major, p.minor) }

// ErrInvalidPosition is returned for a token that is not a position.
var ErrInvalidPosition = errors.New("invalid position")

// ParsePosition reads a token made by Position.String.
func ParsePosition(s string) (Position, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return Start, fmt.Errorf("%w: %q", ErrInvalidPosition, s)
	}
	major, err1 := strconv.ParseUint(a, 10, 64)
	minor, err2 := strconv.ParseUint(b, 10, 64)
	if err1 != nil || err2 != nil {
		return Start, fmt.Errorf("%w: %q", ErrInvalidPosition, s)
	}
	return Position{major: major, minor: minor}, nil
}

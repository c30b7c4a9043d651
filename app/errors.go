package app

import (
	"errors"
	"fmt"

	"github.com/waymark-org/waymark/access"
)

// Errors the API maps to codes (api/errors.go); domain errors pass through wrapped.
var (
	ErrUnauthenticated = access.ErrUnauthenticated
	// ErrNotFound is also returned for a case the caller may not see: never confirm
	// that a case exists.
	ErrNotFound  = access.ErrNotFound
	ErrForbidden = access.ErrForbidden
	// ErrErased is personal data whose key was destroyed.
	ErrErased = errors.New("survivor data erased")
	// ErrBadInput covers malformed input the domain never sees (ids, versions, cursors).
	ErrBadInput = errors.New("bad input")
	// ErrCommandReused is a commandId already used with other input.
	ErrCommandReused = errors.New("commandId already used with different input")
	ErrConflict      = errors.New("version conflict")
	// ErrOrganisationDeactivated: a command names an organisation that was taken out
	// of service. API: BAD_USER_INPUT.
	ErrOrganisationDeactivated = errors.New("organisation deactivated")
	// ErrNotCaughtUp is a read whose minPosition is in the log but which the read
	// models did not reach within the read timeout: retry shortly.
	ErrNotCaughtUp = errors.New("the read models have not caught up")
)

// ConflictError is a stale expectedVersion; Actual is the case's version now.
type ConflictError struct {
	Expected uint64
	Actual   uint64
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("expected version %d, but the case is at version %d", e.Expected, e.Actual)
}

// Unwrap makes errors.Is(err, ErrConflict) hold.
func (e *ConflictError) Unwrap() error { return ErrConflict }

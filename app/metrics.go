package app

import (
	"errors"
	"time"
)

// Metrics is what the service reports about commands (internal/metrics implements it;
// nil in Config: nothing). Its labels are command types and the outcomes below, from
// closed sets: never an id, a subject or anything a caller typed.
type Metrics interface {
	// Command counts a command that returned with outcome.
	Command(cmdType, outcome string)
	// Appended records how long one append of a command's events took.
	Appended(took time.Duration)
	// AppendConflict counts an append refused because another writer got in first.
	AppendConflict()
}

// Outcomes of a command, as Metrics counts them.
const (
	OutcomeOK              = "ok"
	OutcomeConflict        = "conflict"        // a stale expectedVersion (CONFLICT)
	OutcomeBadInput        = "bad_input"       // input the caller must change (BAD_USER_INPUT)
	OutcomeRejected        = "rejected"        // the journey does not allow it now (INVALID_TRANSITION)
	OutcomeForbidden       = "forbidden"       // the caller may not (FORBIDDEN)
	OutcomeNotFound        = "not_found"       // no such case, or one the caller may not see
	OutcomeUnauthenticated = "unauthenticated" // no caller
	OutcomeUnavailable     = "unavailable"     // the read models are catching up: retry
	OutcomeError           = "error"           // anything else (INTERNAL)
)

// commandOutcome is the outcome a command's error counts as.
func commandOutcome(err error) string {
	switch {
	case err == nil:
		return OutcomeOK
	case errors.Is(err, ErrConflict):
		return OutcomeConflict
	case errors.Is(err, ErrBadInput), errors.Is(err, ErrCommandReused), errors.Is(err, ErrOrganisationDeactivated):
		return OutcomeBadInput
	case errors.Is(err, ErrInvalidTransition), errors.Is(err, ErrErased):
		return OutcomeRejected
	case errors.Is(err, ErrForbidden):
		return OutcomeForbidden
	case errors.Is(err, ErrNotFound):
		return OutcomeNotFound
	case errors.Is(err, ErrUnauthenticated):
		return OutcomeUnauthenticated
	case errors.Is(err, ErrNotCaughtUp):
		return OutcomeUnavailable
	}
	return OutcomeError
}

// counted reports a command's outcome once it returns: deferred by every command's
// entry point, with its named error (the errors before execute included: a refused
// authorisation, a malformed commandId).
func (s *Service) counted(cmdType string, err *error) {
	s.metrics.Command(cmdType, commandOutcome(appError(*err)))
}

// noMetrics is the Metrics of a service configured without.
type noMetrics struct{}

func (noMetrics) Command(string, string) {}
func (noMetrics) Appended(time.Duration) {}
func (noMetrics) AppendConflict()        {}

package app

import (
	"errors"
	"fmt"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/accesslog"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/sealing"
)

// The errors callers branch on; the API maps them, and nothing else, to codes
// (api/errors.go). Errors of the domain, the store and sealing never leave app
// bare: appError wraps them into one of these, keeping their message and the
// original in the chain (errors.Is still finds domain.ErrInvalidInput).
var (
	ErrUnauthenticated = access.ErrUnauthenticated
	// ErrNotFound is also returned for a case the caller may not see: never confirm
	// that a case exists.
	ErrNotFound  = access.ErrNotFound
	ErrForbidden = access.ErrForbidden
	// ErrReasonRequired is a refusal a stated reason would lift: an auditor reading
	// personal data without X-Access-Reason. It is an ErrForbidden too.
	ErrReasonRequired = access.ErrReasonRequired
	// ErrErased is personal data whose key was destroyed.
	ErrErased = errors.New("survivor data erased")
	// ErrBadInput covers input the caller must change: malformed values the domain
	// never sees (ids, versions, cursors, positions) and every input the domain
	// refuses (domain.ErrInvalidInput, an unknown organisation, one of the wrong kind,
	// something that already exists).
	ErrBadInput = errors.New("bad input")
	// ErrInvalidTransition is input that is fine but that the journey does not allow
	// now (domain.ErrInvalidTransition), or that the survivor's consent does not
	// cover (domain.ErrConsentRequired).
	ErrInvalidTransition = errors.New("not allowed at this point of the journey")
	// ErrCommandReused is a commandId already used with other input.
	ErrCommandReused = errors.New("commandId already used with different input")
	ErrConflict      = errors.New("version conflict")
	// ErrOrganisationDeactivated: a command names an organisation that was taken out
	// of service. API: BAD_USER_INPUT.
	ErrOrganisationDeactivated = errors.New("organisation deactivated")
	// ErrNotCaughtUp is a read whose minPosition is in the log but which the read
	// models did not reach within the read timeout: retry shortly.
	ErrNotCaughtUp = errors.New("the read models have not caught up")
	// ErrTampered is sealed personal data that failed its integrity check: someone
	// changed stored bytes, or they belong to another case or event.
	ErrTampered = errors.New("personal data failed its integrity check")
	// ErrUnavailable is a store Waymark depends on (events, keys, access log) that did
	// not answer in time or has no leader for the moment: retry shortly. A command's
	// outcome is unknown then; retried with its commandId it is applied once.
	ErrUnavailable = errors.New("a store did not answer in time")
)

// Unavailable reports whether err is, or comes from, a store that did not answer in
// time (ErrUnavailable or a store's own sentinel for it): the API answers it with
// UNAVAILABLE, whichever path it took.
func Unavailable(err error) bool {
	return errors.Is(err, ErrUnavailable) || kindOf(err) == ErrUnavailable
}

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

// kindError gives an error from the domain, the store or sealing app's kind.
type kindError struct {
	kind error
	err  error
}

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.err} }

// appError returns err as app's: an error of the domain, the store or sealing wrapped
// with the kind of app's that it is; app's own errors (and nil) as they are.
func appError(err error) error {
	kind := kindOf(err)
	if kind == nil || errors.Is(err, kind) {
		return err
	}
	return &kindError{kind: kind, err: err}
}

// kindOf is the app error an error of another package counts as; nil for one app
// does not know (INTERNAL at the edge).
func kindOf(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, domain.ErrCaseNotFound):
		return ErrNotFound
	case errors.Is(err, domain.ErrInvalidTransition), errors.Is(err, domain.ErrConsentRequired):
		return ErrInvalidTransition
	case errors.Is(err, domain.ErrInvalidInput), errors.Is(err, domain.ErrUnknownOrganisation),
		errors.Is(err, domain.ErrWrongOrganisationKind), errors.Is(err, domain.ErrAlreadyExists),
		errors.Is(err, eventstore.ErrInvalidPosition):
		return ErrBadInput
	case errors.Is(err, sealing.ErrKeyDestroyed):
		return ErrErased
	case errors.Is(err, sealing.ErrTampered):
		return ErrTampered
	case errors.Is(err, eventstore.ErrUnavailable), errors.Is(err, sealing.ErrKeyStoreUnavailable),
		errors.Is(err, accesslog.ErrUnavailable):
		return ErrUnavailable
	}
	return nil
}

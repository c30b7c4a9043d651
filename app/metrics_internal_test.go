package app

import (
	"errors"
	"fmt"
	"testing"

	"github.com/waymark-org/waymark/domain"
)

// Every error a command returns counts as one outcome of the fixed list, the domain's
// wrapped or bare.
func TestCommandOutcome(t *testing.T) {
	for err, want := range map[error]string{
		nil:                                    OutcomeOK,
		&ConflictError{Expected: 1, Actual: 2}: OutcomeConflict,
		fmt.Errorf("x: %w", ErrBadInput):       OutcomeBadInput,
		ErrCommandReused:                       OutcomeBadInput,
		domain.ErrInvalidInput:                 OutcomeBadInput,
		domain.ErrInvalidTransition:            OutcomeRejected,
		domain.ErrConsentRequired:              OutcomeRejected,
		ErrErased:                              OutcomeRejected,
		ErrForbidden:                           OutcomeForbidden,
		ErrNotFound:                            OutcomeNotFound,
		ErrUnauthenticated:                     OutcomeUnauthenticated,
		ErrNotCaughtUp:                         OutcomeUnavailable,
		errors.New("disk on fire"):             OutcomeError,
	} {
		if got := commandOutcome(appError(err)); got != want {
			t.Errorf("%v: %s, want %s", err, got, want)
		}
	}
}

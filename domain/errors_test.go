package domain

import (
	"errors"
	"testing"
)

func TestRuleError(t *testing.T) {
	e := error(&RuleError{Err: ErrInvalidInput, Field: "survivor.fullName", Reason: "the survivor's full name is required"})
	if e.Error() != "survivor.fullName: the survivor's full name is required" {
		t.Errorf("Error() = %q", e.Error())
	}
	if !errors.Is(e, ErrInvalidInput) || errors.Is(e, ErrInvalidTransition) {
		t.Errorf("errors.Is must follow Err")
	}
	if got := (&RuleError{Err: ErrCaseNotFound}).Error(); got != "case not found" {
		t.Errorf("a RuleError without detail falls back to its sentinel, got %q", got)
	}
	if errors.Is(consentRequired("x"), ErrInvalidTransition) {
		t.Errorf("ErrConsentRequired is its own sentinel")
	}
	if mutationName("RequestIDDocument") != "requestIDDocument" || mutationName("") != "" {
		t.Errorf("mutationName")
	}
}

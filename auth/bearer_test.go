package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestBearerToken(t *testing.T) {
	t.Parallel()
	const tok = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1In0.c2ln"
	for _, h := range []string{"Bearer " + tok, "bearer " + tok, "BEARER  " + tok + " ", "  Bearer " + tok} {
		got, err := BearerToken(h)
		if err != nil || got != tok {
			t.Errorf("BearerToken(%q) = %q, %v", h, got, err)
		}
	}
	for _, h := range []string{"", "   ", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", tok, "Bearer a b", "Token " + tok, "X-Dev-User alice"} {
		got, err := BearerToken(h)
		if !errors.Is(err, ErrMissingToken) || !errors.Is(err, ErrInvalidToken) {
			t.Errorf("BearerToken(%q) err = %v, want ErrMissingToken", h, err)
		}
		if got != "" {
			t.Errorf("BearerToken(%q) returned %q with an error", h, got)
		}
		for _, secret := range []string{tok, "dXNlcjpwYXNz", "alice"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q carries the header's credentials", err)
			}
		}
	}
}

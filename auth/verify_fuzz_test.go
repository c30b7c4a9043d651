package auth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzVerify feeds Verify mutations of a valid token and of hand-made strings. It
// must never panic, every refusal must match ErrInvalidToken (the API maps that to
// UNAUTHENTICATED, never INTERNAL), and whatever it accepts must carry exactly the
// claims that were signed: no change to a token's bytes may smuggle in another
// subject, organisation, role or lifetime.
func FuzzVerify(f *testing.F) {
	key, err := GenerateSigningKey("fuzz-key")
	if err != nil {
		f.Fatal(err)
	}
	token, signed, err := newIssuer(key).Issue("user-1", "org-1", "caseworker", time.Hour, t0)
	if err != nil {
		f.Fatal(err)
	}
	v := newVerifier(t0.Add(time.Minute), key.Public())

	f.Add(token)
	f.Add(token + "=")
	f.Add(strings.ToUpper(token))
	f.Add(strings.Replace(token, ".", "..", 1))
	header, _, _ := strings.Cut(token, ".")
	f.Add(header + ".e30.")                                            // {} unsigned
	f.Add("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4In0.")      // alg none
	f.Add("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.AAAA") // HMAC
	f.Add("")
	f.Add("...")
	f.Add("\x00\xff")

	f.Fuzz(func(t *testing.T, s string) {
		got, err := v.Verify(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("refusal %v does not match ErrInvalidToken", err)
			}
			return
		}
		if got != signed {
			t.Fatalf("accepted %q with claims %+v; only %+v were signed", s, got, signed)
		}
	})
}

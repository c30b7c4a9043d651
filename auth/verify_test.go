package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// tamper decodes a token's payload, lets edit change it, and re-encodes it
// keeping the original header and signature.
func tamper(t *testing.T, token string, edit func(map[string]any)) string {
	t.Helper()
	parts := strings.Split(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var payload map[string]any
	if err := json.Unmarshal(raw, &payload); err != nil {
		t.Fatal(err)
	}
	edit(payload)
	raw, err = json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	parts[1] = base64.RawURLEncoding.EncodeToString(raw)
	return strings.Join(parts, ".")
}

func TestVerifyRefuses(t *testing.T) {
	t.Parallel()
	k1 := newKey(t, "k1")
	impostor := newKey(t, "k1") // another key under the same id
	stranger := newKey(t, "k9") // a key the verifier does not know
	verifier := newVerifier(t0, k1.Public())
	valid, _ := issue(t, newIssuer(k1), "org-1", "caseworker", time.Hour, t0.Add(-10*time.Minute))

	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	withWire := func(edit func(*wireClaims)) wireClaims {
		w := validWire()
		edit(&w)
		return w
	}

	tests := []struct {
		name  string
		token string
		now   time.Time
		want  error
	}{
		{"empty", "", t0, ErrMissingToken},
		{"not a JWT", "not-a-token", t0, ErrMalformedToken},
		{"bad base64", "a.b.c", t0, ErrMalformedToken},
		{"expired", valid, t0.Add(50 * time.Minute), ErrExpiredToken},
		{"expired long ago", valid, t0.Add(30 * 24 * time.Hour), ErrExpiredToken},
		{"not yet valid", valid, t0.Add(-11 * time.Minute), ErrInvalidClaims},
		{"wrong issuer", issueWith(t, Issuer{Key: k1, Issuer: "someone-else", Audience: testAudience}), t0, ErrWrongIssuer},
		{"wrong audience", issueWith(t, Issuer{Key: k1, Issuer: testIssuer, Audience: "other-api"}), t0, ErrWrongAudience},
		{"wrong key, same kid", issueWith(t, newIssuer(impostor)), t0, ErrBadSignature},
		{"unknown kid", issueWith(t, newIssuer(stranger)), t0, ErrUnknownKey},
		{"no kid", sign(t, jwt.SigningMethodEdDSA, k1.Private, "", validWire()), t0, ErrUnknownKey},
		{"tampered role", tamper(t, valid, func(p map[string]any) { p["role"] = "admin" }), t0, ErrBadSignature},
		{"tampered org", tamper(t, valid, func(p map[string]any) { p["org"] = "org-2" }), t0, ErrBadSignature},
		{"tampered exp", tamper(t, valid, func(p map[string]any) { p["exp"] = t0.Add(1000 * time.Hour).Unix() }), t0.Add(2 * time.Hour), ErrBadSignature},
		{"signature stripped", strings.Join(strings.Split(valid, ".")[:2], ".") + ".", t0, ErrBadSignature},
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "k1", validWire()), t0, ErrBadSignature},
		{"HS256 with the public key as secret", sign(t, jwt.SigningMethodHS256, []byte(k1.Public().Public), "k1", validWire()), t0, ErrBadSignature},
		{"RS256", sign(t, jwt.SigningMethodRS256, rsaKey, "k1", validWire()), t0, ErrBadSignature},
		{"missing role", sign(t, jwt.SigningMethodEdDSA, k1.Private, "k1", withWire(func(w *wireClaims) { w.Role = "" })), t0, ErrInvalidClaims},
		{"missing subject", sign(t, jwt.SigningMethodEdDSA, k1.Private, "k1", withWire(func(w *wireClaims) { w.Subject = "" })), t0, ErrInvalidClaims},
		{"missing org for caseworker", sign(t, jwt.SigningMethodEdDSA, k1.Private, "k1", withWire(func(w *wireClaims) { w.Organisation = "" })), t0, ErrInvalidClaims},
		{"missing exp", sign(t, jwt.SigningMethodEdDSA, k1.Private, "k1", withWire(func(w *wireClaims) { w.ExpiresAt = nil })), t0, ErrInvalidClaims},
		{"missing iss", sign(t, jwt.SigningMethodEdDSA, k1.Private, "k1", withWire(func(w *wireClaims) { w.Issuer = "" })), t0, ErrInvalidClaims},
		{"missing aud", sign(t, jwt.SigningMethodEdDSA, k1.Private, "k1", withWire(func(w *wireClaims) { w.Audience = nil })), t0, ErrInvalidClaims},
		{"issued in the future", sign(t, jwt.SigningMethodEdDSA, k1.Private, "k1", withWire(func(w *wireClaims) { w.NotBefore = nil; w.IssuedAt = jwt.NewNumericDate(t0.Add(time.Minute)) })), t0, ErrInvalidClaims},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := verifier
			v.Now = fixedClock(tt.now)
			c, err := v.Verify(tt.token)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !errors.Is(err, ErrInvalidToken) {
				t.Errorf("err %v does not match ErrInvalidToken", err)
			}
			if c != (Claims{}) {
				t.Errorf("claims returned with error: %+v", c)
			}
			if tt.token != "" && strings.Contains(err.Error(), tt.token) {
				t.Errorf("error message carries the token: %v", err)
			}
			if parts := strings.Split(tt.token, "."); len(parts) == 3 && len(parts[2]) > 8 && strings.Contains(err.Error(), parts[2]) {
				t.Errorf("error message carries the signature: %v", err)
			}
		})
	}
}

func issueWith(t *testing.T, i Issuer) string {
	t.Helper()
	tok, _ := issue(t, i, "org-1", "caseworker", time.Hour, t0)
	return tok
}

func TestVerifyExpiryBoundaryAndLeeway(t *testing.T) {
	t.Parallel()
	k := newKey(t, "k1")
	tok, c := issue(t, newIssuer(k), "org-1", "caseworker", time.Hour, t0)

	v := newVerifier(c.ExpiresAt.Add(-time.Second), k.Public())
	if _, err := v.Verify(tok); err != nil {
		t.Fatalf("one second before exp: %v", err)
	}
	v.Now = fixedClock(c.ExpiresAt)
	if _, err := v.Verify(tok); !errors.Is(err, ErrExpiredToken) {
		t.Fatalf("at exp: err = %v, want ErrExpiredToken", err)
	}
	v.Leeway = time.Minute
	if _, err := v.Verify(tok); err != nil {
		t.Fatalf("at exp with a minute's leeway: %v", err)
	}
	v.Now = fixedClock(t0.Add(-30 * time.Second))
	if _, err := v.Verify(tok); err != nil {
		t.Fatalf("30s before nbf with a minute's leeway: %v", err)
	}
	v.Now = fixedClock(c.ExpiresAt.Add(time.Minute))
	if _, err := v.Verify(tok); !errors.Is(err, ErrExpiredToken) {
		t.Fatalf("past exp+leeway: err = %v, want ErrExpiredToken", err)
	}
}

func TestVerifyPicksKeyByKid(t *testing.T) {
	t.Parallel()
	old, current := newKey(t, "2026-01"), newKey(t, "2026-03")
	v := newVerifier(t0, old.Public(), current.Public())
	for _, k := range []SigningKey{old, current} {
		tok, _ := issue(t, newIssuer(k), "org-1", "bank", time.Hour, t0)
		c, err := v.Verify(tok)
		if err != nil {
			t.Fatalf("token of %s: %v", k.ID, err)
		}
		if c.KeyID != k.ID {
			t.Errorf("KeyID = %q, want %q", c.KeyID, k.ID)
		}
	}
	// A token naming one key but signed by the other is refused, not retried with
	// every key.
	forged := sign(t, jwt.SigningMethodEdDSA, old.Private, current.ID, validWire())
	if _, err := v.Verify(forged); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("kid of one key, signature of the other: err = %v, want ErrBadSignature", err)
	}
}

func TestVerifyUnconfiguredFailsClosed(t *testing.T) {
	t.Parallel()
	k := newKey(t, "k1")
	tok, _ := issue(t, newIssuer(k), "org-1", "caseworker", time.Hour, t0)
	for name, v := range map[string]Verifier{
		"no issuer":   {Keys: []VerifyingKey{k.Public()}, Audience: testAudience, Now: fixedClock(t0)},
		"no audience": {Keys: []VerifyingKey{k.Public()}, Issuer: testIssuer, Now: fixedClock(t0)},
	} {
		if _, err := v.Verify(tok); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("%s: err = %v, want ErrInvalidRequest", name, err)
		}
	}
	noKeys := newVerifier(t0)
	if _, err := noKeys.Verify(tok); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("no keys: err = %v, want ErrUnknownKey", err)
	}
}

func TestVerifyConcurrently(t *testing.T) {
	t.Parallel()
	k := newKey(t, "k1")
	v := newVerifier(t0, k.Public())
	tok, want := issue(t, newIssuer(k), "org-1", "caseworker", time.Hour, t0)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 50 {
				if c, err := v.Verify(tok); err != nil || c != want {
					t.Errorf("Verify = %+v, %v", c, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestSentinelsAreInvalidToken(t *testing.T) {
	t.Parallel()
	for _, e := range []error{
		ErrMissingToken, ErrMalformedToken, ErrExpiredToken, ErrBadSignature,
		ErrUnknownKey, ErrWrongIssuer, ErrWrongAudience, ErrInvalidClaims, ErrLifetimeTooLong,
	} {
		if !errors.Is(e, ErrInvalidToken) {
			t.Errorf("%v is not an ErrInvalidToken", e)
		}
		for _, other := range []error{ErrExpiredToken, ErrBadSignature} {
			if e != other && errors.Is(e, other) {
				t.Errorf("%v matches %v", e, other)
			}
		}
	}
}

// A token that lives longer than the maximum (exp − iat) is refused however valid its
// signature: one expiring in 9999 is not a credential.
func TestVerifyMaxLifetime(t *testing.T) {
	t.Parallel()
	k := newKey(t, "k1")
	signed := func(edit func(*wireClaims)) string {
		w := validWire()
		edit(&w)
		return sign(t, jwt.SigningMethodEdDSA, k.Private, "k1", w)
	}
	lives := func(d time.Duration) string {
		return signed(func(w *wireClaims) { w.ExpiresAt = jwt.NewNumericDate(t0.Add(d)) })
	}
	year9999 := signed(func(w *wireClaims) {
		w.ExpiresAt = jwt.NewNumericDate(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC))
	})
	// Issued an hour ago for 12h30m: 11h30m left, but it lives longer than 12h.
	backdated := signed(func(w *wireClaims) {
		w.IssuedAt, w.NotBefore = jwt.NewNumericDate(t0.Add(-time.Hour)), jwt.NewNumericDate(t0.Add(-time.Hour))
		w.ExpiresAt = jwt.NewNumericDate(t0.Add(11*time.Hour + 30*time.Minute))
	})
	noIAT := signed(func(w *wireClaims) { w.IssuedAt = nil })

	tests := []struct {
		name  string
		token string
		max   time.Duration
		want  error // nil: accepted
	}{
		{"12h with the default", lives(12 * time.Hour), 0, nil},
		{"12h and a second with the default", lives(12*time.Hour + time.Second), 0, ErrLifetimeTooLong},
		{"expires in 9999", year9999, 0, ErrLifetimeTooLong},
		{"expires in 9999, a month allowed", year9999, MaxTTL, ErrLifetimeTooLong},
		{"backdated", backdated, 0, ErrLifetimeTooLong},
		{"1h with a 1h maximum", lives(time.Hour), time.Hour, nil},
		{"2h with a 1h maximum", lives(2 * time.Hour), time.Hour, ErrLifetimeTooLong},
		{"24h with a 24h maximum", lives(24 * time.Hour), 24 * time.Hour, nil},
		{"no iat", noIAT, 0, ErrInvalidClaims},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := newVerifier(t0, k.Public())
			v.MaxLifetime = tt.max
			c, err := v.Verify(tt.token)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) || !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if c != (Claims{}) {
				t.Errorf("claims returned with error: %+v", c)
			}
		})
	}
	// Issue's own tokens within the maximum pass.
	tok, _ := issue(t, newIssuer(k), "org-1", "caseworker", DefaultMaxLifetime, t0.Add(500*time.Millisecond))
	if _, err := newVerifier(t0.Add(time.Hour), k.Public()).Verify(tok); err != nil {
		t.Errorf("an issued 12h token: %v", err)
	}
}

// iat a little in the future is clock skew, within the leeway; beyond it, refused.
func TestVerifyIssuedInTheFuture(t *testing.T) {
	t.Parallel()
	k := newKey(t, "k1")
	at := func(d time.Duration) string {
		w := validWire()
		w.NotBefore = nil
		w.IssuedAt = jwt.NewNumericDate(t0.Add(d))
		w.ExpiresAt = jwt.NewNumericDate(t0.Add(d + time.Hour))
		return sign(t, jwt.SigningMethodEdDSA, k.Private, "k1", w)
	}
	v := newVerifier(t0, k.Public())
	v.Leeway = 30 * time.Second
	if _, err := v.Verify(at(20 * time.Second)); err != nil {
		t.Errorf("iat 20s ahead with 30s leeway: %v", err)
	}
	if _, err := v.Verify(at(2 * time.Minute)); !errors.Is(err, ErrInvalidClaims) {
		t.Errorf("iat 2m ahead with 30s leeway: %v, want ErrInvalidClaims", err)
	}
}

func TestVerifyNegativeMaxLifetimeFailsClosed(t *testing.T) {
	t.Parallel()
	k := newKey(t, "k1")
	tok, _ := issue(t, newIssuer(k), "org-1", "caseworker", time.Hour, t0)
	v := newVerifier(t0, k.Public())
	v.MaxLifetime = -time.Hour
	if _, err := v.Verify(tok); !errors.Is(err, ErrInvalidRequest) {
		t.Fatalf("err = %v, want ErrInvalidRequest", err)
	}
}

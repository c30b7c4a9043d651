package auth

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// countingVerifier counts the verifications that reach it.
type countingVerifier struct {
	inner TokenVerifier
	mu    sync.Mutex
	calls int
}

func (c *countingVerifier) Verify(token string) (Claims, error) {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	return c.inner.Verify(token)
}

func (c *countingVerifier) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

func TestVerifyCacheChecksEachTokenOnceUntilItExpires(t *testing.T) {
	t.Parallel()
	k := newKey(t, "k1")
	now := t0
	clock := func() time.Time { return now }
	inner := &countingVerifier{inner: Verifier{Keys: []VerifyingKey{k.Public()}, Issuer: testIssuer, Audience: testAudience, Now: clock}}
	cache := NewVerifyCache(inner, 0, clock)
	token, want := issue(t, newIssuer(k), "org-1", "caseworker", time.Hour, t0)

	for range 5 {
		got, err := cache.Verify(token)
		if err != nil || got != want {
			t.Fatalf("Verify = %+v, %v; want %+v", got, err, want)
		}
	}
	if inner.count() != 1 {
		t.Errorf("5 requests with one token cost %d verifications, want 1", inner.count())
	}

	// Past its expiry the token is verified again, and refused.
	now = t0.Add(time.Hour + time.Minute)
	if _, err := cache.Verify(token); !errors.Is(err, ErrExpiredToken) {
		t.Fatalf("expired token: %v, want ErrExpiredToken", err)
	}
	if cache.Len() != 0 {
		t.Errorf("an expired token is still remembered")
	}
}

func TestVerifyCacheNeverRemembersARefusal(t *testing.T) {
	t.Parallel()
	k, stranger := newKey(t, "k1"), newKey(t, "k9")
	inner := &countingVerifier{inner: newVerifier(t0, k.Public())}
	cache := NewVerifyCache(inner, 0, fixedClock(t0))
	forged, _ := issue(t, newIssuer(stranger), "org-1", "caseworker", time.Hour, t0)
	for i := range 3 {
		if _, err := cache.Verify(forged); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("forged token, try %d: %v", i, err)
		}
	}
	if inner.count() != 3 || cache.Len() != 0 {
		t.Errorf("a refused token: %d verifications for 3 requests, %d remembered; want 3 and 0", inner.count(), cache.Len())
	}
	// A token tampered with after signing is not the cached one: it is verified, and refused.
	token, _ := issue(t, newIssuer(k), "org-1", "caseworker", time.Hour, t0)
	if _, err := cache.Verify(token); err != nil {
		t.Fatal(err)
	}
	admin := tamper(t, token, func(p map[string]any) { p["role"] = "admin" })
	if _, err := cache.Verify(admin); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered token: %v, want ErrBadSignature", err)
	}
}

func TestVerifyCacheStaysWithinItsBound(t *testing.T) {
	t.Parallel()
	k := newKey(t, "k1")
	cache := NewVerifyCache(newVerifier(t0, k.Public()), 8, fixedClock(t0))
	var wg sync.WaitGroup
	for i := range 50 {
		token, want := issue(t, newIssuer(k), fmt.Sprint("org-", i), "caseworker", time.Hour, t0)
		wg.Go(func() {
			if got, err := cache.Verify(token); err != nil || got != want {
				t.Errorf("token %d: %+v, %v", i, got, err)
			}
		})
	}
	wg.Wait()
	if n := cache.Len(); n > 8 || n == 0 {
		t.Errorf("cache holds %d tokens, want 1 to 8", n)
	}
}

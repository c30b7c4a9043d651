package auth

import (
	"sync"
	"time"
)

// TokenVerifier is what checks a bearer token: Verifier, or a VerifyCache over one.
type TokenVerifier interface {
	Verify(token string) (Claims, error)
}

// VerifyCache remembers the claims of tokens it has verified until they expire, so
// that a client sending the same token with every request pays for one signature
// check (an Ed25519 verification is most of a request's authentication cost), not
// one a request. Only tokens the inner verifier accepted are remembered — a refused
// token is checked again every time — so filling the cache takes validly signed
// tokens. What must be decided per request (the organisation still active, the
// token not revoked) is not the verifier's and stays per request.
//
// The inner verifier's keys must not change while the cache is in use (a server
// reads its verifying keys once, at start).
type VerifyCache struct {
	inner TokenVerifier
	now   func() time.Time
	max   int

	mu      sync.RWMutex
	entries map[string]Claims
}

// DefaultVerifyCacheSize bounds a VerifyCache: tokens of that many sessions at once,
// a few MB.
const DefaultVerifyCacheSize = 10_000

// NewVerifyCache returns a cache over inner holding at most size tokens (0:
// DefaultVerifyCacheSize); now is the clock expiry is judged by (nil: time.Now).
func NewVerifyCache(inner TokenVerifier, size int, now func() time.Time) *VerifyCache {
	if size <= 0 {
		size = DefaultVerifyCacheSize
	}
	if now == nil {
		now = time.Now
	}
	return &VerifyCache{inner: inner, now: now, max: size, entries: make(map[string]Claims)}
}

// Verify returns the remembered claims of a token verified before and not yet
// expired, or verifies it.
func (c *VerifyCache) Verify(token string) (Claims, error) {
	c.mu.RLock()
	claims, ok := c.entries[token]
	c.mu.RUnlock()
	now := c.now()
	if ok && now.Before(claims.ExpiresAt) {
		return claims, nil
	}
	claims, err := c.inner.Verify(token)
	if err != nil {
		if ok {
			c.forget(token)
		}
		return Claims{}, err
	}
	c.remember(token, claims, now)
	return claims, nil
}

// remember adds a verified token. A full cache first drops the expired tokens and,
// if it is still full, everything: the tokens in use come back with their next
// request, at one signature check each.
func (c *VerifyCache) remember(token string, claims Claims, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		for t, cl := range c.entries {
			if !now.Before(cl.ExpiresAt) {
				delete(c.entries, t)
			}
		}
		if len(c.entries) >= c.max {
			clear(c.entries)
		}
	}
	c.entries[token] = claims
}

func (c *VerifyCache) forget(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, token)
}

// Len is the number of tokens remembered (tests).
func (c *VerifyCache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}

// Cached returns a VerifyCache over v that judges expiry by v's own clock.
func (v Verifier) Cached(size int) *VerifyCache { return NewVerifyCache(v, size, v.Now) }

package projections

import (
	"sync"
	"time"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// Revocations is the read model of revoked access tokens, checked on every request:
// tokens revoked by id, and users whose tokens issued up to a moment were revoked.
type Revocations struct {
	mu       sync.RWMutex
	tokens   map[string]time.Time // token id → when it was revoked
	subjects map[string]time.Time // subject → tokens issued up to then are revoked
}

// NewRevocations returns an empty read model.
func NewRevocations() *Revocations {
	return &Revocations{tokens: map[string]time.Time{}, subjects: map[string]time.Time{}}
}

// Apply records a revocation.
func (r *Revocations) Apply(env Envelope) error {
	if kind, _, _ := eventstore.SplitStreamName(env.Record.Stream); kind != eventstore.KindRevocation {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch e := env.Event.(type) {
	case domain.TokenRevoked:
		r.tokens[e.TokenID] = e.At
	case domain.SubjectRevoked:
		if e.At.After(r.subjects[e.Subject]) {
			r.subjects[e.Subject] = e.At
		}
	}
	return nil
}

// Revoked reports whether a token (its id, its subject, when it was issued) was
// revoked. A subject's revocation covers the tokens issued up to it, to the second
// (token times have whole seconds).
func (r *Revocations) Revoked(tokenID, subject string, issuedAt time.Time) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if _, ok := r.tokens[tokenID]; ok && tokenID != "" {
		return true
	}
	at, ok := r.subjects[subject]
	return ok && !issuedAt.After(at.Truncate(time.Second))
}

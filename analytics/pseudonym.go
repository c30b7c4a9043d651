package analytics

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// PseudonymPrefix starts every pseudonym, so one is never mistaken for a case id.
const PseudonymPrefix = "p-"

// MinKeyLen is the shortest analytics key accepted: 32 bytes, the HMAC-SHA256 block's
// worth of secret, so a pseudonym cannot be reversed by trying every case id.
const MinKeyLen = 32

// ErrKey is an analytics key that is missing or too short.
var ErrKey = errors.New("analytics key too short")

// Pseudonymizer turns case ids into the pseudonyms the analytics feed publishes. Its
// key is the analytics key, kept apart from every sealing key: rotating it gives every
// case a new pseudonym (so the feed must be purged and republished), and knowing it
// never opens personal data.
type Pseudonymizer struct {
	Key []byte
}

// NewPseudonymizer checks the key's length; a Pseudonymizer with a short key maps no
// event (Map reports false).
func NewPseudonymizer(key []byte) (Pseudonymizer, error) {
	if len(key) < MinKeyLen {
		return Pseudonymizer{}, fmt.Errorf("%w: %d bytes, need at least %d", ErrKey, len(key), MinKeyLen)
	}
	return Pseudonymizer{Key: key}, nil
}

func (p Pseudonymizer) valid() bool { return len(p.Key) >= MinKeyLen }

// EventIDPrefix starts every published event id.
const EventIDPrefix = "e-"

// EventID is the id a stored event is published under: "e-" and the lowercase hex of
// HMAC-SHA256(key, "event:" + eventID). The stored id cannot be published as it is: a
// UUIDv7 holds its creation time to the millisecond, which the feed never gives. Being
// deterministic, it still serves as the JetStream message id for de-duplication.
func (p Pseudonymizer) EventID(eventID string) string {
	m := hmac.New(sha256.New, p.Key)
	m.Write([]byte("event:" + eventID))
	return EventIDPrefix + hex.EncodeToString(m.Sum(nil))
}

// Pseudonym is "p-" and the lowercase hex of HMAC-SHA256(key, caseID): stable for a
// case (a transferred case keeps it), and a valid NATS subject token.
func (p Pseudonymizer) Pseudonym(caseID string) string {
	m := hmac.New(sha256.New, p.Key)
	m.Write([]byte(caseID))
	return PseudonymPrefix + hex.EncodeToString(m.Sum(nil))
}

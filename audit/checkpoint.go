package audit

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Checkpoint is a signed statement of what the history was at one moment: the running
// hash of the global log up to Position, the head of every stream that changed since
// the previous checkpoint, and the running hash of the access log up to its sequence
// AccessSeq. Each names the hash of the one before it (Previous), so checkpoints
// cannot be dropped from the middle of a file unnoticed either.
type Checkpoint struct {
	Sequence   uint64          `json:"sequence"` // 1 for the first
	At         time.Time       `json:"at"`
	Position   string          `json:"position"` // the last global-log position covered ("" for an empty log)
	Events     uint64          `json:"events"`   // how many events the global log holds up to Position
	LogHash    string          `json:"logHash"`  // the running hash over them (LogHash)
	Heads      map[string]Head `json:"heads"`    // the streams changed since the previous checkpoint
	AccessSeq  uint64          `json:"accessSeq"`
	AccessHash string          `json:"accessHash"` // the running hash over the access log up to AccessSeq
	Previous   string          `json:"previous"`   // Hash of the previous checkpoint; "" for the first
	KeyID      string          `json:"keyId"`      // informative: verification trusts only a pinned key
	Signature  string          `json:"signature,omitempty"`
}

// ErrSignature is a checkpoint whose signature the pinned key does not verify: made
// with another key, or changed after it was signed.
var ErrSignature = errors.New("checkpoint signature does not verify with the pinned audit key")

// signed returns the bytes the signature covers: the checkpoint without it (JSON, map
// keys sorted, so the same checkpoint always gives the same bytes).
func (c Checkpoint) signed() []byte {
	c.Signature = ""
	b, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("audit: a checkpoint always encodes: %v", err))
	}
	return b
}

// Hash identifies a signed checkpoint; the next one names it as Previous.
func (c Checkpoint) Hash() string {
	sum := sha256.Sum256(append(c.signed(), []byte(c.Signature)...))
	return hex.EncodeToString(sum[:])
}

// Sign signs c with key under keyID.
func Sign(c Checkpoint, keyID string, key ed25519.PrivateKey) Checkpoint {
	c.KeyID = keyID
	c.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, c.signed()))
	return c
}

// CheckSignature verifies c with the pinned public key.
func CheckSignature(c Checkpoint, pinned ed25519.PublicKey) error {
	sig, err := base64.StdEncoding.DecodeString(c.Signature)
	if err != nil || len(pinned) != ed25519.PublicKeySize || !ed25519.Verify(pinned, c.signed(), sig) {
		return fmt.Errorf("checkpoint %d (key %q): %w", c.Sequence, c.KeyID, ErrSignature)
	}
	return nil
}

// CheckSequence verifies a run of checkpoints, oldest first, with the pinned key:
// each signed, numbered one after the other, naming the one before it.
func CheckSequence(cps []Checkpoint, pinned ed25519.PublicKey) error {
	for i, c := range cps {
		if err := CheckSignature(c, pinned); err != nil {
			return err
		}
		if i == 0 {
			continue
		}
		if prev := cps[i-1]; c.Sequence != prev.Sequence+1 || c.Previous != prev.Hash() {
			return &Break{Stream: CheckpointStream, Revision: c.Sequence - 1, Problem: "checkpoints are missing or out of order",
				Expected: fmt.Sprintf("checkpoint %d after %s", prev.Sequence+1, prev.Hash()), Found: fmt.Sprintf("checkpoint %d after %s", c.Sequence, orNone(c.Previous))}
		}
	}
	return nil
}

// NextLogHash extends the running hash of the global log by one event's hash.
func NextLogHash(prev, eventHash string) string {
	sum := sha256.Sum256([]byte(prev + "\n" + eventHash))
	return hex.EncodeToString(sum[:])
}

// NextAccessHash extends the running hash of the access log by one stored entry (its
// sequence and its bytes): a removed entry leaves a gap the hash shows.
func NextAccessHash(prev string, seq uint64, data []byte) string {
	entry := sha256.Sum256(data)
	sum := sha256.Sum256([]byte(prev + "\n" + strconv.FormatUint(seq, 10) + "\n" + hex.EncodeToString(entry[:])))
	return hex.EncodeToString(sum[:])
}

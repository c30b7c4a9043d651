package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-org/waymark/eventstore"
)

// Signer makes checkpoints: it reads what changed since the last one and signs it with
// the audit key. It is the only holder of that key in the process.
type Signer struct {
	Store     eventstore.Store
	AccessLog AccessLog // nil: the access log is not covered (tests of the event log alone)
	KeyID     string
	Key       ed25519.PrivateKey
	Now       func() time.Time
}

// Checkpoint makes, signs and stores the next checkpoint: the heads of the streams
// changed since the previous one and the running hashes carried on from it. With
// nothing new since the previous one it makes none and returns that one (made false).
// Two signers at once (replicas) cannot both store theirs: the append expects the
// checkpoint stream's revision it read.
func (s *Signer) Checkpoint(ctx context.Context) (c Checkpoint, made bool, err error) {
	stored, err := StoredCheckpoints(ctx, s.Store)
	if err != nil {
		return Checkpoint{}, false, err
	}
	next := Checkpoint{Sequence: 1, Heads: map[string]Head{}}
	from := eventstore.Start
	if n := len(stored); n > 0 {
		prev := stored[n-1]
		next = Checkpoint{Sequence: prev.Sequence + 1, Position: prev.Position, Events: prev.Events, LogHash: prev.LogHash,
			AccessSeq: prev.AccessSeq, AccessHash: prev.AccessHash, Previous: prev.Hash(), Heads: map[string]Head{}}
		if from, err = eventstore.ParsePosition(prev.Position); err != nil {
			return Checkpoint{}, false, fmt.Errorf("checkpoint %d: %w", prev.Sequence, err)
		}
	}
	err = readLog(ctx, s.Store, from, func(rec eventstore.RecordedEvent) error {
		next.Events++
		next.LogHash = NextLogHash(next.LogHash, rec.Metadata.Hash)
		next.Position = rec.Position.String()
		next.Heads[rec.Stream] = Head{Revision: rec.Revision, Hash: rec.Metadata.Hash}
		return nil
	})
	if err != nil {
		return Checkpoint{}, false, err
	}
	if s.AccessLog != nil {
		err := s.AccessLog.ScanAccess(ctx, next.AccessSeq, func(seq uint64, data []byte) error {
			next.AccessSeq, next.AccessHash = seq, NextAccessHash(next.AccessHash, seq, data)
			return nil
		})
		if err != nil {
			return Checkpoint{}, false, fmt.Errorf("checkpoint the access log: %w", err)
		}
	}
	// Nothing new but the previous checkpoint itself: none is needed (the next one
	// covers it).
	_, own := next.Heads[CheckpointStream]
	if n := len(stored); n > 0 && len(next.Heads) == btoi(own) && next.AccessSeq == stored[n-1].AccessSeq {
		return stored[n-1], false, nil
	}
	next.At = s.Now().UTC()
	next = Sign(next, s.KeyID, s.Key)
	data, err := json.Marshal(next)
	if err != nil {
		return Checkpoint{}, false, err
	}
	expected := eventstore.NoStream
	if n := len(stored); n > 0 {
		expected = eventstore.Exact(uint64(n - 1))
	}
	_, err = s.Store.Append(ctx, CheckpointStream, expected, eventstore.EventData{
		ID: newID(), Type: CheckpointType, SchemaVersion: 1, Data: data,
		Metadata: eventstore.Metadata{Actor: "waymark", Role: "system", RecordedAt: next.At},
	})
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("store checkpoint %d: %w", next.Sequence, err)
	}
	return next, true, nil
}

// newID is a checkpoint event's id: a UUIDv7, like every event's.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-org/waymark/eventstore"
)

// Signer makes checkpoints: it reads what changed since the last one and signs it with
// the audit key. It is the only holder of that key in the process. Its methods may be
// called concurrently (a periodic checkpoint and one asked for): one runs at a time.
type Signer struct {
	Store     eventstore.Store
	AccessLog AccessLog // nil: the access log is not covered (tests of the event log alone)
	KeyID     string
	Key       ed25519.PrivateKey
	Now       func() time.Time
	// MaxHeadBytes bounds the heads one checkpoint names, by their encoded size (0:
	// DefaultMaxHeadBytes). A checkpoint is one event, and an event is at most the
	// store's largest message: when more streams changed since the previous
	// checkpoint than fit (the first checkpoint of a store with a long history), the
	// signer makes several, each covering the global log up to where its heads fit.
	MaxHeadBytes int

	mu sync.Mutex
	// last is the checkpoint this signer stored last, and lastRev its revision: the
	// next one starts from it without reading the whole checkpoint stream again. Should
	// another signer (a replica) have stored one since, the append expecting lastRev
	// fails, and the signer reads the stream and tries again.
	last    *Checkpoint
	lastRev uint64
}

// Checkpoint makes, signs and stores the next checkpoint: the heads of the streams
// changed since the previous one and the running hashes carried on from it. With
// nothing new since the previous one it makes none and returns that one (made false).
// Two signers at once (replicas) cannot both store theirs: the append expects the
// checkpoint stream's revision it read.
func (s *Signer) Checkpoint(ctx context.Context) (c Checkpoint, made bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		c, one, more, err := s.checkpoint(ctx)
		if errors.Is(err, eventstore.ErrWrongExpectedRevision) && s.last != nil {
			s.last = nil // another signer stored one: start from the stream as it is
			c, one, more, err = s.checkpoint(ctx)
		}
		made = made || one
		if err != nil || !more {
			return c, made, err
		}
	}
}

// DefaultMaxHeadBytes keeps a checkpoint's event well under the 1 MiB a NATS message
// holds by default (about 3,500 heads of case streams).
const DefaultMaxHeadBytes = 512 << 10

// errFull stops reading the log where a checkpoint's heads are full.
var errFull = errors.New("checkpoint full")

// previous is the last stored checkpoint and its revision (nil before the first).
func (s *Signer) previous(ctx context.Context) (*Checkpoint, uint64, error) {
	if s.last != nil {
		return s.last, s.lastRev, nil
	}
	stored, err := StoredCheckpoints(ctx, s.Store)
	if err != nil || len(stored) == 0 {
		return nil, 0, err
	}
	return &stored[len(stored)-1], uint64(len(stored) - 1), nil
}

// checkpoint makes the next checkpoint; more says it was full before the head of the
// log, so another must follow.
func (s *Signer) checkpoint(ctx context.Context) (c Checkpoint, made, more bool, err error) {
	last, lastRev, err := s.previous(ctx)
	if err != nil {
		return Checkpoint{}, false, false, err
	}
	budget := s.MaxHeadBytes
	if budget <= 0 {
		budget = DefaultMaxHeadBytes
	}
	next := Checkpoint{Sequence: 1, Heads: map[string]Head{}}
	from := eventstore.Start
	if last != nil {
		prev := *last
		next = Checkpoint{Sequence: prev.Sequence + 1, Position: prev.Position, Events: prev.Events, LogHash: prev.LogHash,
			AccessSeq: prev.AccessSeq, AccessHash: prev.AccessHash, Previous: prev.Hash(), Heads: map[string]Head{}}
		if from, err = eventstore.ParsePosition(prev.Position); err != nil {
			return Checkpoint{}, false, false, fmt.Errorf("checkpoint %d: %w", prev.Sequence, err)
		}
	}
	err = readLog(ctx, s.Store, from, func(rec eventstore.RecordedEvent) error {
		if _, seen := next.Heads[rec.Stream]; !seen {
			// About what the head adds to the encoded checkpoint.
			if budget -= len(rec.Stream) + len(rec.Metadata.Hash) + 48; budget < 0 && len(next.Heads) > 0 {
				return errFull
			}
		}
		next.Events++
		next.LogHash = NextLogHash(next.LogHash, rec.Metadata.Hash)
		next.Position = rec.Position.String()
		next.Heads[rec.Stream] = Head{Revision: rec.Revision, Hash: rec.Metadata.Hash}
		return nil
	})
	more = errors.Is(err, errFull)
	if err != nil && !more {
		return Checkpoint{}, false, false, err
	}
	// The access log goes into the last of a run of checkpoints (the others carry the
	// previous one's access hash on).
	if s.AccessLog != nil && !more {
		err := s.AccessLog.ScanAccess(ctx, next.AccessSeq, func(seq uint64, data []byte) error {
			next.AccessSeq, next.AccessHash = seq, NextAccessHash(next.AccessHash, seq, data)
			return nil
		})
		if err != nil {
			return Checkpoint{}, false, false, fmt.Errorf("checkpoint the access log: %w", err)
		}
	}
	// Nothing new but the previous checkpoint itself: none is needed (the next one
	// covers it).
	_, own := next.Heads[CheckpointStream]
	if last != nil && len(next.Heads) == btoi(own) && next.AccessSeq == last.AccessSeq {
		return *last, false, false, nil
	}
	next.At = s.Now().UTC()
	next = Sign(next, s.KeyID, s.Key)
	data, err := json.Marshal(next)
	if err != nil {
		return Checkpoint{}, false, false, err
	}
	expected := eventstore.NoStream
	if last != nil {
		expected = eventstore.Exact(lastRev)
	}
	res, err := s.Store.Append(ctx, CheckpointStream, expected, eventstore.EventData{
		ID: newID(), Type: CheckpointType, SchemaVersion: 1, Data: data,
		Metadata: eventstore.Metadata{Actor: "waymark", Role: "system", RecordedAt: next.At},
	})
	if err != nil {
		return Checkpoint{}, false, false, fmt.Errorf("store checkpoint %d: %w", next.Sequence, err)
	}
	s.last, s.lastRev = &next, res.LastRevision
	return next, true, more, nil
}

// newID is a checkpoint event's id: a UUIDv7, like every event's.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

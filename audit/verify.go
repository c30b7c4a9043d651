package audit

import (
	"context"
	"crypto/ed25519"
	"fmt"

	"github.com/waymark-org/waymark/eventstore"
)

// Report is what a verification went through.
type Report struct {
	Streams       int
	Events        uint64
	Checkpoints   int    // compared with the history
	AccessEntries uint64 // access-log entries recomputed (0 when not covered)
}

// VerifyAll recomputes every stream's chain and the running hashes of the global log
// and (when access is given) of the access log, and compares them with checkpoints
// (oldest first), which must all verify with the pinned key. The first broken link
// is returned as a *Break (errors.Is ErrBroken); a checkpoint made with another key
// is ErrSignature.
func VerifyAll(ctx context.Context, store eventstore.Store, access AccessLog, checkpoints []Checkpoint, pinned ed25519.PublicKey) (Report, error) {
	if err := CheckSequence(checkpoints, pinned); err != nil {
		return Report{}, err
	}
	var (
		r       Report
		chains  = map[string]*chain{}
		logHash string
		next    int // the next checkpoint to compare
	)
	// compare checks the checkpoint at the current point of the log.
	compare := func(c Checkpoint) error {
		for stream, want := range c.Heads {
			ch, ok := chains[stream]
			if !ok || ch.next <= want.Revision {
				found := "(none)"
				if ok {
					found = fmt.Sprintf("revision %d", ch.next-1)
				}
				return &Break{Stream: stream, Revision: want.Revision, Problem: fmt.Sprintf("events covered by checkpoint %d are missing", c.Sequence),
					Expected: fmt.Sprintf("revision %d", want.Revision), Found: found}
			}
			if got := ch.head(); got != want {
				return &Break{Stream: stream, Revision: want.Revision, Problem: fmt.Sprintf("differs from checkpoint %d", c.Sequence), Expected: want.Hash, Found: got.Hash}
			}
		}
		if logHash != c.LogHash || r.Events != c.Events {
			return &Break{Stream: "(global log)", Revision: c.Events, Problem: fmt.Sprintf("the running hash differs from checkpoint %d", c.Sequence), Expected: c.LogHash, Found: logHash}
		}
		r.Checkpoints++
		return nil
	}
	// Checkpoints of an empty log cover nothing.
	for next < len(checkpoints) && checkpoints[next].Position == "" {
		next++
		r.Checkpoints++
	}
	err := readLog(ctx, store, eventstore.Start, func(rec eventstore.RecordedEvent) error {
		ch, ok := chains[rec.Stream]
		if !ok {
			ch = &chain{}
			chains[rec.Stream] = ch
		}
		if b := ch.add(rec.Stream, rec); b != nil {
			return b
		}
		r.Events++
		logHash = NextLogHash(logHash, rec.Metadata.Hash)
		for next < len(checkpoints) {
			at, err := eventstore.ParsePosition(checkpoints[next].Position)
			if err != nil {
				return fmt.Errorf("checkpoint %d: %w", checkpoints[next].Sequence, err)
			}
			if rec.Position.Before(at) {
				break
			}
			if err := compare(checkpoints[next]); err != nil {
				return err
			}
			next++
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	if next < len(checkpoints) {
		c := checkpoints[next]
		return r, &Break{Stream: "(global log)", Revision: r.Events, Problem: fmt.Sprintf("the log ends before checkpoint %d", c.Sequence),
			Expected: fmt.Sprintf("%d events up to %s", c.Events, c.Position), Found: fmt.Sprintf("%d events", r.Events)}
	}
	r.Streams = len(chains)
	if access == nil {
		return r, nil
	}
	return r, verifyAccess(ctx, access, checkpoints, &r)
}

// verifyAccess recomputes the access log's running hash and compares it with each
// checkpoint's.
func verifyAccess(ctx context.Context, access AccessLog, checkpoints []Checkpoint, r *Report) error {
	var hash string
	var last uint64
	next := 0
	check := func() error {
		for next < len(checkpoints) && checkpoints[next].AccessSeq <= last {
			c := checkpoints[next]
			// Checked after every entry: a checkpoint's last entry seen is compared
			// exactly when it is read; one passed without being read was removed.
			if c.AccessSeq != 0 && (c.AccessSeq != last || c.AccessHash != hash) {
				return &Break{Stream: "(access log)", Revision: c.AccessSeq, Problem: fmt.Sprintf("the access log differs from checkpoint %d (an entry removed or changed)", c.Sequence),
					Expected: orNone(c.AccessHash), Found: orNone(hash)}
			}
			next++
		}
		return nil
	}
	if err := check(); err != nil {
		return err
	}
	err := access.ScanAccess(ctx, 0, func(seq uint64, data []byte) error {
		hash, last = NextAccessHash(hash, seq, data), seq
		r.AccessEntries++
		return check()
	})
	if err != nil {
		return err
	}
	if next < len(checkpoints) {
		c := checkpoints[next]
		return &Break{Stream: "(access log)", Revision: c.AccessSeq, Problem: fmt.Sprintf("the access log ends before checkpoint %d (entries removed)", c.Sequence),
			Expected: fmt.Sprintf("entries up to %d", c.AccessSeq), Found: fmt.Sprintf("entries up to %d", last)}
	}
	return nil
}

// VerifyStream checks one stream's chain and compares it with every checkpoint that
// lists it (which must verify with the pinned key): each named head must still be
// there, with its hash.
func VerifyStream(ctx context.Context, store eventstore.Store, stream string, checkpoints []Checkpoint, pinned ed25519.PublicKey) (head Head, covered int, err error) {
	if err := CheckSequence(checkpoints, pinned); err != nil {
		return Head{}, 0, err
	}
	events, err := store.ReadStream(ctx, stream, 0)
	if err != nil {
		return Head{}, 0, fmt.Errorf("read %s: %w", stream, err)
	}
	if head, err = CheckStream(stream, events); err != nil {
		return Head{}, 0, err
	}
	for _, c := range checkpoints {
		want, ok := c.Heads[stream]
		if !ok {
			continue
		}
		if want.Revision >= uint64(len(events)) {
			return Head{}, covered, &Break{Stream: stream, Revision: want.Revision, Problem: fmt.Sprintf("events covered by checkpoint %d are missing", c.Sequence),
				Expected: fmt.Sprintf("revision %d", want.Revision), Found: fmt.Sprintf("revision %d", head.Revision)}
		}
		if got := events[want.Revision].Metadata.Hash; got != want.Hash {
			return Head{}, covered, &Break{Stream: stream, Revision: want.Revision, Problem: fmt.Sprintf("differs from checkpoint %d", c.Sequence), Expected: want.Hash, Found: got}
		}
		covered++
	}
	return head, covered, nil
}

package jetstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/analytics"
)

// pseudonymPattern is a journey's pseudonym as the feed publishes it.
var pseudonymPattern = regexp.MustCompile(`^` + analytics.PseudonymPrefix + `[0-9a-f]{64}$`)

// errBadTombstone: a message on a tombstone subject that is not one. It is dropped
// from the follower's consumer (terminated), never retried.
var errBadTombstone = errors.New("not a tombstone")

// tombstoneRetry is how long a tombstone whose purge failed waits before it is
// delivered to the follower again.
const tombstoneRetry = 5 * time.Second

// tombstoneFollower makes the purges of the feed's stream follow into the analysts'
// copy, which sourcing does not do. The publisher purges a journey from the origin
// and then publishes its tombstone there; sourcing keeps the origin's order, so every
// message of that journey that reached the copy came before its tombstone. For each
// tombstone the follower purges the journey's subjects (analytics.PurgeFilter) from
// the copy, up to the tombstone's own sequence: a journey that comes back later (a
// new grant republishes it) keeps its new messages even when they were copied
// before the follower got to the tombstone. The tombstone itself stays, for
// consumers that must drop what they hold.
//
// Its durable consumer (TombstoneConsumer) is acknowledged only once the purge is
// done, so a tombstone received before a crash or a stop is purged after the next
// start; purging twice is harmless.
type tombstoneFollower struct {
	stream jetstream.Stream
	log    *slog.Logger
}

// consumer creates or updates the follower's durable consumer.
func (f *tombstoneFollower) consumer(ctx context.Context) (jetstream.Consumer, error) {
	c, err := f.stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       TombstoneConsumer,
		Description:   "Waymark: purges each tombstone's journey from the analysts' stream",
		FilterSubject: analytics.TombstoneSubjects,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       time.Minute,
		MaxAckPending: 1, // one at a time, in order
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("tombstone consumer: %w", err)
	}
	return c, nil
}

// run follows the tombstones until ctx ends.
func (f *tombstoneFollower) run(ctx context.Context, c jetstream.Consumer) {
	for ctx.Err() == nil {
		it, err := c.Messages(jetstream.PullMaxMessages(1))
		if err != nil {
			f.log.Error("tombstones: cannot read the consumer; retrying", "err", err)
			if !sleepCtx(ctx, tombstoneRetry) {
				return
			}
			continue
		}
		stop := context.AfterFunc(ctx, it.Stop)
		for {
			msg, err := it.Next()
			if err != nil {
				break // stopped, or the iterator failed: start a new one unless ctx ended
			}
			f.handle(ctx, msg)
		}
		stop()
		it.Stop()
	}
}

// handle purges one tombstone's journey and acknowledges it.
func (f *tombstoneFollower) handle(ctx context.Context, msg jetstream.Msg) {
	meta, err := msg.Metadata()
	if err != nil {
		f.log.Error("tombstones: a message without metadata", "err", err)
		return
	}
	pseudonym, err := tombstonePseudonym(msg.Data())
	if err != nil {
		// Never the payload in the log: only where it is.
		f.log.Error("tombstones: dropping a message that is not a tombstone", "seq", meta.Sequence.Stream, "subject", msg.Subject(), "err", err)
		_ = msg.Term()
		return
	}
	if err := f.purge(ctx, pseudonym, meta.Sequence.Stream); err != nil {
		f.log.Error("tombstones: purge failed; the tombstone will come again", "seq", meta.Sequence.Stream, "err", err)
		_ = msg.NakWithDelay(tombstoneRetry)
		return
	}
	if err := msg.DoubleAck(ctx); err != nil {
		// The purge is done; a redelivery purges nothing more.
		f.log.Warn("tombstones: acknowledgement not confirmed", "seq", meta.Sequence.Stream, "err", err)
		return
	}
	f.log.Debug("tombstone followed", "seq", meta.Sequence.Stream)
}

// purge removes the pseudonym's journey messages before sequence upTo.
func (f *tombstoneFollower) purge(ctx context.Context, pseudonym string, upTo uint64) error {
	return f.stream.Purge(ctx, jetstream.WithPurgeSubject(analytics.PurgeFilter(pseudonym)), jetstream.WithPurgeSequence(upTo))
}

// tombstonePseudonym is the pseudonym a tombstone names (its CloudEvents subject).
func tombstonePseudonym(data []byte) (string, error) {
	var ce struct {
		Subject string `json:"subject"`
	}
	if err := json.Unmarshal(data, &ce); err != nil {
		return "", fmt.Errorf("%w: %v", errBadTombstone, err)
	}
	if !pseudonymPattern.MatchString(ce.Subject) {
		return "", fmt.Errorf("%w: its subject is not a pseudonym", errBadTombstone)
	}
	return ce.Subject, nil
}

// sleepCtx waits d or until ctx ends; false when ctx ended.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

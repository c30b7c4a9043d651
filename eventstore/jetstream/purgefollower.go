package jetstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// pseudonymPattern is a journey's pseudonym as the feed publishes it.
var pseudonymPattern = regexp.MustCompile(`^` + pseudonymPrefix + `[0-9a-f]{64}$`)

// errBadTombstone: a message on a tombstone subject that is not one. It is left in
// the copy and passed over, never retried.
var errBadTombstone = errors.New("not a tombstone")

// purgeRetry is how long the follower waits before trying a failed purge again.
const purgeRetry = 5 * time.Second

// originIdentKey is the analysts' stream's metadata key holding the identity of the
// origin stream its messages come from (see purgeFollower).
const originIdentKey = "waymark.origin.ident"

// sourceHeader is the header in which a sourced message names where it comes from.
const sourceHeader = "Nats-Stream-Source"

// purgeFollower makes the purges of the feed's stream follow into the analysts' copy,
// which sourcing does not do. It reads every message of the copy, strictly in order
// (a purge's bound depends on it), through its durable consumer TombstoneConsumer,
// acknowledging each once its purge is done: a message received before a crash or a
// stop is handled again after the next start, and purging twice is harmless.
//
//   - A tombstone: the publisher publishes a journey's tombstone to the origin and
//     then purges the journey there; sourcing keeps the origin's order, so every
//     message of that journey that reached the copy came before its tombstone. The follower purges
//     the journey's subjects (journeyFilter) from the copy, up to the
//     tombstone's own sequence: a journey that comes back later (a new grant
//     republishes it) keeps its new messages even when they were copied before the
//     follower got to the tombstone. The tombstone itself stays, for consumers that
//     must drop what they hold.
//   - The first message of a new origin: republishing the feed (waymark republish, a
//     key rotation) deletes and recreates the origin, and sourcing then copies the new
//     stream from its start after the old one's messages, which no tombstone will
//     ever purge (their pseudonyms are gone). Each copied message names the origin's
//     identity (the last field of its Nats-Stream-Source header); when it changes, the
//     follower purges everything before that message, so the copy holds the new feed
//     only, and records the new identity in the stream's metadata (originIdentKey).
type purgeFollower struct {
	js     jetstream.JetStream // AnalyticsAccount's
	stream jetstream.Stream
	log    *slog.Logger
	ident  string // the origin's identity, as recorded
}

// consumer makes the follower's durable consumer, starting after the last message
// it acknowledged: made anew at every start (and after a failure), so that nothing
// delivered before and left unacknowledged can come back after later messages.
// Acknowledgements are cumulative (AckAll), sent after a message is handled.
func (f *purgeFollower) consumer(ctx context.Context) (jetstream.Consumer, error) {
	start := uint64(1)
	old, err := f.stream.Consumer(ctx, TombstoneConsumer)
	switch {
	case err == nil:
		start = old.CachedInfo().AckFloor.Stream + 1
		if err := f.stream.DeleteConsumer(ctx, TombstoneConsumer); err != nil {
			return nil, fmt.Errorf("purge consumer: %w", err)
		}
	case !errors.Is(err, jetstream.ErrConsumerNotFound):
		return nil, fmt.Errorf("purge consumer: %w", err)
	}
	// Stopped between the delete and the create: the next start handles every
	// message again, which purges nothing more.
	c, err := f.stream.CreateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       TombstoneConsumer,
		Description:   "Waymark: purges each tombstone's journey, and a recreated origin's old messages, from the analysts' stream",
		AckPolicy:     jetstream.AckAllPolicy,
		AckWait:       time.Hour, // never redelivered while this process runs: a failure is retried in place
		MaxAckPending: 1024,
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:   start,
	})
	if err != nil {
		return nil, fmt.Errorf("purge consumer: %w", err)
	}
	return c, nil
}

// run follows the copy until ctx ends. When reading fails (the server stopping, the
// consumer gone), it waits and starts again, remaking the consumer.
func (f *purgeFollower) run(ctx context.Context, c jetstream.Consumer) {
	for {
		err := f.follow(ctx, c)
		if ctx.Err() != nil {
			return
		}
		f.log.Error("analysts' stream: reading the purge consumer failed; starting again", "err", err)
		if !sleepCtx(ctx, purgeRetry) {
			return
		}
		again, err := f.consumer(ctx)
		if err != nil {
			// Tried again after the next wait; the old consumer fails fast meanwhile.
			f.log.Error("analysts' stream: the purge consumer could not be made again; tombstones wait", "err", err)
			continue
		}
		c = again
	}
}

// follow handles messages in order until ctx ends or reading fails.
func (f *purgeFollower) follow(ctx context.Context, c jetstream.Consumer) error {
	it, err := c.Messages(jetstream.PullMaxMessages(256))
	if err != nil {
		return err
	}
	defer it.Stop()
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	for {
		msg, err := it.Next()
		if err != nil {
			return err
		}
		if !f.handle(ctx, msg) {
			return ctx.Err()
		}
	}
}

// handle does what one message asks for, retrying in place until it is done (no
// later message is handled first), and acknowledges it (and, cumulatively, those
// before it). False when ctx ended first.
func (f *purgeFollower) handle(ctx context.Context, msg jetstream.Msg) bool {
	meta, err := msg.Metadata()
	if err != nil {
		f.log.Error("analysts' stream: a message without metadata", "err", err)
		return true
	}
	seq := meta.Sequence.Stream
	for {
		acted, err := f.act(ctx, msg, seq)
		if err == nil && !acted {
			_ = msg.Ack() // nothing done: nothing to confirm
			return true
		}
		if err == nil {
			if err := msg.DoubleAck(ctx); err != nil {
				// The purge is done; handled again after a restart, it purges nothing more.
				f.log.Warn("analysts' stream: acknowledgement not confirmed", "seq", seq, "err", err)
			}
			return true
		}
		if ctx.Err() != nil {
			return false // the store is closing: the next start handles it
		}
		f.log.Error("analysts' stream: purge failed; trying again", "seq", seq, "err", err)
		if !sleepCtx(ctx, purgeRetry) {
			return false
		}
	}
}

// act purges what msg (at sequence seq of the copy) calls for, if anything.
func (f *purgeFollower) act(ctx context.Context, msg jetstream.Msg, seq uint64) (bool, error) {
	acted := false
	if ident := sourceIdent(msg.Headers().Get(sourceHeader)); ident != "" && ident != f.ident {
		if f.ident != "" {
			if err := f.stream.Purge(ctx, jetstream.WithPurgeSequence(seq)); err != nil {
				return false, fmt.Errorf("purge the old origin's messages: %w", err)
			}
			f.log.Info("analysts' stream: the feed's stream was recreated; the copy now holds the new one only", "from_seq", seq)
		}
		if err := f.recordIdent(ctx, ident); err != nil {
			return false, err
		}
		acted = true
	}
	if !isTombstoneSubject(msg.Subject()) {
		return acted, nil
	}
	pseudonym, err := tombstonePseudonym(msg.Data())
	if err != nil {
		// Never the payload in the log: only where it is.
		f.log.Error("analysts' stream: passing over a message that is not a tombstone", "seq", seq, "subject", msg.Subject(), "err", err)
		return acted, nil
	}
	if err := f.stream.Purge(ctx, jetstream.WithPurgeSubject(journeyFilter(pseudonym)), jetstream.WithPurgeSequence(seq)); err != nil {
		return false, fmt.Errorf("purge a journey: %w", err)
	}
	return true, nil
}

// recordIdent records the origin's identity in the analysts' stream's metadata.
func (f *purgeFollower) recordIdent(ctx context.Context, ident string) error {
	info, err := f.stream.Info(ctx)
	if err != nil {
		return fmt.Errorf("record the origin's identity: %w", err)
	}
	cfg := info.Config
	cfg.Metadata = maps.Clone(cfg.Metadata)
	if cfg.Metadata == nil {
		cfg.Metadata = map[string]string{}
	}
	cfg.Metadata[originIdentKey] = ident
	if _, err := f.js.UpdateStream(ctx, cfg); err != nil {
		return fmt.Errorf("record the origin's identity: %w", err)
	}
	f.ident = ident
	return nil
}

// sourceIdent is the origin stream's identity in a sourced message's
// Nats-Stream-Source header ("<source> <seq> <filter> <transform> <subject> <ident>",
// nats-server v2.15); "" when the header has none.
func sourceIdent(header string) string {
	fields := strings.Fields(header)
	if len(fields) < 6 {
		return ""
	}
	return fields[len(fields)-1]
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

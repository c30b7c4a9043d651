package analyticsfeed

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/analytics"
	"github.com/waymark-org/waymark/eventstore"
)

// Config configures a Publisher.
type Config struct {
	// Store is the event store whose global log the feed projects.
	Store eventstore.Store
	// JS is JetStream in Waymark's own account: the feed's stream and registry live
	// there.
	JS jetstream.JetStream
	// Pseudonymizer holds the analytics key.
	Pseudonymizer analytics.Pseudonymizer
	// IsAnalyticsRecipient says whether a grant to this organisation puts a case in the
	// feed (serve: a registered organisation of kind COALITION).
	IsAnalyticsRecipient func(orgID string) bool
	// Now is the clock consent is judged by (default time.Now).
	Now func() time.Time
	// Wake returns a channel that receives once Now has reached at, and a function
	// that stops it: how an expiry falls due with no event arriving. Default: a real
	// timer (time.Until(at)). Tests pass a fake clock's with its Now.
	Wake func(at time.Time) (<-chan time.Time, func())
	// Logger gets the publisher's logs: positions and counts, never a payload, a case
	// id or a pseudonym (default slog.Default()).
	Logger *slog.Logger
	// Replicas is how many copies the feed's stream and registry are created with on
	// a cluster (the event store's jetstream.Store.Replicas); default 1. Existing
	// ones keep theirs.
	Replicas int
	// MinBackoff and MaxBackoff bound the wait before publishing again after a
	// failure (defaults 500ms and 30s); it doubles at every failure in a row.
	MinBackoff, MaxBackoff time.Duration
	// Published, if set, is called with the recorded-at time of every event of the
	// log the publisher is done with (its messages, if any, acknowledged): serve's
	// metrics time the feed's publish lag with it.
	Published func(recordedAt time.Time)

	// after, when set (tests only), is called after every side effect on NATS: op is
	// "publish", "purge", "registry"; subject is the message's subject or "". An error
	// it returns is the operation's, as if NATS had failed after doing it (a lost ack).
	after func(op, subject string) error
	// resetStep, when set (tests only), is called after each delete of a republish's
	// reset; an error it returns stops the reset there, as a crash would.
	resetStep func(step string) error
}

// Errors callers branch on.
var (
	// ErrConfig is a Config missing what the publisher needs.
	ErrConfig = errors.New("analytics feed: bad configuration")
	// ErrKeyMismatch is a stream published under another analytics key.
	ErrKeyMismatch = errors.New("the analytics stream was published under another analytics key; " +
		"every pseudonym changes with the key: run `waymark republish` to publish the feed again from the start under the new key")
	// ErrRegistryLost is a stream with messages whose registry of the cases in the
	// feed is gone (deleted by hand, or a reset that failed half-way before this
	// order of deletes): the publisher cannot know whom to tombstone, and stops.
	ErrRegistryLost = errors.New("the analytics registry " + RegistryBucket + " is missing while the feed's stream has messages; " +
		"nobody knows which journeys are in the feed: run `waymark republish --from start`")
	// ErrBeyondHead is a republish from a position after the log's last event.
	ErrBeyondHead = errors.New("the position is after the log's last event")
)

// Stream metadata keys.
const (
	metaKey  = "waymark.analytics.key-fingerprint"
	metaFrom = "waymark.analytics.from" // the log position the stream was (re)published after
)

// RegistryBucket is the key-value bucket, in Waymark's account, of the cases in the
// feed (doc.go). It holds case ids: it is never exported to the analysts' account.
const RegistryBucket = "WAYMARK_ANALYTICS_CASES"

// DuplicateWindow is the stream's de-duplication window: a second line of defence
// for a retried publish (the first is resuming from the stream's last message).
const DuplicateWindow = 2 * time.Minute

func (c Config) check() (Config, error) {
	switch {
	case c.Store == nil:
		return c, errors.Join(ErrConfig, errors.New("an event store is required"))
	case c.JS == nil:
		return c, errors.Join(ErrConfig, errors.New("JetStream is required"))
	case c.IsAnalyticsRecipient == nil:
		return c, errors.Join(ErrConfig, errors.New("IsAnalyticsRecipient is required"))
	}
	if _, err := analytics.NewPseudonymizer(c.Pseudonymizer.Key); err != nil {
		return c, errors.Join(ErrConfig, err)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Wake == nil {
		c.Wake = func(at time.Time) (<-chan time.Time, func()) {
			t := time.NewTimer(time.Until(at))
			return t.C, func() { t.Stop() }
		}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Replicas <= 0 {
		c.Replicas = 1
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = 500 * time.Millisecond
	}
	if c.MaxBackoff < c.MinBackoff {
		c.MaxBackoff = max(30*time.Second, c.MinBackoff)
	}
	return c, nil
}

// KeyFingerprint identifies the analytics key without revealing it: the hex of
// HMAC-SHA256(key, a constant), cut to 128 bits.
func KeyFingerprint(p analytics.Pseudonymizer) string {
	m := hmac.New(sha256.New, p.Key)
	m.Write([]byte("waymark analytics key fingerprint v1"))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// StreamConfig is the feed's stream: every analytics subject, on file, kept forever
// (a new consumer replays it from the start), purges allowed (a journey that leaves
// is purged), single messages never deleted, and in its metadata the analytics key's
// fingerprint and the log position it was published after.
func StreamConfig(p analytics.Pseudonymizer, from eventstore.Position, replicas int) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:              analytics.StreamName,
		Description:       "Waymark's de-identified analytics feed (CloudEvents; see asyncapi.yaml)",
		Subjects:          []string{analytics.StreamSubjects},
		Storage:           jetstream.FileStorage,
		Retention:         jetstream.LimitsPolicy,
		Discard:           jetstream.DiscardOld,
		MaxAge:            0,
		MaxMsgs:           -1,
		MaxBytes:          -1,
		MaxMsgsPerSubject: -1,
		Duplicates:        DuplicateWindow,
		AllowDirect:       true,
		DenyDelete:        true,
		DenyPurge:         false,
		Replicas:          replicas,
		Metadata:          map[string]string{metaKey: KeyFingerprint(p), metaFrom: from.String()},
	}
}

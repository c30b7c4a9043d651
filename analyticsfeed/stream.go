package analyticsfeed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/analytics"
	"github.com/waymark-org/waymark/eventstore"
)

// The headers every message of the feed carries (doc.go).
const (
	HeaderPosition = "Waymark-Position"
	HeaderPart     = "Waymark-Part"
)

// stream is the feed's stream, opened and checked against the key.
type stream struct {
	js    jetstream.JetStream
	st    jetstream.Stream
	after func(op, subject string) error
}

// openStream opens the feed's stream, creating it (published after from) when there
// is none. A stream whose key fingerprint is not the publisher's is refused.
func openStream(ctx context.Context, cfg Config) (*stream, error) {
	st, err := cfg.JS.Stream(ctx, analytics.StreamName)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		st, err = cfg.JS.CreateStream(ctx, StreamConfig(cfg.Pseudonymizer, eventstore.Start, cfg.Replicas))
	}
	if err != nil {
		return nil, fmt.Errorf("open stream %s: %w", analytics.StreamName, err)
	}
	if st, err = adoptEmpty(ctx, cfg, st); err != nil {
		return nil, err
	}
	if st.CachedInfo().Config.Metadata[metaKey] != KeyFingerprint(cfg.Pseudonymizer) {
		return nil, ErrKeyMismatch
	}
	return &stream{js: cfg.JS, st: st, after: cfg.after}, nil
}

// adoptEmpty gives an empty stream without a key fingerprint the publisher's
// configuration: the store makes the stream at its start, before any publisher runs,
// so that the analysts' copy sources it from the start (eventstore/jetstream
// OriginStreamConfig). A stream with messages but no fingerprint stays as it is and
// is refused: nobody knows the key it was published under.
func adoptEmpty(ctx context.Context, cfg Config, st jetstream.Stream) (jetstream.Stream, error) {
	info := st.CachedInfo()
	if _, ok := info.Config.Metadata[metaKey]; ok || info.State.LastSeq != 0 {
		return st, nil
	}
	// Its replicas stay: an update never rescales the stream.
	st, err := cfg.JS.UpdateStream(ctx, StreamConfig(cfg.Pseudonymizer, eventstore.Start, info.Config.Replicas))
	if err != nil {
		return nil, fmt.Errorf("adopt the empty stream %s: %w", analytics.StreamName, err)
	}
	return st, nil
}

// created is when the stream was made: a republish makes another.
func (s *stream) created() time.Time { return s.st.CachedInfo().Created }

// from is the log position the stream was (re)published after.
func (s *stream) from() (eventstore.Position, error) {
	raw, ok := s.st.CachedInfo().Config.Metadata[metaFrom]
	if !ok {
		return eventstore.Start, nil
	}
	p, err := eventstore.ParsePosition(raw)
	if err != nil {
		return eventstore.Start, fmt.Errorf("stream %s metadata %s: %w", analytics.StreamName, metaFrom, err)
	}
	return p, nil
}

// published is what the resume needs of the stream's last message.
type published struct {
	position     eventstore.Position
	part         int
	tombstone    bool
	pseudonym    string // the CloudEvent's subject
	jurisdiction string
}

// last reads the stream's last message; ok is false for an empty stream.
func (s *stream) last(ctx context.Context) (published, bool, error) {
	msg, err := s.st.GetLastMsgForSubject(ctx, analytics.StreamSubjects)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return published{}, false, nil
	}
	if err != nil {
		return published{}, false, fmt.Errorf("read the last message of %s: %w", analytics.StreamName, err)
	}
	pos, err := eventstore.ParsePosition(msg.Header.Get(HeaderPosition))
	if err != nil {
		return published{}, false, fmt.Errorf("the last message of %s (sequence %d): %w", analytics.StreamName, msg.Sequence, err)
	}
	part, err := strconv.Atoi(msg.Header.Get(HeaderPart))
	if err != nil || part < 0 {
		return published{}, false, fmt.Errorf("the last message of %s (sequence %d): bad %s", analytics.StreamName, msg.Sequence, HeaderPart)
	}
	var ce struct {
		Type    string `json:"type"`
		Subject string `json:"subject"`
		Data    struct {
			Jurisdiction string `json:"jurisdiction"`
		} `json:"data"`
	}
	if err := json.Unmarshal(msg.Data, &ce); err != nil {
		return published{}, false, fmt.Errorf("the last message of %s (sequence %d): %w", analytics.StreamName, msg.Sequence, err)
	}
	return published{position: pos, part: part, tombstone: ce.Type == analytics.TombstoneType,
		pseudonym: ce.Subject, jurisdiction: ce.Data.Jurisdiction}, true, nil
}

// publish publishes one message and waits for the stream to store it.
func (s *stream) publish(ctx context.Context, ce analytics.CloudEvent, subject, msgID string, pos eventstore.Position, part int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := ce.Marshal()
	if err != nil {
		return fmt.Errorf("encode a message: %w", err)
	}
	m := &nats.Msg{Subject: subject, Data: data, Header: nats.Header{}}
	m.Header.Set(jetstream.MsgIDHeader, msgID)
	m.Header.Set(HeaderPosition, pos.String())
	m.Header.Set(HeaderPart, strconv.Itoa(part))
	if _, err := s.js.PublishMsg(ctx, m, jetstream.WithExpectStream(analytics.StreamName)); err != nil {
		return fmt.Errorf("publish to %s: %w", analytics.StreamName, err)
	}
	if s.after != nil {
		return s.after("publish", subject)
	}
	return nil
}

// purge removes one journey's messages (every jurisdiction's); its tombstones stay.
func (s *stream) purge(ctx context.Context, pseudonym string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.st.Purge(ctx, jetstream.WithPurgeSubject(analytics.PurgeFilter(pseudonym))); err != nil {
		return fmt.Errorf("purge a journey from %s: %w", analytics.StreamName, err)
	}
	if s.after != nil {
		return s.after("purge", analytics.PurgeFilter(pseudonym))
	}
	return nil
}

// journeyMsgID is a journey message's Nats-Msg-Id: the event's published id and the
// entry's (its grant's published id), so each publication of an event is unique.
func journeyMsgID(ce analytics.CloudEvent, p analytics.Pseudonymizer, entry string) string {
	return ce.ID + "." + p.EventID(entry)
}

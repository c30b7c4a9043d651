// Package accesslog records every response that returns decrypted personal data: who
// saw which field groups of which case, in what role, for what reason, and when. It is
// kept apart from the case streams (its own JetStream stream), and an entry is stored
// before the data leaves: Record returns only once the server acknowledged the entry
// (fsynced with the default --sync always), so a read whose access cannot be recorded
// fails instead (fail closed).
package accesslog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Entry is one access to personal data.
type Entry struct {
	At           time.Time `json:"at"`
	Actor        string    `json:"actor"`
	Role         string    `json:"role"`
	Organisation string    `json:"organisation,omitempty"`
	CaseID       string    `json:"caseId"`
	Groups       []string  `json:"groups"`
	Reason       string    `json:"reason,omitempty"`
	BreakGlass   bool      `json:"breakGlass,omitempty"`
	RequestID    string    `json:"requestId,omitempty"`
}

// StreamName is the JetStream stream holding the access log.
const StreamName = "WAYMARK_ACCESS"

const subjectPrefix = "waymark.access."

// ErrInvalidEntry is an entry without a case or an actor.
var ErrInvalidEntry = errors.New("invalid access log entry")

// Log is the access log on JetStream.
type Log struct {
	js     jetstream.JetStream
	stream jetstream.Stream
	logger *slog.Logger
	batch  *batcher
}

// Open creates (or opens) the access log stream on nc's JetStream and starts the
// batcher. Close stops it.
func Open(ctx context.Context, nc *nats.Conn, logger *slog.Logger) (*Log, error) {
	// Rounds of at most maxRound entries, one at a time: the publishes outstanding stay
	// well under this limit, past which nats.go fails publishes instead of queueing.
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(4*maxRound))
	if err != nil {
		return nil, fmt.Errorf("access log: %w", err)
	}
	stream, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        StreamName,
		Description: "Waymark: who read which survivor's personal data, and why",
		Subjects:    []string{subjectPrefix + ">"},
		Storage:     jetstream.FileStorage,
		AllowDirect: true,
		DenyDelete:  true,
		DenyPurge:   true,
	})
	if err != nil {
		return nil, fmt.Errorf("access log: create stream: %w", err)
	}
	l := &Log{js: js, stream: stream, logger: logger}
	l.batch = newBatcher(l.publish)
	return l, nil
}

// Close stops the batcher; entries still waiting fail.
func (l *Log) Close() { l.batch.close() }

// Record stores entries and returns once they are durable. Concurrent calls are
// batched into rounds of asynchronous publishes; when the log is busy, Record waits
// (as long as ctx allows) rather than fail.
func (l *Log) Record(ctx context.Context, entries ...Entry) error {
	for _, e := range entries {
		if e.CaseID == "" || e.Actor == "" || !validToken(e.CaseID) {
			return fmt.Errorf("%w: case %q, actor %q", ErrInvalidEntry, e.CaseID, e.Actor)
		}
	}
	return l.batch.add(ctx, entries)
}

// publish writes one round: every entry published asynchronously, then every ack
// awaited. The result holds each entry's own outcome.
func (l *Log) publish(ctx context.Context, entries []Entry) []error {
	errs := make([]error, len(entries))
	futures := make([]jetstream.PubAckFuture, len(entries))
	for i, e := range entries {
		data, err := json.Marshal(e)
		if err != nil {
			errs[i] = fmt.Errorf("access log: %w", err)
			continue
		}
		if futures[i], err = l.js.PublishAsync(subjectPrefix+e.CaseID, data); err != nil {
			errs[i] = fmt.Errorf("access log: publish: %w", err)
		}
	}
	for i, f := range futures {
		if f == nil {
			continue
		}
		select {
		case <-f.Ok():
		case err := <-f.Err():
			errs[i] = fmt.Errorf("access log: publish: %w", err)
		case <-ctx.Done():
			errs[i] = fmt.Errorf("access log: %w", ctx.Err())
		}
	}
	return errs
}

// ForCase returns every recorded access to a case, oldest first.
func (l *Log) ForCase(ctx context.Context, caseID string) ([]Entry, error) {
	if !validToken(caseID) {
		return nil, nil
	}
	// Direct gets stepping through the case's subject: an auditor's read is rare and
	// short, and a consumer per read would linger on the server.
	var out []Entry
	for seq := uint64(1); ; {
		msg, err := l.stream.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(subjectPrefix+caseID))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("access log: read %s: %w", caseID, err)
		}
		var e Entry
		if err := json.Unmarshal(msg.Data, &e); err != nil {
			return nil, fmt.Errorf("access log: decode: %w", err)
		}
		out = append(out, e)
		seq = msg.Sequence + 1
	}
	slices.SortStableFunc(out, func(a, b Entry) int { return a.At.Compare(b.At) })
	return out, nil
}

// validToken keeps a case id usable as one subject token.
func validToken(s string) bool {
	return s != "" && !strings.ContainsAny(s, ".*> \t\r\n")
}

// Package jsaccesslog is the access log's durable sink on JetStream: the stream
// WAYMARK_ACCESS, one subject per case (waymark.access.<caseId>), file storage, deletes
// and purges denied. Entries are JSON, published asynchronously and awaited, each with
// its own outcome. accesslog.Log batches the reads of the whole process into rounds
// for it.
package jsaccesslog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/accesslog"
	"github.com/waymark-org/waymark/internal/jsstream"
	"github.com/waymark-org/waymark/internal/natserr"
)

// StreamName is the JetStream stream holding the access log.
const StreamName = "WAYMARK_ACCESS"

const subjectPrefix = "waymark.access."

// Sink stores access-log entries in StreamName.
type Sink struct {
	js       jetstream.JetStream
	stream   jetstream.Stream
	durable  Durable
	replicas int // copies of a stream the sink creates
}

// Durable makes a stream's acknowledged writes durable: the event store
// (jetstream.Store.MakeDurable), which knows who fsyncs on its server.
type Durable interface {
	MakeDurable(ctx context.Context, stream string, upTo uint64) error
}

var _ accesslog.Sink = (*Sink)(nil)

// Open creates (or opens) the access log stream on nc's JetStream. nc stays the
// caller's: it is usually the event store's connection, closed with the store, and
// the sink has nothing of its own to close. durable makes each round durable before
// Publish reports it stored (nil: the server makes every write durable itself).
// replicas is how many copies a stream the sink creates gets on a cluster (the event
// store's jetstream.Store.Replicas; 0 is 1); a stream that exists keeps its own.
func Open(ctx context.Context, nc *nats.Conn, durable Durable, replicas int) (*Sink, error) {
	// accesslog.Log publishes rounds of at most MaxRound entries, one at a time: the
	// publishes outstanding stay well under this limit, past which nats.go fails
	// publishes instead of queueing them.
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(4*accesslog.MaxRound))
	if err != nil {
		return nil, fmt.Errorf("access log: %w", err)
	}
	s := &Sink{js: js, durable: durable, replicas: max(replicas, 1)}
	stream, err := s.createOrUpdate(ctx, jetstream.StreamConfig{
		Name:        StreamName,
		Description: "Waymark: who read which survivor's personal data, and why",
		Subjects:    []string{subjectPrefix + ">"},
		Storage:     jetstream.FileStorage,
		Duplicates:  jsstream.NoDedupe,
		AllowDirect: true,
		DenyDelete:  true,
		DenyPurge:   true,
	})
	if err != nil {
		return nil, fmt.Errorf("access log: create stream: %w", err)
	}
	s.stream = stream
	return s, nil
}

// createOrUpdate creates the stream with the sink's replicas, or updates it keeping
// its own: an update with another count would rescale it (a command run without
// --nats-replicas must not shrink a replicated log).
func (s *Sink) createOrUpdate(ctx context.Context, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	cfg.Replicas = s.replicas
	if st, err := s.js.Stream(ctx, cfg.Name); err == nil {
		cfg.Replicas = st.CachedInfo().Config.Replicas
	} else if !errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, err
	}
	return s.js.CreateOrUpdateStream(ctx, cfg)
}

// Publish writes one round: every entry published asynchronously, then every ack
// awaited, then the round made durable (one fsync for all of it). The result holds
// each entry's own outcome: stored only once durable.
func (s *Sink) Publish(ctx context.Context, entries []accesslog.Entry) []error {
	errs := make([]error, len(entries))
	futures := make([]jetstream.PubAckFuture, len(entries))
	for i, e := range entries {
		if !accesslog.ValidCaseID(e.CaseID) {
			errs[i] = fmt.Errorf("%w: case %q", accesslog.ErrInvalidEntry, e.CaseID) // never a wildcard subject
			continue
		}
		data, err := json.Marshal(e)
		if err != nil {
			errs[i] = fmt.Errorf("access log: %w", err)
			continue
		}
		if futures[i], err = s.js.PublishAsync(subjectPrefix+e.CaseID, data); err != nil {
			errs[i] = opErr("publish", err)
		}
	}
	var upTo uint64
	for i, f := range futures {
		if f == nil {
			continue
		}
		select {
		case ack := <-f.Ok():
			upTo = max(upTo, ack.Sequence)
		case err := <-f.Err():
			errs[i] = opErr("publish", err)
		case <-ctx.Done():
			errs[i] = opErr("publish", ctx.Err())
		}
	}
	if upTo > 0 && s.durable != nil {
		if err := s.durable.MakeDurable(ctx, StreamName, upTo); err != nil {
			for i := range errs {
				if errs[i] == nil {
					errs[i] = opErr("make durable", err)
				}
			}
		}
	}
	return errs
}

// ForCase returns every entry stored for a case, in the order stored.
func (s *Sink) ForCase(ctx context.Context, caseID string) ([]accesslog.Entry, error) {
	if !accesslog.ValidCaseID(caseID) {
		return nil, nil
	}
	// Direct gets stepping through the case's subject: an auditor's read is rare and
	// short, and a consumer per read would linger on the server.
	var out []accesslog.Entry
	for seq := uint64(1); ; {
		msg, err := s.stream.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(subjectPrefix+caseID))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			break
		}
		if err != nil {
			return nil, opErr("read "+caseID, err)
		}
		var e accesslog.Entry
		if err := json.Unmarshal(msg.Data, &e); err != nil {
			return nil, fmt.Errorf("access log: decode: %w", err)
		}
		out = append(out, e)
		seq = msg.Sequence + 1
	}
	return out, nil
}

// clockSlack is how much earlier than an entry's own time the server may have stored
// it (the entry's time is taken before it is published): a range read starts this
// much before from, and entries are then kept by their own time.
const clockSlack = time.Minute

// Between returns every entry with from <= At < to, scanning the stream from the
// messages stored a little before from (an ordered consumer, gone when the scan
// ends: the report is rare).
func (s *Sink) Between(ctx context.Context, from, to time.Time) ([]accesslog.Entry, error) {
	start := from.Add(-clockSlack)
	var out []accesslog.Entry
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverByStartTimePolicy, OptStartTime: &start}
	err := s.scan(ctx, cfg, func(_ uint64, data []byte) (bool, error) {
		var e accesslog.Entry
		if err := json.Unmarshal(data, &e); err != nil {
			return false, fmt.Errorf("access log: decode: %w", err)
		}
		if !e.At.Before(from) && e.At.Before(to) {
			out = append(out, e)
		}
		return true, nil
	})
	return out, err
}

// ScanAccess hands every stored entry after sequence after to f, in order, up to the
// stream's end as the scan starts: what audit checkpoints cover and verify.
func (s *Sink) ScanAccess(ctx context.Context, after uint64, f func(seq uint64, data []byte) error) error {
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: after + 1}
	return s.scan(ctx, cfg, func(seq uint64, data []byte) (bool, error) { return true, f(seq, data) })
}

// scan hands the messages cfg delivers to f, in order, until f says stop or the
// stream's end as of the scan's start is reached.
func (s *Sink) scan(ctx context.Context, cfg jetstream.OrderedConsumerConfig, f func(seq uint64, data []byte) (bool, error)) error {
	info, err := s.stream.Info(ctx)
	if err != nil {
		return opErr("stream info", err)
	}
	last := info.State.LastSeq
	if info.State.Msgs == 0 || cfg.OptStartSeq > last {
		return nil
	}
	cons, err := s.stream.OrderedConsumer(ctx, cfg)
	if err != nil {
		return opErr("scan", err)
	}
	for {
		batch, err := cons.Fetch(256, jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return opErr("scan", err)
		}
		n := 0
		for msg := range batch.Messages() {
			n++
			md, err := msg.Metadata()
			if err != nil {
				return opErr("scan", err)
			}
			more, err := f(md.Sequence.Stream, msg.Data())
			if err != nil || !more {
				return err
			}
			if md.Sequence.Stream >= last || md.NumPending == 0 {
				return nil
			}
		}
		if err := batch.Error(); err != nil {
			return opErr("scan", err)
		}
		if n == 0 {
			return nil // nothing more since start
		}
	}
}

// opErr wraps a failure of op; one the server may not have for the moment (a
// timeout, no leader) is accesslog.ErrUnavailable too.
func opErr(op string, err error) error {
	if natserr.Transient(err) {
		return fmt.Errorf("access log: %s: %w: %w", op, accesslog.ErrUnavailable, err)
	}
	return fmt.Errorf("access log: %s: %w", op, err)
}

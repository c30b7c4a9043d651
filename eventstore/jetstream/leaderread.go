package jetstream

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/internal/jsleader"
)

// On a replicated stream every replica answers direct gets once it is nearly caught up
// (nats-server enables a follower's direct gets at 90% synchronised), so a read may
// come from a follower that has not applied the latest appends yet. A stream read that
// misses a write the caller knows was made breaks what the application decides on it:
// a command retried through another replica would not find its own first result. So a
// read of a replicated stream asks the stream's leader (internal/jsleader) for the
// subject's last sequence, and reads again until the direct gets have reached it; when
// they stay behind, or a replica lost mid-answer leaves a batch without its end, the
// read asks the leader for each message (read.go).

// replicasBehindWait is how long a read tries direct gets again while the replicas
// answering them are behind the leader, before it reads from the leader.
const replicasBehindWait = 250 * time.Millisecond

// replicatedBatchWait bounds the wait for a batched direct get on a replicated stream,
// after which the read goes to the leader. A batch of a case's stream is answered in
// milliseconds; one that has not ended in a second is taken as lost with its replica.
const replicatedBatchWait = time.Second

// leaderLast returns the stream sequence of subject's last message as the stream's
// leader has it: 0 when the subject has none.
func (s *Store) leaderLast(ctx context.Context, subject string) (uint64, error) {
	msg, err := jsleader.LastBySubject(ctx, s.nc, s.cfg.StreamName, subject)
	if errors.Is(err, jsleader.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return msg.Sequence, nil
}

// lastMsg returns subject's last message, as getMsg does.
func (s *Store) lastMsg(ctx context.Context, subject string) (*jetstream.RawStreamMsg, error) {
	if !s.replicated {
		return s.stream.GetLastMsgForSubject(ctx, subject)
	}
	return jsleader.Raw(jsleader.LastBySubject(ctx, s.nc, s.cfg.StreamName, subject))
}

// getMsg returns the message at seq: by direct get, from any replica, on a stream of
// one; from the leader on a replicated stream, where a follower may not have it yet.
func (s *Store) getMsg(ctx context.Context, seq uint64) (*jetstream.RawStreamMsg, error) {
	if !s.replicated {
		return s.stream.GetMsg(ctx, seq)
	}
	return jsleader.Raw(jsleader.Seq(ctx, s.nc, s.cfg.StreamName, seq))
}

// leaderBatch returns subject's first message from stream sequence seq on, from the
// stream's leader: a batch of one (or none), which never says nothing is pending, so
// that the read goes on until the leader has no more.
func (s *Store) leaderBatch(ctx context.Context, subject string, seq uint64) (*batchReply, error) {
	msg, err := jsleader.NextBySubject(ctx, s.nc, s.cfg.StreamName, seq, subject)
	if errors.Is(err, jsleader.ErrNotFound) {
		return &batchReply{stream: s.cfg.StreamName, subject: subject, notFound: true}, nil
	}
	if err != nil {
		return nil, err
	}
	if msg.Subject != subject || msg.Sequence < seq {
		return nil, fmt.Errorf("%w: the leader answered message %d on %q for %q from %d", errBadReply, msg.Sequence, msg.Subject, subject, seq)
	}
	return &batchReply{
		stream: s.cfg.StreamName, subject: subject,
		msgs:    []storedMsg{{seq: msg.Sequence, hdr: msg.Header, data: msg.Data}},
		pending: 1,
	}, nil
}

package jetstream

import (
	"context"
	"errors"
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
// subject's last sequence, and reads again until the direct gets have reached it.

// leaderReadWait bounds how long a read waits for the replicas answering its direct
// gets to catch up with the leader.
const leaderReadWait = 5 * time.Second

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

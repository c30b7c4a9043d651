package jetstream

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// On a replicated stream every replica answers direct gets once it is nearly caught up
// (nats-server enables a follower's direct gets at 90% synchronised), so a read may
// come from a follower that has not applied the latest appends yet. A stream read that
// misses a write the caller knows was made breaks what the application decides on it:
// a command retried through another replica would not find its own first result. So a
// read of a replicated stream asks the stream's leader — the JetStream API, which only
// the leader answers — for the subject's last sequence, and reads again until the
// direct gets have reached it.

// leaderReadWait bounds how long a read waits for the replicas answering its direct
// gets to catch up with the leader.
const leaderReadWait = 5 * time.Second

// msgGetReply is the part of a STREAM.MSG.GET answer the leader check reads.
type msgGetReply struct {
	Message *struct {
		Seq uint64 `json:"seq"`
	} `json:"message"`
	Error *struct {
		Code        int    `json:"code"`
		Description string `json:"description"`
	} `json:"error"`
}

// leaderLast returns the stream sequence of subject's last message as the stream's
// leader has it: 0 when the subject has none.
func (s *Store) leaderLast(ctx context.Context, subject string) (uint64, error) {
	body, err := json.Marshal(map[string]string{"last_by_subj": subject})
	if err != nil {
		return 0, err
	}
	msg, err := s.nc.RequestWithContext(ctx, jetstream.DefaultAPIPrefix+"STREAM.MSG.GET."+s.cfg.StreamName, body)
	if err != nil {
		return 0, fmt.Errorf("ask the stream's leader: %w", err)
	}
	var reply msgGetReply
	if err := json.Unmarshal(msg.Data, &reply); err != nil {
		return 0, fmt.Errorf("the stream's leader answered %q: %w", msg.Data, err)
	}
	switch {
	case reply.Message != nil:
		return reply.Message.Seq, nil
	case reply.Error != nil && reply.Error.Code == 404:
		return 0, nil
	case reply.Error != nil:
		return 0, fmt.Errorf("the stream's leader: %s (%d)", reply.Error.Description, reply.Error.Code)
	}
	return 0, fmt.Errorf("the stream's leader answered %q", msg.Data)
}

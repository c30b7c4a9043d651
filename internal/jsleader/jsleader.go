// Package jsleader reads a message of a replicated JetStream stream from the stream's
// leader.
//
// A stream with direct gets enabled has every replica answer them once it is nearly
// caught up (nats-server lets a follower serve direct gets at 90% synchronised), so a
// direct get may come from a follower that has not applied the latest writes: it
// answers "not found" for a message the leader acknowledged a moment ago. A read that
// must see every acknowledged write — the log's head, a key just created, a
// tombstone — asks the JetStream API's STREAM.MSG.GET instead, which only the
// stream's leader answers.
package jsleader

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ErrNotFound is the leader's answer for a message it does not have.
var ErrNotFound = errors.New("no such message on the stream's leader")

// noMessageFound is nats-server's JSNoMessageFoundErr (a stream that does not exist is
// a 404 too, with another code).
const noMessageFound = 10037

// Msg is a message as the leader stores it.
type Msg struct {
	Subject  string
	Sequence uint64
	Header   nats.Header
	Data     []byte
}

// Seq returns the message at stream sequence seq.
func Seq(ctx context.Context, nc *nats.Conn, stream string, seq uint64) (Msg, error) {
	return get(ctx, nc, stream, map[string]any{"seq": seq})
}

// LastBySubject returns subject's last message.
func LastBySubject(ctx context.Context, nc *nats.Conn, stream, subject string) (Msg, error) {
	return get(ctx, nc, stream, map[string]any{"last_by_subj": subject})
}

// NextBySubject returns subject's first message at or after stream sequence seq.
func NextBySubject(ctx context.Context, nc *nats.Conn, stream string, seq uint64, subject string) (Msg, error) {
	return get(ctx, nc, stream, map[string]any{"seq": seq, "next_by_subj": subject})
}

// Raw is a leader's answer as package jetstream gives a direct get's: a
// *jetstream.RawStreamMsg, or jetstream.ErrMsgNotFound for a message the leader does
// not have, so that a caller reads either way alike.
func Raw(msg Msg, err error) (*jetstream.RawStreamMsg, error) {
	if errors.Is(err, ErrNotFound) {
		return nil, jetstream.ErrMsgNotFound
	}
	if err != nil {
		return nil, err
	}
	return &jetstream.RawStreamMsg{Subject: msg.Subject, Sequence: msg.Sequence, Header: msg.Header, Data: msg.Data}, nil
}

// msgGetReply is a STREAM.MSG.GET answer.
type msgGetReply struct {
	Message *struct {
		Subject string `json:"subject"`
		Seq     uint64 `json:"seq"`
		Hdrs    []byte `json:"hdrs"` // base64 in the JSON
		Data    []byte `json:"data"`
	} `json:"message"`
	Error *struct {
		Code        int    `json:"code"`
		ErrCode     int    `json:"err_code"`
		Description string `json:"description"`
	} `json:"error"`
}

// requestTimeout bounds one attempt of a request whose context has no deadline, and
// requestAttempts is how many are made. A request can go unanswered: lost with a node
// (the stream's leader, the meta leader) while the cluster elects another. Unbounded,
// it waited as long as its context; a case worker's command then hung for minutes on
// its key's tombstone check. A lost request is sent again after requestTimeout; an
// answer slow to come (a loaded cluster) is waited for requestAttempts times as long
// in all before the store is reported unavailable.
var requestTimeout = 5 * time.Second

const requestAttempts = 3

func get(ctx context.Context, nc *nats.Conn, stream string, req map[string]any) (Msg, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return Msg{}, err
	}
	reply, err := request(ctx, nc, jetstream.DefaultAPIPrefix+"STREAM.MSG.GET."+stream, body)
	if err != nil {
		return Msg{}, fmt.Errorf("ask the leader of stream %s: %w", stream, err)
	}
	var r msgGetReply
	if err := json.Unmarshal(reply.Data, &r); err != nil {
		return Msg{}, fmt.Errorf("the leader of stream %s answered %.200q: %w", stream, reply.Data, err)
	}
	switch {
	case r.Message != nil:
		m := Msg{Subject: r.Message.Subject, Sequence: r.Message.Seq, Data: r.Message.Data}
		if len(r.Message.Hdrs) > 0 {
			if m.Header, err = nats.DecodeHeadersMsg(r.Message.Hdrs); err != nil {
				return Msg{}, fmt.Errorf("the leader of stream %s: message %d: headers: %w", stream, m.Sequence, err)
			}
		}
		return m, nil
	case r.Error != nil && r.Error.ErrCode == noMessageFound:
		return Msg{}, ErrNotFound
	case r.Error != nil: // as the jetstream package reports it, so that callers can tell a cluster between leaders
		apiErr := &jetstream.APIError{Code: r.Error.Code, ErrorCode: jetstream.ErrorCode(r.Error.ErrCode), Description: r.Error.Description}
		return Msg{}, fmt.Errorf("the leader of stream %s: %w", stream, apiErr)
	}
	return Msg{}, fmt.Errorf("the leader of stream %s answered %.200q", stream, reply.Data)
}

// request sends body to subject and returns the answer: within ctx's deadline if it
// has one, else in up to requestAttempts attempts of requestTimeout each.
func request(ctx context.Context, nc *nats.Conn, subject string, body []byte) (*nats.Msg, error) {
	if _, ok := ctx.Deadline(); ok {
		return nc.RequestWithContext(ctx, subject, body)
	}
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, requestTimeout)
		reply, err := nc.RequestWithContext(actx, subject, body)
		cancel()
		if err == nil || ctx.Err() != nil || attempt == requestAttempts || !errors.Is(err, context.DeadlineExceeded) {
			return reply, err
		}
	}
}

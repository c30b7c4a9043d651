package jetstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/waymark-org/waymark/internal/jssync"
)

// Durability with sync=always. The embedded server never fsyncs on its own
// (sync_always off): it would fsync each message apart, one at a time. Instead every
// write to a stream on it is made durable by the writer — group commit, one fsync
// for all the writes acknowledged before it (internal/jssync) — before the writer
// says it happened, and no reader is shown a message until it is durable. So an
// acknowledged append survives a power cut, as with the server's own sync_always,
// and nobody ever sees an event that a power cut could take back.
//
// Every stream on the embedded server must follow this: its writers call
// Store.MakeDurable (or go through the store's committer), and its readers (the
// store's reads, subscriptions and head) wait for the durable watermark.
//
// A replica (another Waymark on this server over TCP) cannot fsync the owner's files:
// it asks the owner, on waymark.sync.<stream>, and the owner answers once the write
// is durable. A replica that finds nobody answering there is on a server that makes
// writes durable itself (an external server or cluster), and asks nothing more.
type durability interface {
	// commit makes every write to stream acknowledged so far durable, and with it
	// every sequence up to upTo.
	commit(ctx context.Context, stream string, upTo uint64) error
	// wait returns once the message at seq in stream is durable.
	wait(ctx context.Context, stream string, seq uint64) error
}

// syncSubject + <stream> is where the owner of an embedded server answers replicas.
const syncSubject = "waymark.sync."

// readerGrace is how long a reader of a message not yet durable waits for its
// writer's fsync (usually under way) before making it durable itself.
const readerGrace = 20 * time.Millisecond

// syncRequest asks the owner to make a stream durable up to Seq: by syncing now
// (Commit, a replica's own write) or as a reader would (wait for the writer's).
type syncRequest struct {
	Seq    uint64 `json:"seq"`
	Commit bool   `json:"commit,omitempty"`
}

// syncReply is the owner's answer: the stream's durable watermark, or an error.
type syncReply struct {
	Durable uint64 `json:"durable"`
	Error   string `json:"error,omitempty"`
}

// localDurability syncs the streams of this process's embedded server: a
// jssync.Syncer per stream, opened on first use.
type localDurability struct {
	jsDir   string // the server's JetStream store directory
	account string
	head    func(ctx context.Context, stream string) (uint64, error) // a stream's last sequence

	mu      sync.Mutex
	syncers map[string]*jssync.Syncer
}

func (d *localDurability) syncer(ctx context.Context, stream string) (*jssync.Syncer, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.syncers[stream]; ok {
		return s, nil
	}
	if !validStreamName(stream) {
		return nil, fmt.Errorf("stream %q: not a stream name", stream)
	}
	dir := jssync.MsgDir(d.jsDir, d.account, stream)
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("stream %s: no block directory (%w): not a stream of this server", stream, err)
	}
	// Everything stored at this moment is made durable by Open.
	last, err := d.head(ctx, stream)
	if err != nil {
		return nil, err
	}
	s, err := jssync.Open(dir, last)
	if err != nil {
		return nil, err
	}
	d.syncers[stream] = s
	return s, nil
}

func (d *localDurability) commit(ctx context.Context, stream string, upTo uint64) error {
	s, err := d.syncer(ctx, stream)
	if err != nil {
		return err
	}
	return s.Sync(upTo)
}

func (d *localDurability) wait(ctx context.Context, stream string, seq uint64) error {
	s, err := d.syncer(ctx, stream)
	if err != nil {
		return err
	}
	return s.WaitDurable(ctx, seq, readerGrace)
}

// serve answers replicas on syncSubject: every request in its own goroutine (a
// commit waits for an fsync). The subscription lives as long as the connection.
func (d *localDurability) serve(nc *nats.Conn) error {
	_, err := nc.Subscribe(syncSubject+"*", func(m *nats.Msg) {
		go func() {
			stream := strings.TrimPrefix(m.Subject, syncSubject)
			var req syncRequest
			reply := syncReply{}
			ctx, cancel := context.WithTimeout(context.Background(), syncTimeout)
			defer cancel()
			err := json.Unmarshal(m.Data, &req)
			if err == nil {
				if req.Commit {
					err = d.commit(ctx, stream, req.Seq)
				} else {
					err = d.wait(ctx, stream, req.Seq)
				}
			}
			if err != nil {
				reply.Error = err.Error()
			} else if s, err := d.syncer(ctx, stream); err == nil {
				reply.Durable = s.Durable()
			}
			data, _ := json.Marshal(reply)
			_ = m.Respond(data)
		}()
	})
	return err
}

// syncTimeout bounds a replica's wait for the owner's answer, and the owner's work on it.
const syncTimeout = 10 * time.Second

// remoteDurability asks the owner of the embedded server this replica is on.
type remoteDurability struct {
	nc *nats.Conn
	// durable is the highest watermark the owner has reported, per stream: reads of
	// older messages ask nothing.
	mu      sync.Mutex
	durable map[string]*atomic.Uint64
}

// probeOwner asks the server's owner for the stream's watermark: a remoteDurability
// if an owner answers, nil if nobody does (a server that makes writes durable itself).
func probeOwner(ctx context.Context, nc *nats.Conn, stream string) (*remoteDurability, error) {
	d := &remoteDurability{nc: nc, durable: map[string]*atomic.Uint64{}}
	err := d.ask(ctx, stream, syncRequest{})
	if errors.Is(err, nats.ErrNoResponders) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ask the embedded server's owner how durable its writes are: %w", err)
	}
	return d, nil
}

func (d *remoteDurability) mark(stream string) *atomic.Uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	m, ok := d.durable[stream]
	if !ok {
		m = new(atomic.Uint64)
		d.durable[stream] = m
	}
	return m
}

func (d *remoteDurability) ask(ctx context.Context, stream string, req syncRequest) error {
	data, err := json.Marshal(req)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	msg, err := d.nc.RequestWithContext(ctx, syncSubject+stream, data)
	if err != nil {
		return err
	}
	var reply syncReply
	if err := json.Unmarshal(msg.Data, &reply); err != nil {
		return fmt.Errorf("the owner's answer: %w", err)
	}
	if reply.Error != "" {
		return fmt.Errorf("the owner: %s", reply.Error)
	}
	m := d.mark(stream)
	for {
		old := m.Load()
		if reply.Durable <= old || m.CompareAndSwap(old, reply.Durable) {
			return nil
		}
	}
}

func (d *remoteDurability) commit(ctx context.Context, stream string, upTo uint64) error {
	return d.ask(ctx, stream, syncRequest{Seq: upTo, Commit: true})
}

func (d *remoteDurability) wait(ctx context.Context, stream string, seq uint64) error {
	if d.mark(stream).Load() >= seq {
		return nil
	}
	return d.ask(ctx, stream, syncRequest{Seq: seq})
}

// validStreamName accepts the names Waymark gives its streams (letters, digits, _
// and -): a replica's request names a directory under the server's store.
func validStreamName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, r := range name {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

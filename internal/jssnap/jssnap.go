// Package jssnap takes and restores JetStream stream snapshots through the server's own
// API, the way the nats CLI does (nats.go has no client for it):
//
//   - snapshot: a request on $JS.API.STREAM.SNAPSHOT.<stream> naming a deliver subject;
//     the server answers with the stream's configuration and state, then sends the
//     snapshot (an s2-compressed tar of the stream's block files and index) in chunks
//     on the deliver subject, each with a reply subject the client answers once the
//     chunk is written (flow control: the server keeps a window of unanswered chunks),
//     and ends with an empty message whose status says whether it all went well;
//   - restore: a request on $JS.API.STREAM.RESTORE.<stream> with that configuration and
//     state; the server answers with a subject to send the chunks to, each a request it
//     answers empty (or with an error), and an empty request ends it, answered with the
//     restored stream's information.
//
// A snapshot is the stream as stored, message for message: the same sequences (gaps
// left by deletes and purges included), the same stored times and headers. That is
// why Waymark's backups use it rather than reading the messages and publishing them
// again: positions in the log are stream sequences, and checkpoints, hash chains and
// every consumer's place are written in them.
//
// Consistency: the server lists the stream's block files when the snapshot starts and
// reads each when it reaches it, so the snapshot holds every message stored when it
// started and possibly some stored while it ran — a prefix of the stream, never a
// message without the ones before it. Deletes while it runs are the caller's to avoid.
package jssnap

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/waymark-org/waymark/internal/fsync"
	"github.com/waymark-org/waymark/internal/natsembed"
)

// Errors callers branch on.
var (
	// ErrNoStream: the stream to snapshot does not exist.
	ErrNoStream = errors.New("no such stream")
	// ErrExists: the stream to restore already exists (a restore never overwrites).
	ErrExists = errors.New("the stream already exists")
)

// chunkSize is what the server is asked to send at a time (its default, 128 KiB);
// restore sends the same. idle bounds the wait for the server's next word.
const (
	chunkSize = 128 << 10
	idle      = 30 * time.Second
)

// API subjects (the default JetStream API prefix of an account).
const (
	snapshotAPI = "$JS.API.STREAM.SNAPSHOT."
	restoreAPI  = "$JS.API.STREAM.RESTORE."
	infoAPI     = "$JS.API.STREAM.INFO."
)

// State is what a backup's manifest keeps of a stream's state.
type State struct {
	Messages uint64 `json:"messages"`
	Bytes    uint64 `json:"bytes"`
	FirstSeq uint64 `json:"first_seq"`
	LastSeq  uint64 `json:"last_seq"`
}

// Info is a snapshot's description, as the server gave it when the snapshot started:
// the stream's configuration and state, raw (a restore sends them back unchanged),
// and the state's figures.
type Info struct {
	Stream    string
	Config    json.RawMessage
	StateJSON json.RawMessage
	State     State // StateJSON's figures (set by Snapshot; Restore needs only the raw parts)
}

// apiError is the error of a JetStream API reply.
type apiError struct {
	Code        int    `json:"code"`
	ErrCode     int    `json:"err_code"`
	Description string `json:"description"`
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s (%d, error code %d)", e.Description, e.Code, e.ErrCode)
}

// Error codes of the JetStream API this package tells apart (nats-server's errors.json).
const (
	errCodeStreamNotFound      = 10059
	errCodeStreamExistsRestore = 10130
)

// Snapshot writes a snapshot of stream to w, without its consumers, and returns its
// description. The stream must not have messages deleted while it runs.
func Snapshot(ctx context.Context, nc *nats.Conn, stream string, w io.Writer) (Info, error) {
	inbox := nc.NewRespInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		return Info{}, fmt.Errorf("snapshot %s: %w", stream, err)
	}
	defer sub.Unsubscribe()
	// The window the server keeps in flight (its default, 8 MiB) must fit in what the
	// subscription may hold.
	if err := sub.SetPendingLimits(-1, 64<<20); err != nil {
		return Info{}, fmt.Errorf("snapshot %s: %w", stream, err)
	}
	req, _ := json.Marshal(struct {
		DeliverSubject string `json:"deliver_subject"`
		NoConsumers    bool   `json:"no_consumers"`
		ChunkSize      int    `json:"chunk_size"`
	}{inbox, true, chunkSize})
	var reply struct {
		Error  *apiError       `json:"error"`
		Config json.RawMessage `json:"config"`
		State  json.RawMessage `json:"state"`
	}
	if err := call(ctx, nc, snapshotAPI+stream, req, &reply); err != nil {
		return Info{}, fmt.Errorf("snapshot %s: %w", stream, err)
	}
	if reply.Error != nil {
		if reply.Error.ErrCode == errCodeStreamNotFound {
			return Info{}, fmt.Errorf("snapshot %s: %w", stream, ErrNoStream)
		}
		return Info{}, fmt.Errorf("snapshot %s: %w", stream, reply.Error)
	}
	info := Info{Stream: stream, Config: reply.Config, StateJSON: reply.State}
	if err := json.Unmarshal(reply.State, &info.State); err != nil {
		return Info{}, fmt.Errorf("snapshot %s: the server's state: %w", stream, err)
	}
	for {
		wait, cancel := context.WithTimeout(ctx, idle)
		msg, err := sub.NextMsgWithContext(wait)
		cancel()
		if err != nil {
			return Info{}, fmt.Errorf("snapshot %s: waiting for the next chunk: %w", stream, err)
		}
		if len(msg.Data) == 0 {
			// The end. Its status is 204 once a chunk was sent, none for an empty
			// snapshot; anything else is the server's failure (408 no flow response,
			// 500 with the error).
			if status := msg.Header.Get("Status"); status != "" && status != "204" {
				return Info{}, fmt.Errorf("snapshot %s: the server ended it with %s %s", stream, status, msg.Header.Get("Description"))
			}
			return info, nil
		}
		if _, err := w.Write(msg.Data); err != nil {
			return Info{}, fmt.Errorf("snapshot %s: %w", stream, err)
		}
		// Answered once written: the server sends no more than its window ahead. The
		// last chunk of all comes without a reply subject.
		if msg.Reply != "" {
			if err := msg.Respond(nil); err != nil {
				return Info{}, fmt.Errorf("snapshot %s: acknowledge a chunk: %w", stream, err)
			}
		}
	}
}

// Restore creates the stream info describes from the snapshot read from r, which
// must not exist yet (ErrExists), and returns its state once restored.
func Restore(ctx context.Context, nc *nats.Conn, info Info, r io.Reader) (State, error) {
	stream := info.Stream
	req, err := json.Marshal(struct {
		Config json.RawMessage `json:"config"`
		State  json.RawMessage `json:"state"`
	}{info.Config, info.StateJSON})
	if err != nil {
		return State{}, fmt.Errorf("restore %s: %w", stream, err)
	}
	var started struct {
		Error          *apiError `json:"error"`
		DeliverSubject string    `json:"deliver_subject"`
	}
	if err := call(ctx, nc, restoreAPI+stream, req, &started); err != nil {
		return State{}, fmt.Errorf("restore %s: %w", stream, err)
	}
	if started.Error != nil {
		if started.Error.ErrCode == errCodeStreamExistsRestore {
			return State{}, fmt.Errorf("restore %s: %w", stream, ErrExists)
		}
		return State{}, fmt.Errorf("restore %s: %w", stream, started.Error)
	}
	buf := make([]byte, chunkSize)
	for {
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			var ack json.RawMessage
			if err := call(ctx, nc, started.DeliverSubject, buf[:n], &ack); err != nil {
				return State{}, fmt.Errorf("restore %s: send a chunk: %w", stream, err)
			}
			if len(bytes.TrimSpace(ack)) > 0 {
				var failed struct {
					Error *apiError `json:"error"`
				}
				if json.Unmarshal(ack, &failed) == nil && failed.Error != nil {
					return State{}, fmt.Errorf("restore %s: %w", stream, failed.Error)
				}
				return State{}, fmt.Errorf("restore %s: unexpected answer to a chunk: %.200s", stream, ack)
			}
		}
		if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
			break
		}
		if rerr != nil {
			return State{}, fmt.Errorf("restore %s: read the snapshot: %w", stream, rerr)
		}
	}
	// An empty request ends the transfer; the answer comes once the stream is made.
	// (The answer is the stream's information, its fields inline.)
	var done struct {
		Error *apiError `json:"error"`
		State *State    `json:"state"`
	}
	if err := call(ctx, nc, started.DeliverSubject, nil, &done); err != nil {
		return State{}, fmt.Errorf("restore %s: finish: %w", stream, err)
	}
	if done.Error != nil {
		return State{}, fmt.Errorf("restore %s: %w", stream, done.Error)
	}
	if done.State == nil {
		return State{}, fmt.Errorf("restore %s: the server did not describe the restored stream", stream)
	}
	return *done.State, nil
}

// StreamState returns a stream's current state (ErrNoStream if it does not exist).
func StreamState(ctx context.Context, nc *nats.Conn, stream string) (State, error) {
	var reply struct {
		Error *apiError `json:"error"`
		State State     `json:"state"`
	}
	if err := call(ctx, nc, infoAPI+stream, nil, &reply); err != nil {
		return State{}, fmt.Errorf("stream %s: %w", stream, err)
	}
	if reply.Error != nil {
		if reply.Error.ErrCode == errCodeStreamNotFound {
			return State{}, fmt.Errorf("stream %s: %w", stream, ErrNoStream)
		}
		return State{}, fmt.Errorf("stream %s: %w", stream, reply.Error)
	}
	return reply.State, nil
}

// call sends body to subject and decodes the reply into out (a
// json.RawMessage takes it as it is, empty included), waiting at most idle.
func call(ctx context.Context, nc *nats.Conn, subject string, body []byte, out any) error {
	wait, cancel := context.WithTimeout(ctx, idle)
	defer cancel()
	msg, err := nc.RequestWithContext(wait, subject, body)
	if err != nil {
		return err
	}
	if raw, ok := out.(*json.RawMessage); ok {
		*raw = append((*raw)[:0], msg.Data...)
		return nil
	}
	if err := json.Unmarshal(msg.Data, out); err != nil {
		return fmt.Errorf("decode the reply of %s: %w", subject, err)
	}
	return nil
}

// SyncTree fsyncs every file and directory under root, and root's parent (the tree's
// own name): a restore is durable before it is reported done.
func SyncTree(root string) error {
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return fsync.Path(path)
	})
	if err == nil {
		err = fsync.Path(filepath.Dir(root))
	}
	if err != nil {
		return fmt.Errorf("sync %s: %w", root, err)
	}
	return nil
}

// RestoreOn hands restore an in-process connection (with opts) to srv, a server just
// started on an empty store directory for the restore, then closes it, shuts the
// server down and syncs jsDir, its JetStream directory, so that what the restore
// wrote is durable before anyone opens it.
func RestoreOn(ctx context.Context, srv *server.Server, jsDir string, opts []nats.Option, restore func(ctx context.Context, nc *nats.Conn) error) error {
	nc, err := nats.Connect("", append([]nats.Option{nats.InProcessServer(srv)}, opts...)...)
	if err != nil {
		natsembed.Shutdown(srv)
		return fmt.Errorf("restore: connect: %w", err)
	}
	err = restore(ctx, nc)
	nc.Close()
	natsembed.Shutdown(srv)
	if err != nil {
		return err
	}
	return SyncTree(jsDir)
}

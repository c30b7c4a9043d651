package jetstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/eventstore"
)

// Batched direct get, without a fresh reply inbox per request.
//
// A request to $JS.API.DIRECT.GET.<stream> with {"seq", "next_by_subj", "batch"} makes
// the server send, to the request's reply subject and in order: the messages on the
// subject from seq on (up to batch of them, or until max_bytes is passed), each with
// headers Nats-Stream, Nats-Subject, Nats-Sequence, Nats-Num-Pending (messages left on
// the subject after this one) and Nats-Last-Sequence (the sequence of the message sent
// before it in this batch, 0 for the first); then an end-of-batch marker, an empty
// message with status "204 EOB". When nothing matches it sends one empty message with
// status 404 and no EOB. (nats-server: stream.go, getDirectRequest.)
//
// Every request of a Store shares one reply subscription, <inbox>.*, made once at Open:
// a request registers itself under a token of its own, asks for replies on
// <inbox>.<token> and removes the token when it is done, answered or not. Replies for a
// token nobody waits for any more are dropped.

// Direct get statuses and their headers.
const (
	hdrStatus       = "Status"
	hdrDescription  = "Description"
	hdrLastSequence = "Nats-Last-Sequence"
	statusEOB       = "204"
	descEOB         = "EOB"
	statusNotFound  = "404"
	statusNoReply   = "503" // no responders: the stream is not there or has no direct get
)

// readMaxBytes bounds the bytes one batched get sends before it ends the batch early
// (the read then asks for the rest). Without it the server allows its per-connection
// pending limit (64 MiB by default) in one burst, and a few concurrent reads of long
// streams could get the store's connection cut as a slow consumer. Typical streams
// (tens of events of ~0.5 KB) are far below it; one message always goes out.
const readMaxBytes = 4 << 20

// errIncompleteRead: a batched direct get ended before its last message arrived.
var errIncompleteRead = errors.New("direct get ended before the last message")

// errBadReply: a direct get reply that does not follow the protocol above.
var errBadReply = errors.New("unexpected direct get reply")

// directGetRequest is the JSON body of a batched direct get.
type directGetRequest struct {
	Seq        uint64 `json:"seq"`
	NextBySubj string `json:"next_by_subj"`
	Batch      int    `json:"batch"`
	MaxBytes   int    `json:"max_bytes,omitempty"`
}

// directGets sends batched direct gets for one stream over one reply subscription.
type directGets struct {
	nc      *nats.Conn
	api     string        // request subject, $JS.API.DIRECT.GET.<stream>
	stream  string        // the stream's name, as replies must carry it
	inbox   string        // "<inbox>.": replies to a request come on inbox+token
	timeout time.Duration // per batch
	sub     *nats.Subscription

	requests atomic.Uint64 // requests sent; also the source of tokens

	mu      sync.Mutex
	waiting map[string]*pendingGet // token → the request waiting for its replies
}

// pendingGet collects one request's replies (under directGets.mu) and wakes the
// request once, at its last reply: the EOB, or the one status reply (404, 503, ...)
// that ends a request without one.
type pendingGet struct {
	replies []*nats.Msg
	ended   bool          // the last reply is in (or too many came): take no more
	done    chan struct{} // closed when ended is set
}

// newDirectGets subscribes the reply inbox; the subscription lives as long as nc (the
// Store's Close drains it).
func newDirectGets(nc *nats.Conn, api, stream string, timeout time.Duration) (*directGets, error) {
	d := &directGets{
		nc: nc, api: api, stream: stream, inbox: nc.NewInbox() + ".", timeout: timeout,
		waiting: make(map[string]*pendingGet),
	}
	sub, err := nc.Subscribe(d.inbox+"*", d.deliver)
	if err != nil {
		return nil, fmt.Errorf("direct get reply subscription: %w", err)
	}
	d.sub = sub
	return d, nil
}

// deliver adds a reply to the request waiting for it, and wakes that request at its
// last reply. A reply for a token nobody waits for any more is dropped, and so is
// anything after more replies than a batch can have (readBatch messages and the EOB):
// the request then sees them end without an EOB and reports it.
func (d *directGets) deliver(m *nats.Msg) {
	token := strings.TrimPrefix(m.Subject, d.inbox)
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.waiting[token]
	if !ok || p.ended {
		return
	}
	p.replies = append(p.replies, m)
	if isStatusReply(m) || len(p.replies) > readBatch {
		p.ended = true
		close(p.done)
	}
}

// isStatusReply reports a reply without a stored message: an EOB or an error status.
func isStatusReply(m *nats.Msg) bool {
	return len(m.Data) == 0 && m.Header.Get(hdrStatus) != ""
}

// get asks for up to readBatch messages on subject from stream sequence seq on and
// waits for the whole answer: until the EOB (or a 404), ctx ends, closing is closed
// (the store is closing) or the timeout passes, whichever comes first (a batch whose
// replica was lost while it answered never ends; a longer deadline does not help it).
func (d *directGets) get(ctx context.Context, closing <-chan struct{}, subject string, seq uint64) (*batchReply, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	req, err := json.Marshal(directGetRequest{Seq: seq, NextBySubj: subject, Batch: readBatch, MaxBytes: readMaxBytes})
	if err != nil {
		return nil, err
	}
	token := strconv.FormatUint(d.requests.Add(1), 36)
	p := &pendingGet{done: make(chan struct{})}
	d.mu.Lock()
	d.waiting[token] = p
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		delete(d.waiting, token)
		d.mu.Unlock()
	}()

	if err := d.nc.PublishMsg(&nats.Msg{Subject: d.api, Reply: d.inbox + token, Data: req}); err != nil {
		return nil, fmt.Errorf("direct get: %w", err)
	}
	timeout := time.NewTimer(d.timeout)
	defer timeout.Stop()
	select {
	case <-p.done: // p.replies is no longer written to
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", errIncompleteRead, ctx.Err())
	case <-closing:
		return nil, fmt.Errorf("%w: %w", errIncompleteRead, eventstore.ErrClosed)
	case <-timeout.C:
		return nil, fmt.Errorf("%w: no end of batch after %s: %w", errIncompleteRead, d.timeout, nats.ErrTimeout)
	}
	b := &batchReply{stream: d.stream, subject: subject}
	for _, m := range p.replies {
		done, err := b.add(m)
		if err != nil {
			return nil, err
		}
		if done {
			return b, nil
		}
	}
	return nil, fmt.Errorf("%w: %d replies without an end of batch", errBadReply, len(p.replies))
}

// storedMsg is one message of a batch.
type storedMsg struct {
	seq  uint64
	hdr  nats.Header
	data []byte
}

// batchReply collects one batched get's replies and checks them as they come.
type batchReply struct {
	stream, subject string // what every message must carry

	msgs     []storedMsg // in stream order
	pending  uint64      // messages on the subject after the last one, per its header
	notFound bool        // 404: nothing on the subject from the requested sequence on
}

// add takes the next reply. It reports done at the end of the batch, and an error for
// a reply that is an error or breaks the batch's sequence (a lost reply).
func (b *batchReply) add(m *nats.Msg) (done bool, err error) {
	if status := m.Header.Get(hdrStatus); status != "" && len(m.Data) == 0 {
		desc := m.Header.Get(hdrDescription)
		switch {
		case status == statusEOB && desc == descEOB:
			if len(b.msgs) == 0 {
				return true, fmt.Errorf("%w: end of batch before any message", errBadReply)
			}
			// The EOB names the last message sent: one lost just before it shows here.
			if ls := m.Header.Get(hdrLastSequence); ls != "" {
				if last := b.msgs[len(b.msgs)-1].seq; ls != strconv.FormatUint(last, 10) {
					return true, fmt.Errorf("%w: batch ended after message %s, the last received is %d", errIncompleteRead, ls, last)
				}
			}
			return true, nil
		case status == statusNotFound && len(b.msgs) == 0:
			b.notFound = true
			return true, nil
		case status == statusNoReply:
			return true, fmt.Errorf("direct get on stream %s: %w", b.stream, nats.ErrNoResponders)
		default:
			return true, fmt.Errorf("%w: status %s %s after %d messages", errBadReply, status, desc, len(b.msgs))
		}
	}

	seq, err1 := strconv.ParseUint(m.Header.Get(jetstream.SequenceHeader), 10, 64)
	prev, err2 := strconv.ParseUint(m.Header.Get(hdrLastSequence), 10, 64)
	pending, err3 := strconv.ParseUint(m.Header.Get(hdrNumPending), 10, 64)
	if err := errors.Join(err1, err2, err3); err != nil {
		return true, fmt.Errorf("%w: bad %s/%s/%s headers (a server without batched direct get?): %v",
			errBadReply, jetstream.SequenceHeader, hdrLastSequence, hdrNumPending, err)
	}
	if st, subj := m.Header.Get(jetstream.StreamHeader), m.Header.Get(jetstream.SubjectHeader); st != b.stream || subj != b.subject {
		return true, fmt.Errorf("%w: message %d of stream %q on %q, asked for %q on %q", errBadReply, seq, st, subj, b.stream, b.subject)
	}
	var last uint64 // the sequence of the message before it in this batch
	if n := len(b.msgs); n > 0 {
		last = b.msgs[n-1].seq
	}
	if prev != last || seq <= last {
		return true, fmt.Errorf("%w: message %d follows %d in the batch, the last received is %d", errIncompleteRead, seq, prev, last)
	}
	if len(b.msgs) == readBatch {
		return true, fmt.Errorf("%w: more than %d messages in a batch", errBadReply, readBatch)
	}
	b.msgs = append(b.msgs, storedMsg{seq: seq, hdr: m.Header, data: m.Data})
	b.pending = pending
	return false, nil
}

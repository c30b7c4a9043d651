package jetstream

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/waymark-org/waymark/eventstore"
)

const testSubject = subjectPrefix + "case-1"

// storedReply is a batched direct get reply carrying message seq, sent after prev
// with pending left.
func storedReply(seq, prev, pending uint64) *nats.Msg {
	m := nats.NewMsg("_INBOX.x.1")
	m.Header.Set("Nats-Stream", DefaultStreamName)
	m.Header.Set("Nats-Subject", testSubject)
	m.Header.Set("Nats-Sequence", strconv.FormatUint(seq, 10))
	m.Header.Set("Nats-Last-Sequence", strconv.FormatUint(prev, 10))
	m.Header.Set("Nats-Num-Pending", strconv.FormatUint(pending, 10))
	m.Data = []byte("x")
	return m
}

func statusReply(status, desc string, lastSeq uint64) *nats.Msg {
	m := nats.NewMsg("_INBOX.x.1")
	m.Header.Set(hdrStatus, status)
	m.Header.Set(hdrDescription, desc)
	if status == statusEOB {
		m.Header.Set("Nats-Num-Pending", "0")
		m.Header.Set("Nats-Last-Sequence", strconv.FormatUint(lastSeq, 10))
	}
	return m
}

// TestBatchReply feeds batchReply reply sequences as the server could send them: a
// complete batch, nothing found, and every way a batch can be incomplete or wrong.
func TestBatchReply(t *testing.T) {
	eob := func(last uint64) *nats.Msg { return statusReply(statusEOB, descEOB, last) }
	with := func(m *nats.Msg, key, val string) *nats.Msg { m.Header.Set(key, val); return m }
	cases := []struct {
		name     string
		replies  []*nats.Msg
		wantMsgs int
		pending  uint64
		notFound bool
		wantErr  error // nil: complete
	}{
		{"Complete", []*nats.Msg{storedReply(3, 0, 1), storedReply(7, 3, 0), eob(7)}, 2, 0, false, nil},
		{"CutShort", []*nats.Msg{storedReply(3, 0, 5), eob(3)}, 1, 5, false, nil},
		{"NotFound", []*nats.Msg{statusReply(statusNotFound, "Message Not Found", 0)}, 0, 0, true, nil},
		{"LostFirst", []*nats.Msg{storedReply(7, 3, 0), eob(7)}, 0, 0, false, errIncompleteRead},
		{"LostMiddle", []*nats.Msg{storedReply(3, 0, 2), storedReply(9, 7, 0), eob(9)}, 0, 0, false, errIncompleteRead},
		{"LostLast", []*nats.Msg{storedReply(3, 0, 1), eob(7)}, 0, 0, false, errIncompleteRead},
		{"EOBFirst", []*nats.Msg{eob(0)}, 0, 0, false, errBadReply},
		{"NotFoundAfterMessages", []*nats.Msg{storedReply(3, 0, 1), statusReply(statusNotFound, "Message Not Found", 0)}, 0, 0, false, errBadReply},
		{"NoResponders", []*nats.Msg{statusReply(statusNoReply, "", 0)}, 0, 0, false, nats.ErrNoResponders},
		{"BadRequest", []*nats.Msg{statusReply("408", "Bad Request", 0)}, 0, 0, false, errBadReply},
		{"NoBatchHeaders", []*nats.Msg{with(storedReply(3, 0, 0), "Nats-Num-Pending", "")}, 0, 0, false, errBadReply},
		{"OtherSubject", []*nats.Msg{with(storedReply(3, 0, 0), "Nats-Subject", testSubject+"_2")}, 0, 0, false, errBadReply},
		{"OtherStream", []*nats.Msg{with(storedReply(3, 0, 0), "Nats-Stream", "OTHER")}, 0, 0, false, errBadReply},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := &batchReply{stream: DefaultStreamName, subject: testSubject}
			var err error
			done := false
			for i, m := range c.replies {
				if done {
					t.Fatalf("reply %d after the batch was done", i)
				}
				done, err = b.add(m)
				if err != nil {
					break
				}
			}
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("got %v, want %v", err, c.wantErr)
				}
				return
			}
			if err != nil || !done {
				t.Fatalf("done %v, err %v; want a complete batch", done, err)
			}
			if len(b.msgs) != c.wantMsgs || b.pending != c.pending || b.notFound != c.notFound {
				t.Errorf("%d messages, pending %d, not found %v; want %d, %d, %v",
					len(b.msgs), b.pending, b.notFound, c.wantMsgs, c.pending, c.notFound)
			}
		})
	}
}

// fakeDirectGet answers requests on its own subject with replies, for getting
// directGets to see what a real server never sends on cue: a batch that stops.
func fakeDirectGet(t *testing.T, s *Store, replies ...*nats.Msg) *directGets {
	t.Helper()
	api := "test.direct." + t.Name()
	d, err := newDirectGets(s.nc, api, DefaultStreamName, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.nc.Subscribe(api, func(req *nats.Msg) {
		for _, r := range replies {
			out := nats.NewMsg(req.Reply)
			out.Header, out.Data = r.Header, r.Data
			if err := s.nc.PublishMsg(out); err != nil {
				t.Error(err)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	return d
}

func waitingRequests(d *directGets) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.waiting)
}

// TestDirectGetIncomplete: a batch whose end never comes is an error, never a silent
// end of the stream, however the wait ends, and the request leaves nothing behind.
func TestDirectGetIncomplete(t *testing.T) {
	s := mustOpen(t, Config{DataDir: t.TempDir(), Sync: SyncInterval})
	defer s.Close()

	t.Run("ContextDeadline", func(t *testing.T) {
		d := fakeDirectGet(t, s, storedReply(1, 0, 1)) // one message, more pending, no EOB
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		if _, err := d.get(ctx, nil, testSubject, 1); !errors.Is(err, errIncompleteRead) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v, want an incomplete read past the deadline", err)
		}
		if n := waitingRequests(d); n != 0 {
			t.Errorf("%d requests still registered", n)
		}
	})
	t.Run("DefaultTimeout", func(t *testing.T) {
		d := fakeDirectGet(t, s, storedReply(1, 0, 1))
		d.timeout = 100 * time.Millisecond
		if _, err := d.get(t.Context(), nil, testSubject, 1); !errors.Is(err, errIncompleteRead) || !errors.Is(err, nats.ErrTimeout) {
			t.Errorf("got %v, want an incomplete read after the timeout", err)
		}
		if n := waitingRequests(d); n != 0 {
			t.Errorf("%d requests still registered", n)
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		d := fakeDirectGet(t, s) // never answers
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(50*time.Millisecond, cancel)
		if _, err := d.get(ctx, nil, testSubject, 1); !errors.Is(err, errIncompleteRead) || !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want an incomplete read, cancelled", err)
		}
		if n := waitingRequests(d); n != 0 {
			t.Errorf("%d requests still registered", n)
		}
	})
	t.Run("Closing", func(t *testing.T) {
		d := fakeDirectGet(t, s) // never answers
		closing := make(chan struct{})
		time.AfterFunc(50*time.Millisecond, func() { close(closing) })
		if _, err := d.get(t.Context(), closing, testSubject, 1); !errors.Is(err, eventstore.ErrClosed) {
			t.Errorf("got %v, want ErrClosed", err)
		}
		if n := waitingRequests(d); n != 0 {
			t.Errorf("%d requests still registered", n)
		}
	})
	t.Run("TooManyReplies", func(t *testing.T) {
		replies := make([]*nats.Msg, readBatch+1)
		for i := range replies {
			replies[i] = storedReply(uint64(i+1), uint64(i), uint64(len(replies)-i-1))
		}
		d := fakeDirectGet(t, s, replies...)
		if _, err := d.get(t.Context(), nil, testSubject, 1); !errors.Is(err, errBadReply) {
			t.Errorf("got %v, want a bad reply", err)
		}
	})
}

// TestReadStreamRoundTrips: a missing stream costs one request, a short stream one,
// and a read whose context is already done sends none.
func TestReadStreamRoundTrips(t *testing.T) {
	s := mustOpen(t, Config{DataDir: t.TempDir(), Sync: SyncInterval})
	defer s.Close()
	mustAppendT(t, s, "case-1", eventstore.NoStream, testEvents("e", 3)...)
	mustAppendT(t, s, "case-1", eventstore.Any, testEvents("f", 2)...)

	requests := func(read func()) uint64 {
		before := s.direct.requests.Load()
		read()
		return s.direct.requests.Load() - before
	}
	if n := requests(func() {
		if _, err := s.ReadStream(t.Context(), "case-absent", 0); !errors.Is(err, eventstore.ErrStreamNotFound) {
			t.Errorf("read missing stream: %v", err)
		}
	}); n != 1 {
		t.Errorf("missing stream: %d requests, want 1", n)
	}
	if n := requests(func() {
		if events, err := s.ReadStream(t.Context(), "case-1", 0); err != nil || len(events) != 5 {
			t.Errorf("read: %d events, %v", len(events), err)
		}
	}); n != 1 {
		t.Errorf("short stream: %d requests, want 1", n)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if n := requests(func() {
		if _, err := s.ReadStream(ctx, "case-1", 0); !errors.Is(err, context.Canceled) {
			t.Errorf("read with a cancelled context: %v", err)
		}
	}); n != 0 {
		t.Errorf("cancelled read: %d requests, want 0", n)
	}
	if n := waitingRequests(s.direct); n != 0 {
		t.Errorf("%d requests still registered", n)
	}
}

// TestCloseDuringReads: reads racing Close either complete or fail with ErrClosed,
// and none is left waiting.
func TestCloseDuringReads(t *testing.T) {
	s := mustOpen(t, Config{DataDir: t.TempDir(), Sync: SyncInterval})
	mustAppendT(t, s, "case-1", eventstore.NoStream, testEvents("e", 3)...)
	var wg sync.WaitGroup
	started := make(chan struct{}, 4)
	for range 4 {
		wg.Go(func() {
			started <- struct{}{}
			for {
				events, err := s.ReadStream(t.Context(), "case-1", 0)
				if errors.Is(err, eventstore.ErrClosed) {
					return
				}
				if err != nil || len(events) != 3 {
					t.Errorf("read: %d events, %v", len(events), err)
					return
				}
			}
		})
	}
	for range 4 {
		<-started
	}
	time.Sleep(20 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	wg.Wait()
	if n := waitingRequests(s.direct); n != 0 {
		t.Errorf("%d requests still registered", n)
	}
}

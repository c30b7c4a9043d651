package jetstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/natstest"
)

// On a three-node cluster a follower answers direct gets before it has the latest
// append; the log's head must still be the leader's, message and all. Head read the
// last message by direct get and failed with "message not found" whenever a lagging
// follower answered (a read of a case with minPosition then said INTERNAL). Writers
// keep appending while Head is read, so that the last message is always new, and the
// reader is connected to a follower's node (NATS hands a direct get to the replica on
// the reader's own node first).
func TestReplicatedHeadIsTheLeaders(t *testing.T) {
	cluster := natstest.Start(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	open := func(url string) *Store {
		s, err := Open(ctx, Config{
			NATSURL: url, NATSUser: natstest.AppUser, NATSPassword: natstest.AppPassword,
			Replicas: 3, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	s := open(cluster.URLs())
	if !s.replicated {
		t.Fatal("a stream of 3 replicas is not treated as replicated")
	}
	reader := open(cluster.FollowerURL(t, s.cfg.StreamName))
	var writers sync.WaitGroup
	defer writers.Wait()
	defer cancel()
	for w := range 4 {
		writers.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				stream := fmt.Sprintf("case-%d-%d", w, i)
				if _, err := s.Append(ctx, stream, eventstore.NoStream, testEvents(stream, 1)...); err != nil && ctx.Err() == nil {
					t.Errorf("append to %s: %v", stream, err)
					return
				}
			}
		})
	}
	var prev eventstore.Position
	for i := range 500 {
		head, err := reader.Head(ctx)
		if err != nil {
			t.Fatalf("head %d while appends go on: %v", i, err)
		}
		if head.Before(prev) {
			t.Fatalf("head %d is %s, before the head read earlier, %s", i, head, prev)
		}
		prev = head
	}
}

// A cluster that has lost its quorum cannot store an append: the store says
// ErrUnavailable (the API's UNAVAILABLE, retry shortly), not some NATS error the
// application would report as a bug.
func TestAppendWithoutQuorumIsUnavailable(t *testing.T) {
	cluster := natstest.Start(t)
	ctx := context.Background()
	s, err := Open(ctx, Config{
		NATSURL: cluster.Servers[0].ClientURL(), NATSUser: natstest.AppUser, NATSPassword: natstest.AppPassword,
		Replicas: 3, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Append(ctx, "case-before", eventstore.NoStream, testEvents("before", 1)...); err != nil {
		t.Fatal(err)
	}
	cluster.Stop(1)
	cluster.Stop(2)
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err = s.Append(short, "case-after", eventstore.NoStream, testEvents("after", 1)...)
	if !errors.Is(err, eventstore.ErrUnavailable) {
		t.Fatalf("append with one node of three: %v; want eventstore.ErrUnavailable", err)
	}
	t.Logf("append with one node of three: %v", err)
}

// When the replicas answering direct gets fail a read of a replicated stream — no
// answer (a replica lost while it answered leaves its batch without an end: a
// follower killed under load kept case reads failing for minutes) or an answer that
// stays behind the leader — the read asks the stream's leader for each message and
// returns what a healthy read returns. A cancelled read does not.
func TestReplicatedReadFallsBackToTheLeader(t *testing.T) {
	cluster := natstest.Start(t)
	ctx := t.Context()
	s, err := Open(ctx, Config{
		NATSURL: cluster.URLs(), NATSUser: natstest.AppUser, NATSPassword: natstest.AppPassword,
		Replicas: 3, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustAppendT(t, s, "case-1", eventstore.NoStream, testEvents("a", 3)...)
	mustAppendT(t, s, "case-2", eventstore.NoStream, testEvents("b", 1)...)
	mustAppendT(t, s, "case-1", eventstore.Any, testEvents("c", 2)...)
	healthy, err := s.ReadStream(ctx, "case-1", 0)
	if err != nil || len(healthy) != 5 {
		t.Fatalf("healthy read: %d events, %v", len(healthy), err)
	}
	if n := s.leaderReads.Load(); n != 0 {
		t.Fatalf("a healthy read went to the leader (%d)", n)
	}
	realDirect := s.direct
	defer func() { s.direct = realDirect }()

	for _, c := range []struct {
		name        string
		replies     []*nats.Msg
		leaderReads uint64 // the missing stream's too, unless a replica answers it
	}{
		{"NoAnswer", nil, 3},
		{"Behind", []*nats.Msg{statusReply(statusNotFound, "Message Not Found", 0)}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			s.direct = fakeDirectGet(t, s, c.replies...)
			s.direct.timeout = 100 * time.Millisecond
			before := s.leaderReads.Load()
			for _, from := range []uint64{0, 3} {
				got, err := s.ReadStream(ctx, "case-1", from)
				if err != nil {
					t.Fatalf("read from %d: %v", from, err)
				}
				if !reflect.DeepEqual(got, healthy[from:]) {
					t.Errorf("read from %d: %v, want %v", from, got, healthy[from:])
				}
			}
			if _, err := s.ReadStream(ctx, "case-absent", 0); !errors.Is(err, eventstore.ErrStreamNotFound) {
				t.Errorf("read of a stream that does not exist: %v", err)
			}
			if n := s.leaderReads.Load() - before; n != c.leaderReads {
				t.Errorf("%d reads went to the leader, want %d", n, c.leaderReads)
			}
		})
	}
	t.Run("Cancelled", func(t *testing.T) {
		s.direct = fakeDirectGet(t, s) // never answers
		ctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(50*time.Millisecond, cancel)
		before := s.leaderReads.Load()
		if _, err := s.ReadStream(ctx, "case-1", 0); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled read: %v", err)
		}
		if n := s.leaderReads.Load() - before; n != 0 {
			t.Errorf("a cancelled read went to the leader")
		}
	})
}

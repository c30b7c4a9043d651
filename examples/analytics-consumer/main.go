// Command analytics-consumer reads Waymark's de-identified analytics feed as a durable
// JetStream consumer, the way an analyst's own program would: it logs in with an
// analyst's NATS user, creates (or resumes) a durable pull consumer on the analysts'
// stream WAYMARK_ANALYTICS, keeps a count of journeys and of event types, drops a
// journey when its tombstone arrives, and acknowledges each message once it is
// handled. Stopped and started again, it goes on where it left off.
//
//	NATS_USER=analytics NATS_PASSWORD=... go run ./examples/analytics-consumer
//
// It imports nothing of Waymark's: copy it into your own module and go.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The feed's stream and its tombstones' last subject token.
const (
	stream         = "WAYMARK_ANALYTICS"
	tombstoneToken = "tombstones"
)

// cloudEvent is the part of a feed message this program uses.
type cloudEvent struct {
	ID      string         `json:"id"`
	Type    string         `json:"type"`
	Subject string         `json:"subject"` // the case's pseudonym
	Time    string         `json:"time"`    // a day
	Data    map[string]any `json:"data"`
}

// Tally is what this consumer keeps: the journeys it holds, by pseudonym. A real
// consumer keeps these in its own store.
type Tally struct {
	Journeys   map[string]*Journey
	Tombstones map[string]bool // tombstone ids handled
	Dropped    int             // journeys dropped on a tombstone
}

// Journey is one case's messages: the event types seen, and the ids handled, so that
// a message delivered twice (after a crash before its ack) counts once. A journey
// that comes back after its tombstone (consent given again) is published again with
// the same ids: the tombstone forgets them with the rest.
type Journey struct {
	Types map[string]int
	Seen  map[string]bool
}

// NewTally returns an empty tally.
func NewTally() *Tally {
	return &Tally{Journeys: map[string]*Journey{}, Tombstones: map[string]bool{}}
}

// Handle applies one message of the feed. A tombstone drops everything held under its
// pseudonym: the survivor's data was erased or her consent to analytics ended.
func (t *Tally) Handle(subject string, data []byte) error {
	var ce cloudEvent
	if err := json.Unmarshal(data, &ce); err != nil {
		return fmt.Errorf("message on %s: %w", subject, err)
	}
	if strings.HasSuffix(subject, "."+tombstoneToken) {
		if t.Tombstones[ce.ID] {
			return nil
		}
		t.Tombstones[ce.ID] = true
		if _, held := t.Journeys[ce.Subject]; held {
			t.Dropped++
		}
		delete(t.Journeys, ce.Subject)
		return nil
	}
	j := t.Journeys[ce.Subject]
	if j == nil {
		j = &Journey{Types: map[string]int{}, Seen: map[string]bool{}}
		t.Journeys[ce.Subject] = j
	}
	if j.Seen[ce.ID] {
		return nil
	}
	j.Seen[ce.ID] = true
	j.Types[ce.Type]++
	return nil
}

// Consume reads the stream through the durable consumer named durable until ctx ends
// or, with idle > 0, until no message came for idle. Each message is acknowledged
// after Handle: one that was not is delivered again.
func Consume(ctx context.Context, nc *nats.Conn, durable string, idle time.Duration, t *Tally) error {
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, stream, jetstream.ConsumerConfig{
		Durable:       durable,
		AckPolicy:     jetstream.AckExplicitPolicy,
		DeliverPolicy: jetstream.DeliverAllPolicy, // a new consumer reads the whole history
	})
	if err != nil {
		return fmt.Errorf("consumer %s on %s: %w", durable, stream, err)
	}
	for ctx.Err() == nil {
		wait := 5 * time.Second
		if idle > 0 {
			wait = idle
		}
		batch, err := cons.Fetch(100, jetstream.FetchMaxWait(wait))
		if err != nil {
			return fmt.Errorf("fetch: %w", err)
		}
		n := 0
		for m := range batch.Messages() {
			n++
			if err := t.Handle(m.Subject(), m.Data()); err != nil {
				return err
			}
			if err := m.DoubleAck(ctx); err != nil { // wait for the server to take the ack
				return fmt.Errorf("ack: %w", err)
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("fetch: %w", err)
		}
		if n == 0 && idle > 0 {
			return nil
		}
	}
	return nil
}

func main() {
	url := flag.String("url", envOr("NATS_URL", "nats://127.0.0.1:4222"), "NATS server")
	durable := flag.String("durable", "my-analysis", "durable consumer name (one per program)")
	idle := flag.Duration("idle", 0, "stop after this long without a message (0: run until interrupted)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	user := os.Getenv("NATS_USER")
	// An analyst may read only its own inboxes, _INBOX.<user>: JetStream's replies and
	// fetched messages come there. A server busy replaying its log can take longer to
	// answer a connect than nats.go's default 2 s.
	nc, err := nats.Connect(*url, nats.UserInfo(user, os.Getenv("NATS_PASSWORD")), nats.CustomInboxPrefix("_INBOX."+user),
		nats.Timeout(15*time.Second))
	if err != nil {
		log.Fatalf("connect: %v", err)
	}
	defer nc.Close()
	t := NewTally()
	if err := Consume(ctx, nc, *durable, *idle, t); err != nil {
		log.Fatal(err)
	}
	counts := map[string]int{}
	for _, j := range t.Journeys {
		for typ := range j.Types {
			counts[typ]++
		}
	}
	types := make([]string, 0, len(counts))
	for typ := range counts {
		types = append(types, typ)
	}
	sort.Strings(types)
	fmt.Printf("%d journeys held, %d dropped on a tombstone\n", len(t.Journeys), t.Dropped)
	for _, typ := range types {
		fmt.Printf("%6d journeys with %s\n", counts[typ], typ)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

package analyticsfeed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waymark-org/waymark/domain"
)

// crashScenario writes a log with every kind of step: backfills, live events, a
// transfer (two jurisdictions), a withdrawal (two tombstones and a purge), an erasure,
// a new grant after the withdrawal (a second backfill), and a case whose grant will
// expire (expiring) with no event. It returns the expiry and the sentinel: a case in
// the feed whose next event ends the test's run.
func crashScenario(e *env) (expiry time.Time, sentinel string) {
	a, b, c, d := e.refer("ana"), e.refer("bea"), e.refer("cai"), e.refer("dia")
	e.note(a, "before her grant")
	ga := e.grant(a, t0.AddDate(0, 6, 0))
	e.grant(b, t0.AddDate(0, 6, 0))
	expiry = t0.Add(72 * time.Hour)
	e.grant(d, expiry)
	e.transferToUS(d) // d expires under two jurisdictions
	e.transferToUS(a)
	e.note(b, "bea")
	e.do(usWorker, a, domain.WithdrawConsent{GrantID: ga})
	e.grant(c, t0.AddDate(0, 6, 0))
	e.do(worker, c, domain.EraseSurvivorData{ReasonCode: domain.ErasureSurvivorRequest})
	e.appClock.Advance(time.Hour)
	e.do(usWorker, a, domain.GrantConsent{Recipient: domain.OrgRef{ID: coalition}, Categories: []domain.DataCategory{domain.DataIdentity},
		Purposes: []domain.Purpose{domain.PurposeCoalitionAnalytics}, ExpiresAt: t0.AddDate(0, 6, 0)})
	e.note(b, "bea again")
	return expiry, b
}

// crashRun runs the scenario with a publisher that crashes (its context cancelled)
// right after its crashAt-th side effect on NATS (0: never) and starts a new one, or,
// with fail, sees that side effect fail (done, but its ack lost) and carries on; it
// returns what the live subscriber got, the stream at the end, the count of side
// effects of an uninterrupted run, and the publishers' logs. The run: catch up with
// the log, let the expiry fall due, then one more event (the sentinel, whose message
// comes last).
func crashRun(t *testing.T, crashAt int, fail bool) (live []msg, stored []msg, ops int, logs string) {
	e := newEnv(t)
	expiry, sentinel := crashScenario(e)
	sub := e.subscribeLive()
	var mu sync.Mutex
	var logBuf lockedBuffer
	cfg := e.config(testKey)
	cfg.Logger = slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, crash := context.WithCancel(context.Background())
	defer crash()
	cfg.after = func(op, subject string) error {
		mu.Lock()
		defer mu.Unlock()
		ops++
		if ops != crashAt {
			return nil
		}
		if fail {
			return errInjected
		}
		crash() // nothing after this side effect happens
		return nil
	}
	p1, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p1.Run(ctx) }()
	p := p1
	restart := func() {
		t.Helper()
		if err := <-done; err != nil {
			t.Fatalf("the first publisher: %v", err)
		}
		r := e.start(e.config(testKey))
		p = r.p
	}
	phase := func(wait func(context.Context) error) {
		t.Helper()
		wctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		err := wait(wctx)
		if errors.Is(err, ErrStopped) && p == p1 {
			restart()
			err = wait(wctx)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	phase(func(ctx context.Context) error { return p.WaitFor(ctx, e.head()) })
	e.clock.Set(expiry)
	// The expiry is done when the sentinel's message, which comes after it, is out.
	last := e.note(sentinel, "the sentinel")
	phase(func(ctx context.Context) error { return p.WaitFor(ctx, last.Position) })
	if p == p1 && crashAt > 0 && !fail {
		// It crashed after its last side effect: a new publisher has nothing to add.
		restart()
		phase(func(ctx context.Context) error { return p.WaitFor(ctx, last.Position) })
	}
	// The sentinel's message comes last; wait until the subscriber has it.
	for live = sub.all(); len(live) == 0 || live[len(live)-1].pos != last.Position.String(); {
		live = sub.wait(t, len(live)+1)
	}
	checkAll(t, e, live)
	logs = logBuf.String()
	if fail && crashAt > 0 && !strings.Contains(logs, errInjected.Error()) {
		t.Errorf("the failure was not logged:\n%s", logs)
	}
	// The logs name no case, no pseudonym, no personal data.
	var needles []string
	for _, id := range e.cases {
		needles = append(needles, id, e.pseudonym(id))
	}
	if found := leaks([]byte(logs), append(needles, seeded...)); len(found) > 0 {
		t.Errorf("the logs hold %q", found)
	}
	return live, e.stored(), ops, logs
}

var errInjected = errors.New("injected failure after the operation")

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func ids(ms []msg) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.subject+" "+m.id+" "+string(m.data))
	}
	return out
}

// Exactly once across a crash at every point of a run: after every publication (in
// the middle of a backfill, between two tombstones, after the last tombstone and
// before the purge, during an expiry), every purge and every registry write. A new
// publisher resumes from the stream; the live subscriber gets the same messages in
// the same order as from a run without a crash, each once, and the stream ends the
// same.
func TestExactlyOnceAcrossACrashAtEveryPoint(t *testing.T) {
	wantLive, wantStored, ops, _ := crashRun(t, 0, false)
	if len(wantLive) < 20 || ops < len(wantLive)+10 {
		t.Fatalf("the scenario made %d messages and %d side effects", len(wantLive), ops)
	}
	t.Logf("%d messages, %d side effects, %d messages left in the stream", len(wantLive), ops, len(wantStored))
	for k := 1; k <= ops; k++ {
		t.Run(fmt.Sprintf("crash after %d", k), func(t *testing.T) {
			gotLive, gotStored, _, _ := crashRun(t, k, false)
			if !slices.Equal(ids(gotLive), ids(wantLive)) {
				t.Errorf("live: %d messages, want %d\n%s", len(gotLive), len(wantLive), diff(ids(gotLive), ids(wantLive)))
			}
			if !slices.Equal(ids(gotStored), ids(wantStored)) {
				t.Errorf("stream: %d messages, want %d\n%s", len(gotStored), len(wantStored), diff(ids(gotStored), ids(wantStored)))
			}
		})
	}
}

// A side effect that fails after it was done (an ack lost: the message stored, the
// purge made) ends the publisher's session; Run starts again after a back-off and
// resumes from the stream: still every message once, in order. The failure is logged
// without naming a case.
func TestSurvivesAFailureAtEveryPoint(t *testing.T) {
	wantLive, wantStored, ops, _ := crashRun(t, 0, false)
	for k := 1; k <= ops; k += 3 {
		t.Run(fmt.Sprintf("failure at %d", k), func(t *testing.T) {
			gotLive, gotStored, _, _ := crashRun(t, k, true)
			if !slices.Equal(ids(gotLive), ids(wantLive)) {
				t.Errorf("live: %d messages, want %d\n%s", len(gotLive), len(wantLive), diff(ids(gotLive), ids(wantLive)))
			}
			if !slices.Equal(ids(gotStored), ids(wantStored)) {
				t.Errorf("stream: %d messages, want %d\n%s", len(gotStored), len(wantStored), diff(ids(gotStored), ids(wantStored)))
			}
		})
	}
}

// diff shows the first place two lists part.
func diff(got, want []string) string {
	for i := range max(len(got), len(want)) {
		g, w := "(none)", "(none)"
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			return fmt.Sprintf("first difference at %d:\n got %.160s\nwant %.160s", i, g, w)
		}
	}
	return ""
}

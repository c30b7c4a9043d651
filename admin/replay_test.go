package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// auditOps is testOps that also replays cases and rebuilds.
type auditOps struct {
	testOps
	mu       sync.Mutex
	rebuilds int
}

func (o *auditOps) Timeline(_ context.Context, id string) ([]TimelineEvent, error) {
	if id != "case-1" {
		return nil, fmt.Errorf("%w: no case %q in the event store", ErrNotFound, id)
	}
	return []TimelineEvent{
		{Version: 1, Type: "SurvivorReferred", SchemaVersion: 1, Role: "caseworker", Data: json.RawMessage(`{"jurisdiction":"MX"}`), Personal: PersonalSealed, Hash: "h1"},
		{Version: 2, Type: "CaseNoteAdded", SchemaVersion: 1, Role: "caseworker", Data: json.RawMessage(`{}`), Personal: PersonalSealed, PrevHash: "h1", Hash: "h2"},
	}, nil
}

func (o *auditOps) StartRebuild(context.Context) (RebuildStatus, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.rebuilds > 0 {
		return RebuildStatus{}, fmt.Errorf("%w: a rebuild of the read models is already under way", ErrRefused)
	}
	o.rebuilds++
	return RebuildStatus{State: RebuildRunning, Total: 10, Started: time.Unix(1, 0).UTC()}, nil
}

func (o *auditOps) RebuildStatus(context.Context) (RebuildStatus, error) {
	return RebuildStatus{State: RebuildSwapped, Events: 10, Total: 10, CaughtUp: true, Cases: 3}, nil
}

// The timeline and rebuild routes carry their replies and the server's sentences; a
// server whose operations cannot replay or rebuild refuses both with a sentence.
func TestTimelineAndRebuild(t *testing.T) {
	_, lock := start(t, &auditOps{})
	c := NewClient(SocketPath(lock.Dir()))
	ctx := t.Context()
	events, err := c.Timeline(ctx, "case-1")
	if err != nil || len(events) != 2 || events[1].PrevHash != events[0].Hash || events[0].Personal != PersonalSealed ||
		string(events[0].Data) != `{"jurisdiction":"MX"}` {
		t.Errorf("timeline: %+v, %v", events, err)
	}
	if _, err := c.Timeline(ctx, "nope/.."); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `no case "nope/.."`) {
		t.Errorf("an unknown case: %v", err)
	}
	st, err := c.StartRebuild(ctx)
	if err != nil || st.State != RebuildRunning || st.Total != 10 {
		t.Errorf("start a rebuild: %+v, %v", st, err)
	}
	if _, err := c.StartRebuild(ctx); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "already under way") {
		t.Errorf("a second rebuild: %v", err)
	}
	if st, err := c.RebuildStatus(ctx); err != nil || st.State != RebuildSwapped || st.Cases != 3 || !st.CaughtUp {
		t.Errorf("rebuild status: %+v, %v", st, err)
	}

	_, plain := start(t, &testOps{})
	c = NewClient(SocketPath(plain.Dir()))
	if _, err := c.Timeline(ctx, "case-1"); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "does not replay") {
		t.Errorf("a server that cannot replay: %v", err)
	}
	if _, err := c.StartRebuild(ctx); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "does not rebuild") {
		t.Errorf("a server that cannot rebuild: %v", err)
	}
	if _, err := c.RebuildStatus(ctx); !errors.Is(err, ErrRefused) {
		t.Errorf("a server that cannot rebuild, asked how it goes: %v", err)
	}
}

package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/testkit"
	"github.com/waymark-org/waymark/projections"
)

// A minPosition the log has not reached is bad input at once; one it has reached but
// the read models have not, within the read timeout, is ErrNotCaughtUp with a
// sentence — never a bare context error.
func TestWaitForAheadAndLagging(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	runner := projections.NewRunner(store, quiet()) // never run: the read models lag
	svc, err := app.New(app.Config{Store: store, Runner: runner, HashKey: key, Logger: quiet(), Vault: testkit.Vault(t),
		Clock: app.NewFixedClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), IDs: app.NewSequentialIDs(1),
		ReadTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	caseID := setup(t, svc)
	res, err := svc.ChangeCase(ctx, worker, note("wait-note", caseID, "a note", nil))
	if err != nil {
		t.Fatal(err)
	}

	err = svc.WaitFor(ctx, res.Position.String())
	if !errors.Is(err, app.ErrNotCaughtUp) || !strings.Contains(err.Error(), "did not reach minPosition "+res.Position.String()) {
		t.Errorf("a position the read models lag behind: %v", err)
	}
	major, _ := res.Position.Parts()
	ahead := eventstore.NewPosition(major+100, 0)
	err = svc.WaitFor(ctx, ahead.String())
	if !errors.Is(err, app.ErrBadInput) || !strings.Contains(err.Error(), "minPosition "+ahead.String()+" is ahead of the log (its head is "+res.Position.String()+")") {
		t.Errorf("a position ahead of the log: %v", err)
	}
	if err := svc.WaitFor(ctx, "not-a-position"); !errors.Is(err, app.ErrBadInput) {
		t.Errorf("a malformed position: %v", err)
	}
}

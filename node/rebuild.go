package node

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/waymark-org/waymark/projections"
)

// ErrRebuilding refuses a rebuild while another is under way.
var ErrRebuilding = errors.New("a rebuild of the read models is already under way")

// RebuildState is where a live rebuild stands.
type RebuildState string

const (
	RebuildNone     RebuildState = ""         // none since the node started
	RebuildRunning  RebuildState = "running"  // building beside the live read models
	RebuildSwapped  RebuildState = "swapped"  // the new read models serve
	RebuildFailed   RebuildState = "failed"   // stopped; the old read models still serve
	RebuildCanceled RebuildState = "canceled" // the node closed, or the caller gave up
)

// RebuildStatus describes the last rebuild.
type RebuildStatus struct {
	State    RebuildState
	Progress projections.Progress // of the new read models
	Started  time.Time
	Finished time.Time // zero while running
	Err      string    // why it failed
	Cases    int       // cases in the new read models, once swapped
}

// rebuildRun is one rebuild: its generation, for progress, and its outcome.
type rebuildRun struct {
	g       *generation
	started time.Time

	mu       sync.Mutex
	state    RebuildState
	finished time.Time
	err      error
	cases    int
}

// RebuildStatus returns where the last rebuild stands (State RebuildNone if none).
func (n *Node) RebuildStatus() RebuildStatus {
	run := n.rebuild.Load()
	if run == nil {
		return RebuildStatus{}
	}
	run.mu.Lock()
	defer run.mu.Unlock()
	st := RebuildStatus{State: run.state, Progress: run.g.runner.Progress(), Started: run.started, Finished: run.finished, Cases: run.cases}
	if run.err != nil {
		st.Err = run.err.Error()
	}
	return st
}

// Rebuild builds every read model again from the start of the log beside the live
// ones, which keep answering, and swaps them in once they have caught up: one atomic
// store of the node's current generation, so that no request ever sees half-built
// read models, nor fewer events than the models it saw before. Then the old
// generation is retired: the requests it is serving finish on it, and its runner
// stops. The new runner writes the snapshot (once caught up) instead of the old.
//
// It blocks until the swap (or a failure, which leaves the old read models serving);
// ErrRebuilding while another rebuild is under way.
func (n *Node) Rebuild(ctx context.Context) error {
	done, err := n.StartRebuild(ctx)
	if err != nil {
		return err
	}
	return <-done
}

// StartRebuild starts Rebuild and returns at once; done receives its result.
// RebuildStatus says how it goes. The rebuild stops when ctx ends or the node closes.
func (n *Node) StartRebuild(ctx context.Context) (done <-chan error, err error) {
	if !n.rebuildMu.TryLock() {
		return nil, ErrRebuilding
	}
	unlock := true
	defer func() {
		if unlock {
			n.rebuildMu.Unlock()
		}
	}()
	if err := n.life.Err(); err != nil {
		return nil, fmt.Errorf("rebuild: the node is closing: %w", err)
	}
	g, err := n.newGeneration(true)
	if err != nil {
		return nil, err
	}
	run := &rebuildRun{g: g, started: time.Now(), state: RebuildRunning}
	n.rebuild.Store(run)
	result := make(chan error, 1)
	unlock = false
	go func() {
		defer n.rebuildMu.Unlock()
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		defer context.AfterFunc(n.life, cancel)()
		n.logger.Info("rebuild: building the read models from the start of the log beside the live ones")
		err := n.rebuildAndSwap(ctx, g)
		run.finish(ctx, err)
		if err != nil {
			n.logger.Warn("rebuild: stopped; the read models in use stay", "err", err)
		} else {
			n.logger.Info("rebuild: the new read models serve", "events", g.runner.Progress().Events,
				"took", time.Since(run.started).Round(time.Millisecond))
		}
		result <- err
	}()
	return result, nil
}

func (n *Node) rebuildAndSwap(ctx context.Context, g *generation) (err error) {
	old := n.current.Load()
	// From now on only the new runner writes the snapshot file.
	old.runner.PauseSnapshots()
	n.run(g)
	swapped := false
	defer func() {
		if !swapped {
			g.stop()
			old.runner.ResumeSnapshots()
		}
	}()
	// The bulk of the work: the new read models catch up while the old ones serve.
	if err := g.runner.WaitReady(ctx); err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	if err := g.runner.WaitFor(ctx, old.runner.Position()); err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	// The old read models stand still while the new ones reach them, which takes the
	// few events that came in meanwhile; then the swap, with the new ones at least as
	// far as anything a client has seen.
	release := old.runner.Hold()
	// As far as the log's head, not only the old read models: a command the old
	// service just appended (and noted its id) may not be applied by them yet.
	target := old.runner.Position()
	head, err := n.Store.Head(ctx)
	if err != nil {
		release()
		return fmt.Errorf("rebuild: read the log's head: %w", err)
	}
	if target.Before(head) {
		target = head
	}
	if err := g.runner.WaitFor(ctx, target); err != nil {
		release()
		return fmt.Errorf("rebuild: %w", err)
	}
	n.current.Store(g)
	swapped = true
	// Retire the old generation: the requests under way on it finish (held still, a
	// wait there for a later position ends as a read-models-not-caught-up error: the
	// client retries, on the new ones), then its runner stops, writing nothing.
	old.retire() // its websockets close: they hold no read lock to wait for
	old.inUse.Lock()
	old.cancel()
	release()
	old.stop()
	old.inUse.Unlock()
	return nil
}

func (r *rebuildRun) finish(ctx context.Context, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.finished, r.err = time.Now(), err
	switch {
	case err == nil:
		r.state, r.cases = RebuildSwapped, r.g.cases.Len()
	case ctx.Err() != nil:
		r.state = RebuildCanceled
	default:
		r.state = RebuildFailed
	}
}

package analyticsfeed

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/waymark-org/waymark/eventstore"
)

// Publisher publishes the analytics feed (doc.go). Run it once; Position and WaitFor
// tell how far it got; Republish starts the feed again while it runs.
type Publisher struct {
	cfg         Config
	republishes chan republishRequest

	mu      sync.Mutex
	pos     eventstore.Position // the last log position whose messages are all published
	changed chan struct{}       // closed and replaced when pos moves or the publisher stops
	stopped bool
	err     error
}

// New checks cfg and returns a publisher; Run starts it.
func New(cfg Config) (*Publisher, error) {
	cfg, err := cfg.check()
	if err != nil {
		return nil, err
	}
	return &Publisher{cfg: cfg, republishes: make(chan republishRequest), changed: make(chan struct{})}, nil
}

// errRestart ends a session so that the next one starts on a republished feed.
var errRestart = errors.New("analytics feed: republished")

// Run makes sure the stream exists, resumes where the stream says the feed stands and
// publishes until ctx ends (then it returns nil). A failure (NATS unreachable, a
// timeout) is logged and publishing starts again after a back-off, resuming from the
// stream. A stream published under another analytics key is refused: Run returns
// ErrKeyMismatch.
func (p *Publisher) Run(ctx context.Context) error {
	err := p.run(ctx)
	p.mu.Lock()
	p.stopped, p.err = true, err
	p.notifyLocked()
	p.mu.Unlock()
	return err
}

func (p *Publisher) run(ctx context.Context) error {
	backoff := p.cfg.MinBackoff
	for {
		before := p.Position()
		err := p.session(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, errRestart):
			backoff = p.cfg.MinBackoff
			continue
		case errors.Is(err, ErrKeyMismatch) || errors.Is(err, ErrRegistryLost) || errors.Is(err, ErrConfig):
			p.cfg.Logger.Error("analytics feed: not publishing", "err", err)
			return err
		}
		if p.Position() != before {
			backoff = p.cfg.MinBackoff // it got somewhere: a new failure, not the same one
		}
		p.cfg.Logger.Warn("analytics feed: publishing stopped; starting again", "err", err, "retry_in", backoff.String())
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		case req := <-p.republishes:
			t.Stop()
			_ = p.republish(ctx, req) // answered; a new session starts on the result
		}
		backoff = min(2*backoff, p.cfg.MaxBackoff)
	}
}

func (p *Publisher) session(ctx context.Context) error {
	s, err := newSession(ctx, p)
	if err != nil {
		return err
	}
	return s.run(ctx)
}

// Position is the last log position whose messages are all published.
func (p *Publisher) Position() eventstore.Position {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pos
}

// WaitFor blocks until every message of the events up to pos is published, ctx ends
// or the publisher stops.
func (p *Publisher) WaitFor(ctx context.Context, pos eventstore.Position) error {
	for {
		p.mu.Lock()
		reached, changed, stopped, err := !p.pos.Before(pos), p.changed, p.stopped, p.err
		p.mu.Unlock()
		switch {
		case reached:
			return nil
		case stopped:
			return fmt.Errorf("analytics feed stopped before %s: %w", pos, errors.Join(ErrStopped, err))
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("wait for the analytics feed to reach %s: %w", pos, ctx.Err())
		}
	}
}

// ErrStopped is returned to a waiter when the publisher stopped.
var ErrStopped = errors.New("analytics feed stopped")

func (p *Publisher) advance(pos eventstore.Position) {
	p.mu.Lock()
	if p.pos.Before(pos) {
		p.pos = pos
		p.notifyLocked()
	}
	p.mu.Unlock()
}

// reset sets the position a session starts at (a republish moves it back).
func (p *Publisher) reset(pos eventstore.Position) {
	p.mu.Lock()
	p.pos = pos
	p.notifyLocked()
	p.mu.Unlock()
}

func (p *Publisher) notifyLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

package analyticsfeed

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/analytics"
	"github.com/waymark-org/waymark/eventstore"
)

// Republish deletes the feed's stream and registry and creates the stream again,
// published after from (eventstore.Start: the whole log), under cfg's analytics key:
// what a lost stream or a new key needs. Consumers must start again too (after a new
// key every pseudonym is new). The next Run publishes the events after from; the
// cases in the feed at from are found then, and publish their events after it.
//
// Use it when no publisher runs on the stream; a running one does it with its own
// Republish method. A crash between the delete and the create leaves no stream: the
// next Run creates it from the start of the log (more is published, never less).
func Republish(ctx context.Context, cfg Config, from eventstore.Position) error {
	cfg, err := cfg.check()
	if err != nil {
		return err
	}
	return resetFeed(ctx, cfg, from)
}

type republishRequest struct {
	from eventstore.Position
	done chan error
}

// Republish is Republish for a running publisher: its session stops, the feed is
// reset, and a new session publishes after from. It returns once the new stream
// exists, or with the reason it was refused (nothing changed then). Run must be
// running.
func (p *Publisher) Republish(ctx context.Context, from eventstore.Position) error {
	req := republishRequest{from: from, done: make(chan error, 1)}
	select {
	case p.republishes <- req:
	case <-ctx.Done():
		return fmt.Errorf("republish: %w", ctx.Err())
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("republish: %w", ctx.Err())
	}
}

// republish answers a request from within Run: errRestart when the feed was reset
// (the session must end), the refusal otherwise.
func (p *Publisher) republish(ctx context.Context, req republishRequest) error {
	err := resetFeed(ctx, p.cfg, req.from)
	if err == nil {
		p.reset(req.from) // so that a WaitFor after Republish waits for the new feed
	}
	req.done <- err
	if err != nil {
		return err
	}
	p.cfg.Logger.Info("analytics feed: republishing", "after", req.from.String())
	return errRestart
}

func resetFeed(ctx context.Context, cfg Config, from eventstore.Position) error {
	head, err := cfg.Store.Head(ctx)
	if err != nil {
		return fmt.Errorf("republish: read the log's head: %w", err)
	}
	if head.Before(from) {
		return fmt.Errorf("republish after %s: %w (its last is %s)", from, ErrBeyondHead, head)
	}
	// The stream first: a registry without its stream is emptied at the next start,
	// while a stream without its registry stops the publisher (ErrRegistryLost).
	if err := cfg.JS.DeleteStream(ctx, analytics.StreamName); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("republish: delete stream %s: %w", analytics.StreamName, err)
	}
	if cfg.resetStep != nil {
		if err := cfg.resetStep("stream deleted"); err != nil {
			return err
		}
	}
	if err := cfg.JS.DeleteKeyValue(ctx, RegistryBucket); err != nil && !errors.Is(err, jetstream.ErrBucketNotFound) {
		return fmt.Errorf("republish: delete the analytics registry: %w", err)
	}
	if cfg.resetStep != nil {
		if err := cfg.resetStep("registry deleted"); err != nil {
			return err
		}
	}
	if _, err := cfg.JS.CreateStream(ctx, StreamConfig(cfg.Pseudonymizer, from, cfg.Replicas)); err != nil {
		return fmt.Errorf("republish: create stream %s: %w", analytics.StreamName, err)
	}
	return nil
}

package kurrentdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/waymark-org/waymark/eventstore"
)

// transient reports a failure worth trying again: the server unreachable or restarting,
// a follower answering for the leader during an election, the client library's
// connection given up. Anything else (access denied, a malformed request, a stream
// deleted) fails at once.
func transient(err error) bool {
	if closedClient(err) {
		return true
	}
	var e *esdb.Error
	if errors.As(err, &e) {
		switch e.Code() {
		case esdb.ErrorUnavailable, esdb.ErrorCodeNotLeader, esdb.ErrorAborted,
			esdb.ErrorCodeConnectionClosed, esdb.ErrorCodeDeadlineExceeded:
			return true
		case esdb.ErrorCodeUnknown:
			return transientStatus(e.Err())
		}
		return false
	}
	return transientStatus(err)
}

func transientStatus(err error) bool {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.Aborted, codes.DeadlineExceeded:
		return true
	}
	return false
}

// attempt runs one call to the client library in a goroutine of its own, and returns
// when it does, when ctx ends or the store closes, or after RetryFor.
//
// This guards against two hazards of the library (v4.2.0): when it gives a
// connection up after failed rediscovery, its connection goroutine ends and calls
// queued behind the failed one wait for it forever; and closing a client while a call
// is queued makes that call panic (a send on a closed channel). A stuck call is
// abandoned (its goroutine leaks until the process ends) and reported as
// ErrorCodeConnectionClosed, so that the store starts a new client; a panic is
// recovered and reported the same way.
//
// fn's result comes back through a channel: an abandoned fn writes nothing its caller
// reads.
func attempt[T any](ctx context.Context, s *Store, c *esdb.Client, fn func(c *esdb.Client) (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: connectionClosed(fmt.Errorf("the client library failed: %v", p))}
			}
		}()
		v, err := fn(c)
		done <- result{v, err}
	}()
	t := time.NewTimer(s.cfg.RetryFor)
	defer t.Stop()
	var zero T
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	case <-s.ctx.Done():
		return zero, eventstore.ErrClosed
	case <-t.C:
		return zero, connectionClosed(fmt.Errorf("no answer from the client library in %s", s.cfg.RetryFor))
	}
}

// connectionClosed makes err a transient failure that starts a new client.
func connectionClosed(err error) error { return &stuckError{err: err} }

type stuckError struct{ err error }

func (e *stuckError) Error() string { return e.err.Error() }
func (e *stuckError) Unwrap() error { return e.err }

// closedClient reports the library's client having closed itself for good.
func closedClient(err error) bool {
	var stuck *stuckError
	if errors.As(err, &stuck) {
		return true
	}
	var e *esdb.Error
	return errors.As(err, &e) && e.Code() == esdb.ErrorCodeConnectionClosed
}

// retry runs fn until it succeeds, fails for good, ctx ends, the store closes, or
// RetryFor has passed since the first failure. fn gets the client to use.
func retry[T any](ctx context.Context, s *Store, op string, fn func(c *esdb.Client) (T, error)) (T, error) {
	var first time.Time
	var zero T
	for n := 1; ; n++ {
		c, err := s.conn()
		if err != nil {
			return zero, fmt.Errorf("%s: %w", op, err)
		}
		v, err := attempt(ctx, s, c, fn)
		if err == nil {
			return v, nil
		}
		if !transient(err) {
			return zero, s.opErr(op, err)
		}
		if s.isClosed() {
			return zero, fmt.Errorf("%s: %w", op, eventstore.ErrClosed)
		}
		if closedClient(err) {
			s.renew(c)
		}
		if first.IsZero() {
			first = time.Now()
		}
		if time.Since(first) > s.cfg.RetryFor {
			return zero, fmt.Errorf("%s: KurrentDB still unreachable after %s: %w", op, s.cfg.RetryFor, err)
		}
		if n == 1 || n%20 == 0 {
			s.logger.Warn("kurrentdb: retrying", "op", op, "attempt", n, "err", err)
		}
		if err := s.pause(ctx, n); err != nil {
			return zero, fmt.Errorf("%s: %w", op, err)
		}
	}
}

// opErr wraps err for op; a store closed under the call says so.
func (s *Store) opErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if s.isClosed() {
		return fmt.Errorf("%s: %w", op, eventstore.ErrClosed)
	}
	if transient(err) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w: %w", op, eventstore.ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", op, securityErr(err))
}

// conflictPause retries the first lost races at once, then waits a short random time
// (up to 2 ms) so that writers hammering one stream spread out.
func (s *Store) conflictPause(ctx context.Context, attempt int) error {
	if attempt < 3 {
		return ctx.Err()
	}
	return s.sleep(ctx, rand.N(min(time.Duration(attempt)*50*time.Microsecond, 2*time.Millisecond))+1)
}

// pause waits before attempt+1: 50 ms doubling up to 1 s.
func (s *Store) pause(ctx context.Context, attempt int) error {
	d := 50 * time.Millisecond << min(attempt-1, 5)
	return s.sleep(ctx, min(d, time.Second))
}

func (s *Store) sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-s.ctx.Done():
		return eventstore.ErrClosed
	case <-t.C:
		return nil
	}
}

package accesslog

import (
	"context"
	"errors"
	"sync"
	"time"
)

// batcher turns many concurrent Record calls into few publish rounds: while one round
// is in flight, new entries queue up and go together in the next one. Each caller
// waits for the round that carried its entries.
type batcher struct {
	publish func(context.Context, []Entry) error

	mu      sync.Mutex
	queue   []Entry
	waiters []chan error
	kick    chan struct{}
	done    chan struct{}
	stopped chan struct{}
}

var errClosed = errors.New("access log closed")

// publishTimeout bounds one round; a read waiting on it fails rather than hang.
const publishTimeout = 10 * time.Second

func newBatcher(publish func(context.Context, []Entry) error) *batcher {
	b := &batcher{publish: publish, kick: make(chan struct{}, 1), done: make(chan struct{}), stopped: make(chan struct{})}
	go b.run()
	return b
}

func (b *batcher) add(ctx context.Context, entries []Entry) error {
	wait := make(chan error, 1)
	b.mu.Lock()
	select {
	case <-b.done:
		b.mu.Unlock()
		return errClosed
	default:
	}
	b.queue = append(b.queue, entries...)
	b.waiters = append(b.waiters, wait)
	b.mu.Unlock()
	select {
	case b.kick <- struct{}{}:
	default:
	}
	select {
	case err := <-wait:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *batcher) run() {
	defer close(b.stopped)
	for {
		select {
		case <-b.kick:
		case <-b.done:
			b.fail(errClosed)
			return
		}
		b.mu.Lock()
		entries, waiters := b.queue, b.waiters
		b.queue, b.waiters = nil, nil
		b.mu.Unlock()
		if len(waiters) == 0 {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), publishTimeout)
		err := b.publish(ctx, entries)
		cancel()
		for _, w := range waiters {
			w <- err
		}
	}
}

func (b *batcher) fail(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, w := range b.waiters {
		w <- err
	}
	b.queue, b.waiters = nil, nil
}

func (b *batcher) close() {
	b.mu.Lock()
	select {
	case <-b.done:
	default:
		close(b.done)
	}
	b.mu.Unlock()
	<-b.stopped
}

package jskeys

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/waymark-org/waymark/sealing"
)

// A server that loads its read models from a snapshot reads every case key
// (ScanKeys) to open their blind indexes: at 100,000 cases, about 2 s on the start's
// critical path, after the event store has opened. Prescan starts that read as soon
// as the key store is open, while the event store recovers its stream and the
// snapshot is read; the first ScanKeys takes its result, unless a key was written
// since it began (then it reads again). A result nobody takes is dropped after
// prescanKeep.

// prescanKeep is how long a prescan's result waits for its ScanKeys.
const prescanKeep = time.Minute

// prescan is one background ScanKeys.
type prescan struct {
	done   chan struct{} // closed when keys and err are set
	keys   map[string]sealing.WrappedKey
	err    error
	writes uint64 // the writes begun when it began
	quiet  bool   // no write was under way when it began
	cancel context.CancelFunc
}

// prescans holds the prescan waiting for its ScanKeys (nil: none).
type prescans struct {
	pending atomic.Pointer[prescan]
	// begun and ended count the writes (Create, Replace, Destroy) begun and ended: a
	// prescan is good only if none was under way when it began and none began since.
	begun, ended atomic.Uint64
}

// writing counts a write from its beginning to its end: defer s.pre.writing()().
func (p *prescans) writing() func() {
	p.begun.Add(1)
	return func() { p.ended.Add(1) }
}

// quiet returns the writes begun so far, and whether none is under way.
func (p *prescans) quiet() (uint64, bool) {
	ended := p.ended.Load() // first: a write that ends after it shows in begun
	begun := p.begun.Load()
	return begun, begun == ended
}

// Prescan starts reading every case key in the background, for the next ScanKeys.
func (s *Store) Prescan() {
	ctx, cancel := context.WithTimeout(context.Background(), prescanKeep)
	p := &prescan{done: make(chan struct{}), cancel: cancel}
	p.writes, p.quiet = s.pre.quiet()
	if old := s.pre.pending.Swap(p); old != nil {
		old.cancel()
	}
	go func() {
		p.keys, p.err = s.scanKeys(ctx)
		close(p.done)
		<-ctx.Done() // taken (then cancelled), the store closed, or prescanKeep passed
		s.pre.pending.CompareAndSwap(p, nil)
	}()
}

// dropPrescan stops and forgets a prescan nobody took (Close).
func (s *Store) dropPrescan() {
	if p := s.pre.pending.Swap(nil); p != nil {
		p.cancel()
	}
}

// takePrescan returns the prescan's keys if one was started, read them all, and no
// write began since it did.
func (s *Store) takePrescan(ctx context.Context) (map[string]sealing.WrappedKey, bool) {
	p := s.pre.pending.Swap(nil)
	if p == nil {
		return nil, false
	}
	defer p.cancel()
	select {
	case <-p.done:
	case <-ctx.Done():
		return nil, false
	}
	if p.err != nil || !p.quiet || s.pre.begun.Load() != p.writes {
		return nil, false
	}
	return p.keys, true
}

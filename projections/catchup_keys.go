package projections

import (
	"context"
	"log/slog"
	"time"

	"github.com/waymark-org/waymark/sealing"
)

// catchUpKeysMin is how many messages behind the head a runner must start for the case
// read model to read every case key at once (Preloader) for the catch-up. A rebuild
// opens the blind index of every case it meets, one key-store round trip a case that
// the applying goroutine waits for; one pass over the key store costs a small part of
// that, but more than the few round trips of a short catch-up after a snapshot.
const catchUpKeysMin = 10_000

// catchUpper is a projection that prepares for a long catch-up: catchUp is called
// before the runner applies the first event, and the function it returns once the
// runner has caught up (or stops).
type catchUpper interface {
	// catchUp is given the key set a snapshot's load just read every case key into,
	// if it did (else nil).
	catchUp(ctx context.Context, logger *slog.Logger, loaded *sealing.KeySet) (end func())
}

// catchUp reads every case key in one pass (or takes the set the snapshot's load
// read them into, moments before); until end, blind indexes are opened with
// that key set (and a case it lacks, created since, by the unsealer as usual). Like a
// snapshot's load, the catch-up may open the index of a case whose key was destroyed
// after the pass, until it applies the case's erasure: the tokens are keyed hashes,
// and the erasure drops them. When the pass fails, the unsealer opens each case's as
// it comes, as without it.
func (c *Cases) catchUp(ctx context.Context, logger *slog.Logger, loaded *sealing.KeySet) func() {
	set := loaded
	if set == nil {
		p, ok := c.unsealer.(Preloader)
		if !ok {
			return func() {}
		}
		began := time.Now()
		var err error
		if set, err = p.Preload(ctx); err != nil {
			if ctx.Err() == nil {
				logger.Warn("projections: could not read every case key for the catch-up; opening each case's as it comes", "err", err)
			}
			return func() {}
		}
		logger.Info("projections: read every case key for the catch-up", "keys", set.Len(), "took", time.Since(began).Round(time.Millisecond))
	}
	c.catchUpKeys.Store(set)
	return func() { c.catchUpKeys.Store(nil) } // a key destroyed since the pass must not open again
}

package projections

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// SnapshotPrefetch reads, authenticates and decodes a snapshot file in the background:
// all of a load that needs neither the event store nor the case keys. A server starts
// one before it opens its stores, whose opening takes seconds on a large log (JetStream
// recovering its stream), and gives it to its Snapshots (SnapshotConfig.Prefetch),
// whose Load then takes the result instead of reading the file itself. Nothing of it
// reaches the read models before Load has checked the checkpoint against the store.
type SnapshotPrefetch struct {
	path string
	key  []byte // the file's MAC key
	done chan struct{}
	res  prefetched // set before done is closed
}

// prefetched is what a prefetch read: the file parsed and its sections decoded, the
// case views without their blind indexes (they need the case keys).
type prefetched struct {
	bytes      int
	parsed     *parsedSnapshot
	models     *readModels
	chunks     [][]*CaseView
	readTook   time.Duration // reading the file and checking its MAC
	decodeTook time.Duration
	err        error
}

// PrefetchSnapshot starts reading the snapshot cfg describes (Dir and HashKey); ctx
// ends the work early.
func PrefetchSnapshot(ctx context.Context, cfg SnapshotConfig) *SnapshotPrefetch {
	return startPrefetch(ctx, filepath.Join(cfg.Dir, snapshotFile), snapshotKey(cfg.HashKey))
}

// prefetchNow starts reading s's own file: a load that was given no prefetch.
func (s *Snapshots) prefetchNow(ctx context.Context) *SnapshotPrefetch {
	return startPrefetch(ctx, s.path, s.key)
}

func startPrefetch(ctx context.Context, path string, key []byte) *SnapshotPrefetch {
	p := &SnapshotPrefetch{path: path, key: key, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.res = readSnapshot(ctx, path, key)
	}()
	return p
}

// Done is closed once the prefetch has read all it will.
func (p *SnapshotPrefetch) Done() <-chan struct{} { return p.done }

// wait returns the prefetch's result once it is there.
func (p *SnapshotPrefetch) wait(ctx context.Context) (prefetched, error) {
	select {
	case <-p.done:
		return p.res, p.res.err
	case <-ctx.Done():
		return prefetched{}, ctx.Err()
	}
}

// readSnapshot reads, authenticates and decodes the snapshot at path: ErrNoSnapshot
// when there is no file, ErrSnapshotFormat or ErrSnapshotCorrupt when it cannot be
// used.
func readSnapshot(ctx context.Context, path string, key []byte) prefetched {
	began := time.Now()
	var p *parsedSnapshot
	raw, unmap, err := mapSnapshotFile(path)
	switch {
	case err == nil:
		defer unmap() // once decoded: nothing decoded refers to raw
		p, err = parseSnapshot(raw, key)
	case errors.Is(err, os.ErrNotExist):
		return prefetched{err: fmt.Errorf("%w: %s", ErrNoSnapshot, path)}
	case errors.Is(err, errNotMappable):
		var bodyMAC func() []byte
		raw, bodyMAC, err = readSnapshotFile(path, key)
		if errors.Is(err, os.ErrNotExist) {
			return prefetched{err: fmt.Errorf("%w: %s", ErrNoSnapshot, path)}
		}
		if err != nil {
			return prefetched{err: fmt.Errorf("%w: %w", ErrSnapshotCorrupt, err)}
		}
		p, err = parseSnapshotSummed(raw, bodyMAC)
	default:
		return prefetched{err: fmt.Errorf("%w: %w", ErrSnapshotCorrupt, err)}
	}
	if err != nil {
		return prefetched{err: err}
	}
	parsed := time.Now()
	m, chunks, err := decodeSections(ctx, p)
	p.sections, p.caseChunks = nil, nil // parts of raw
	if err != nil {
		return prefetched{err: err}
	}
	return prefetched{bytes: len(raw), parsed: p, models: m, chunks: chunks,
		readTook: parsed.Sub(began), decodeTook: time.Since(parsed)}
}

// errNotMappable: the snapshot file cannot be mapped into memory here (an empty file,
// a platform without it); it is read instead.
var errNotMappable = errors.New("snapshot file not mappable")

package analyticsfeed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// entry is what the registry holds of one case in the feed (doc.go): enough to finish
// an interrupted step, and to make the case leave without reading its events.
type entry struct {
	// Entry is the stored id of the grant event that brought the case into the feed
	// this time: its publications' ids are derived from it.
	Entry string `json:"entry"`
	// Entered is the log position it entered at (the grant's, or a republish's from).
	Entered string `json:"entered"`
	// Leaves is when its last covering grant expires.
	Leaves time.Time `json:"leaves"`
	// Jurisdictions it was published under, sorted: its tombstones go to each.
	Jurisdictions []string `json:"jurisdictions"`
	// Backfill is set while its history is being published.
	Backfill bool `json:"backfill,omitempty"`
	// Leaving is set from its first tombstone until the entry is deleted, and Left is
	// when it left (the withdrawal's or erasure's time, or the expiry): its
	// tombstones' day, the same whenever they are published.
	Leaving bool      `json:"leaving,omitempty"`
	Left    time.Time `json:"left,omitzero"`
}

func registryConfig(replicas int) jetstream.KeyValueConfig {
	return jetstream.KeyValueConfig{
		Bucket:      RegistryBucket,
		Description: "The cases in the analytics feed (Waymark's own account only)",
		History:     1,
		Storage:     jetstream.FileStorage,
		Replicas:    replicas,
	}
}

// registry is the bucket, with the test hook.
type registry struct {
	kv    jetstream.KeyValue
	after func(op, subject string) error
	// made: the bucket did not exist; it was made now (empty).
	made bool
}

func openRegistry(ctx context.Context, js jetstream.JetStream, replicas int, after func(op, subject string) error) (*registry, error) {
	kv, err := js.KeyValue(ctx, RegistryBucket)
	made := false
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		kv, err = js.CreateKeyValue(ctx, registryConfig(replicas))
		made = err == nil
	}
	if err != nil {
		return nil, fmt.Errorf("open the analytics registry: %w", err)
	}
	return &registry{kv: kv, after: after, made: made}, nil
}

func (r *registry) put(ctx context.Context, caseID string, e entry) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	raw, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("registry: encode an entry: %w", err)
	}
	if _, err := r.kv.Put(ctx, caseID, raw); err != nil {
		return fmt.Errorf("registry: write an entry: %w", err) // the case id stays out of the message
	}
	return r.done("registry")
}

func (r *registry) remove(ctx context.Context, caseID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := r.kv.Purge(ctx, caseID); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("registry: delete an entry: %w", err)
	}
	return r.done("registry")
}

func (r *registry) done(op string) error {
	if r.after != nil {
		return r.after(op, "")
	}
	return nil
}

// load returns every entry, by case id (not the read mark).
func (r *registry) load(ctx context.Context) (map[string]entry, error) {
	w, err := r.kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("registry: read: %w", err)
	}
	defer w.Stop()
	out := map[string]entry{}
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case kve, ok := <-w.Updates():
			if !ok {
				return nil, errors.New("registry: read: the watch ended")
			}
			if kve == nil { // every current value delivered
				return out, nil
			}
			if kve.Key() == markKey {
				continue // not a case (readmark.go)
			}
			var e entry
			if err := json.Unmarshal(kve.Value(), &e); err != nil {
				return nil, fmt.Errorf("registry: decode an entry: %w", err)
			}
			out[kve.Key()] = e
		}
	}
}

package analyticsfeed

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/waymark-org/waymark/analytics"
	"github.com/waymark-org/waymark/eventstore"
	wjs "github.com/waymark-org/waymark/eventstore/jetstream"
)

// The store makes the feed's stream at its start (so that the analysts' copy sources
// it from the first message) with the publisher's configuration but no metadata: the
// publisher adopts it and changes nothing else.
func TestOriginIsThePublishersStream(t *testing.T) {
	want := StreamConfig(analytics.Pseudonymizer{Key: testKey}, eventstore.Start, 1)
	want.Metadata = nil
	if got := wjs.OriginStreamConfig(1); !reflect.DeepEqual(got, want) {
		t.Errorf("the store's origin stream:\n%+v\nthe publisher's:\n%+v", got, want)
	}

	e := newEnv(t)
	info, err := e.js.Stream(t.Context(), analytics.StreamName)
	if err != nil {
		t.Fatalf("the store made no stream: %v", err)
	}
	if _, ok := info.CachedInfo().Config.Metadata[metaKey]; ok {
		t.Fatal("the store's stream already has a fingerprint")
	}
	a := e.refer("ana")
	e.grant(a, t0.AddDate(0, 6, 0))
	r := e.start(e.config(testKey))
	e.caughtUp(r)
	if got := len(e.stored()); got != 2 {
		t.Errorf("%d messages in the adopted stream, want 2", got)
	}
	st, err := e.js.Stream(t.Context(), analytics.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.CachedInfo().Config.Metadata[metaKey]; got != KeyFingerprint(analytics.Pseudonymizer{Key: testKey}) {
		t.Errorf("the adopted stream's fingerprint is %q", got)
	}
}

// A stream with messages but no fingerprint was published under a key nobody knows:
// refused, and left as it is.
func TestUnknownKeyRefused(t *testing.T) {
	e := newEnv(t)
	if _, err := e.js.Publish(t.Context(), "waymark.analytics.mx.tombstones", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	p, err := New(e.config(testKey))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(context.Background()); !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("Run on a stream of an unknown key: %v", err)
	}
	st, err := e.js.Stream(t.Context(), analytics.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.CachedInfo().Config.Metadata[metaKey]; ok {
		t.Error("the stream was adopted")
	}
}

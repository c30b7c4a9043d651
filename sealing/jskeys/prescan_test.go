package jskeys

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/waymark-org/waymark/sealing"
)

// A prescan's keys are what ScanKeys returns, once, when no key was written
// meanwhile; a Create, Replace or Destroy since it began makes ScanKeys read again.
// (A message written behind the store's back, which no write counts, shows which
// read answered.)
func TestPrescan(t *testing.T) {
	ctx := context.Background()
	ring := newRing(t, "kek-1")
	ks := openStore(t, t.TempDir())
	for i := range 20 {
		id := fmt.Sprintf("case-%d", i)
		if err := ks.Create(ctx, id, wrap(t, ring, id, make([]byte, 32))); err != nil {
			t.Fatal(err)
		}
	}
	// sneak stores a key no write of the store counts.
	sneak := func(id string) {
		t.Helper()
		if _, err := ks.js.PublishMsg(ctx, &nats.Msg{Subject: keySubject + id, Data: encodeRecord(wrap(t, ring, id, make([]byte, 32)))}); err != nil {
			t.Fatal(err)
		}
	}
	scan := func() []string {
		t.Helper()
		keys, err := ks.ScanKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Sorted(maps.Keys(keys))
	}
	prescanned := func() {
		t.Helper()
		ks.Prescan()
		<-ks.pre.pending.Load().done
	}
	all := scan()

	prescanned()
	sneak("sneaked-1")
	if got := scan(); !slices.Equal(got, all) {
		t.Fatalf("the prescan's keys: %v, want %v", got, all)
	}
	if got := scan(); !slices.Contains(got, "sneaked-1") {
		t.Fatal("a second ScanKeys took the prescan again")
	}
	all = scan()

	for _, write := range []struct {
		name string
		do   func() error
	}{
		{"Create", func() error { return ks.Create(ctx, "case-new", wrap(t, ring, "case-new", make([]byte, 32))) }},
		{"Replace", func() error { return ks.Replace(ctx, "case-1", wrap(t, ring, "case-1", make([]byte, 32))) }},
		{"Destroy", func() error { return ks.Destroy(ctx, "case-2") }},
	} {
		t.Run(write.name, func(t *testing.T) {
			prescanned()
			sneak("sneaked-" + write.name)
			if err := write.do(); err != nil {
				t.Fatal(err)
			}
			got := scan()
			if !slices.Contains(got, "sneaked-"+write.name) {
				t.Fatalf("ScanKeys took a prescan older than a %s", write.name)
			}
			if write.name == "Destroy" && slices.Contains(got, "case-2") {
				t.Fatal("a destroyed case's key was returned")
			}
		})
	}

	ks.Prescan()
	if err := ks.Close(); err != nil {
		t.Fatal(err)
	}
	if ks.pre.pending.Load() != nil {
		t.Error("a closed store keeps its prescan")
	}
	if _, err := ks.ScanKeys(ctx); err != sealing.ErrKeyStoreClosed {
		t.Errorf("ScanKeys after Close: %v", err)
	}
}

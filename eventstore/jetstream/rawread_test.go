package jetstream

import (
	"testing"

	"github.com/waymark-org/waymark/eventstore"
)

// ReadRaw reads every message once, empty store included (one message an append).
func TestReadRaw(t *testing.T) {
	s := mustOpen(t, Config{DataDir: t.TempDir()})
	defer s.Close()
	if n, err := ReadRaw(t.Context(), s); err != nil || n != 0 {
		t.Fatalf("empty store: %d, %v", n, err)
	}
	mustAppendT(t, s, "case-1", eventstore.NoStream, testEvents("a", 3)...)
	mustAppendT(t, s, "case-2", eventstore.NoStream, testEvents("b", 1)...)
	mustAppendT(t, s, "case-1", eventstore.Exact(2), testEvents("c", 2)...)
	if n, err := ReadRaw(t.Context(), s); err != nil || n != 3 {
		t.Fatalf("three appends: %d messages, %v", n, err)
	}
}

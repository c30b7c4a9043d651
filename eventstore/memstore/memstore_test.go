package memstore_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/memstore"
	"github.com/waymark-org/waymark/eventstore/storetest"
)

// TestConformance runs the suite every backend passes; Restart reopens the same
// events, as a restart would.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		cur := memstore.New(0)
		t.Cleanup(func() { cur.Close() })
		return storetest.Harness{
			Store: cur,
			Restart: func(t *testing.T) eventstore.Store {
				if err := cur.Close(); err != nil {
					t.Fatalf("close before restart: %v", err)
				}
				cur = cur.Reopen()
				return cur
			},
		}
	})
}

// What a caller reads is its own: changing it changes nothing stored, and the chain
// still verifies.
func TestReadsShareNoBytes(t *testing.T) {
	t.Parallel()
	s := memstore.New(0)
	defer s.Close()
	e := eventstore.EventData{ID: "e1", Type: "T", SchemaVersion: 1, Data: []byte(`{"a":1}`)}
	if _, err := s.Append(t.Context(), "case-1", eventstore.NoStream, e); err != nil {
		t.Fatal(err)
	}
	first, err := s.ReadStream(t.Context(), "case-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	clear(first[0].Raw)
	clear(first[0].Data)
	again, err := s.ReadStream(t.Context(), "case-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if string(again[0].Data) != `{"a":1}` {
		t.Errorf("stored data changed by a reader: %q", again[0].Data)
	}
	if err := eventstore.VerifyChain("case-1", again); err != nil {
		t.Error(err)
	}
}

// The size limit is the one given: an append over it is refused whole, and
// CheckAppendSize says so beforehand.
func TestMaxAppendBytes(t *testing.T) {
	t.Parallel()
	s := memstore.New(1000)
	defer s.Close()
	big := eventstore.EventData{ID: "e1", Type: "T", Data: []byte(`{"blob":"` + strings.Repeat("x", 1000) + `"}`)}
	if err := s.CheckAppendSize("case-1", big); !errors.Is(err, eventstore.ErrEventTooLarge) {
		t.Errorf("CheckAppendSize = %v, want ErrEventTooLarge", err)
	}
	if _, err := s.Append(t.Context(), "case-1", eventstore.Any, big); !errors.Is(err, eventstore.ErrEventTooLarge) {
		t.Errorf("Append = %v, want ErrEventTooLarge", err)
	}
	if head, _ := s.Head(t.Context()); !head.IsStart() {
		t.Errorf("a refused append moved the head to %s", head)
	}
}

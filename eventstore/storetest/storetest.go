// Package storetest is the conformance suite every eventstore backend passes.
//
// A backend's test calls Run with a function that opens the backend on fresh data:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.Harness { ... })
//	}
//
// Every subtest opens its own store, so subtests run in parallel.
package storetest

import (
	"testing"

	"github.com/waymark-org/waymark/eventstore"
)

// Harness is one backend instance on its own fresh, empty data.
type Harness struct {
	// Store is open on fresh, empty data.
	Store eventstore.Store
	// Restart closes the current store (Store, or what the last Restart returned) and
	// opens the backend again on the same data, as a process restart would.
	Restart func(t *testing.T) eventstore.Store
}

// Run runs every conformance test against the backend open returns, each as a
// parallel subtest with its own store. open must register a t.Cleanup that closes
// the current store; some tests close stores themselves, so Close must tolerate a
// second call.
func Run(t *testing.T, open func(t *testing.T) Harness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h Harness)
	}{
		{"AppendAndReadBack", testAppendAndReadBack},
		{"ExpectedRevision", testExpectedRevision},
		{"ReadStreamFromRevision", testReadStreamFromRevision},
		{"ReadMissingStream", testReadMissingStream},
		{"InvalidStreamName", testInvalidStreamName},
		{"NoEvents", testNoEvents},
		{"InvalidEventWritesNothing", testInvalidEventWritesNothing},
		{"TooLargeWritesNothing", testTooLargeWritesNothing},
		{"MultiEventAppendIsAtomic", testMultiEventAppendIsAtomic},
		{"GlobalOrderAcrossStreams", testGlobalOrderAcrossStreams},
		{"SubscribeFromMiddle", testSubscribeFromMiddle},
		{"SubscribeLiveFromEmpty", testSubscribeLiveFromEmpty},
		{"SubscriptionEnds", testSubscriptionEnds},
		{"PersistenceAcrossRestart", testPersistenceAcrossRestart},
		{"ConcurrentExactWriters", testConcurrentExactWriters},
		{"ConcurrentAnyWriters", testConcurrentAnyWriters},
		{"ConcurrentWritersOnManyStreams", testConcurrentWritersOnManyStreams},
		{"PositionOrdering", testPositionOrdering},
		{"ClosedStore", testClosedStore},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

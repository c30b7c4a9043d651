package api

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/waymark-org/waymark/api/graph"
)

// A request whose client went away ends with its own context cancelled under a store
// call. That is CANCELLED, not INTERNAL (a bug report, logged as an error); a
// cancelled context of the server's own, under a request that goes on, stays
// INTERNAL.
func TestCancelledRequestIsNotInternal(t *testing.T) {
	var logs bytes.Buffer
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &Resolver{}}).Schema()
	present := presentError(slog.New(slog.NewTextHandler(&logs, nil)), schema)
	storeErr := fmt.Errorf("sealing: case mac of case c-1: key store: get tombstone: %w", context.Canceled)

	gone, cancel := context.WithCancel(t.Context())
	cancel()
	got := present(gone, storeErr)
	if code := got.Extensions["code"]; code != CodeCancelled {
		t.Errorf("request cancelled: code %v, want %s", code, CodeCancelled)
	}
	if got.Message != cancelledMessage {
		t.Errorf("request cancelled: message %q", got.Message)
	}
	if logs.Len() != 0 {
		t.Errorf("a cancelled request was logged: %s", logs.String())
	}

	got = present(t.Context(), storeErr)
	if code := got.Extensions["code"]; code != CodeInternal {
		t.Errorf("server's context cancelled under a live request: code %v, want %s", code, CodeInternal)
	}
}

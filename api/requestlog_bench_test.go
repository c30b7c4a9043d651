package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkRequestLog is what LogRequests adds to a request (a request id, the
// exchange, one text log line to nowhere, a GraphQL timing) over the bare handler.
func BenchmarkRequestLog(b *testing.B) {
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		noteCaller(w, actorFrom(r.Context()))
		w.WriteHeader(http.StatusOK)
	})
	for name, h := range map[string]http.Handler{
		"bare":   bare,
		"logged": LogRequests(slog.New(slog.NewTextHandler(io.Discard, nil)), nil, bare),
	} {
		b.Run(name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				clear(w.Header())
				h.ServeHTTP(w, req)
			}
		})
	}
}

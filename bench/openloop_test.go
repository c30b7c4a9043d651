package bench

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Every request is answered and counted; a status other than 200 and an answer with
// GraphQL errors are errors, a clean answer is not.
func TestOpenLoopCountsErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			fmt.Fprint(w, `{"data":{"case":{"id":"1"}}}`)
		case "/graphql-error":
			fmt.Fprint(w, `{"errors":[{"message":"no","extensions":{"code":"NOT_FOUND"}}],"data":null}`)
		default:
			http.Error(w, "down", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	for _, tc := range []struct {
		path       string
		wantErrors bool
		wantText   string
	}{
		{"/ok", false, ""},
		{"/graphql-error", true, "NOT_FOUND"},
		{"/down", true, "503"},
	} {
		r, err := RunOpenLoop(t.Context(), OpenLoop{Targets: []Target{GetTarget(srv.URL + tc.path)}, Rate: 50, Duration: 200 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if r.Requests == 0 || len(r.Latencies) != r.Requests {
			t.Errorf("%s: %d requests, %d latencies", tc.path, r.Requests, len(r.Latencies))
		}
		if got := r.Errors > 0; got != tc.wantErrors || (tc.wantErrors && r.Errors != r.Requests) {
			t.Errorf("%s: %d errors of %d", tc.path, r.Errors, r.Requests)
		}
		if !strings.Contains(r.FirstError, tc.wantText) {
			t.Errorf("%s: first error %q, want it to say %q", tc.path, r.FirstError, tc.wantText)
		}
	}
}

package bench

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// The PostgreSQL baseline runs, appends exactly one event a transaction (Append
// checks the table) and reports a latency per transaction. .ci/run installs
// PostgreSQL, so CI runs all of it. The README's `go test ./...` must pass on a fresh
// machine with Go alone: there, what is checked is what the benchmarks rely on — that
// the absence is ErrNoPostgres, saying how to install it, so they report Waymark's
// figures without the ratio.
func TestPostgresBaseline(t *testing.T) {
	bin, err := FindPostgres()
	if errors.Is(err, ErrNoPostgres) {
		if !strings.Contains(err.Error(), "apt-get install postgresql") {
			t.Errorf("the error does not say how to install PostgreSQL: %v", err)
		}
		t.Logf("no PostgreSQL here (%v): only its absence is checked", err)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	pg, err := StartPostgres(t.Context(), bin)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	for _, clients := range []int{1, 4} {
		r, err := pg.Append(t.Context(), clients, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if r.Appends == 0 || r.PerSecond <= 0 {
			t.Fatalf("%d clients: %+v", clients, r)
		}
		if len(r.Latencies) != r.Appends {
			t.Errorf("%d clients: %d latencies for %d appends", clients, len(r.Latencies), r.Appends)
		}
	}
	// Streams of 20 events, each at versions 1..20 with no gaps.
	out, err := pg.query(t.Context(), "SELECT count(*) FROM (SELECT stream_id FROM events GROUP BY stream_id HAVING max(version) <> count(*) OR count(*) > 20) bad")
	if err != nil || out != "0" {
		t.Errorf("streams with gaps or over 20 events: %q, %v", out, err)
	}
}

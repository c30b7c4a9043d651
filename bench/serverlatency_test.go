package bench

import (
	"bufio"
	"strings"
	"testing"
	"time"
)

const metricsText = `# HELP waymark_graphql_request_duration_seconds How long a GraphQL request took.
# TYPE waymark_graphql_request_duration_seconds histogram
waymark_graphql_request_duration_seconds_bucket{operation_type="query",root_field="case",le="0.001"} 90
waymark_graphql_request_duration_seconds_bucket{operation_type="query",root_field="case",le="0.0025"} 99
waymark_graphql_request_duration_seconds_bucket{operation_type="query",root_field="case",le="0.005"} 100
waymark_graphql_request_duration_seconds_bucket{operation_type="query",root_field="case",le="+Inf"} 100
waymark_graphql_request_duration_seconds_bucket{operation_type="query",root_field="cases",le="0.001"} 1
waymark_graphql_request_duration_seconds_bucket{operation_type="query",root_field="cases",le="+Inf"} 7
waymark_graphql_request_duration_seconds_sum{operation_type="query",root_field="case"} 0.1
waymark_graphql_request_duration_seconds_count{operation_type="query",root_field="case"} 100
`

func readHistogram(t *testing.T, text, rootField string) Histogram {
	t.Helper()
	h, err := parseHistogram(bufio.NewScanner(strings.NewReader(text)), requestHistogram,
		map[string]string{"operation_type": "query", "root_field": rootField})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// The histogram of one root field, its buckets in order, and the bound its quantiles
// lie under.
func TestHistogramQuantile(t *testing.T) {
	h := readHistogram(t, metricsText, "case")
	if h.Count() != 100 || len(h.Bounds) != 4 {
		t.Fatalf("histogram %+v", h)
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.5, time.Millisecond}, {0.9, time.Millisecond}, {0.99, 2500 * time.Microsecond}, {1, 5 * time.Millisecond}} {
		if got, ok := h.Quantile(tc.q); !ok || got != tc.want {
			t.Errorf("quantile %v = %v, %v; want %v", tc.q, got, ok, tc.want)
		}
	}
	// Past the last finite bound, and no requests at all: no bound to give.
	if _, ok := readHistogram(t, metricsText, "cases").Quantile(0.99); ok {
		t.Error("a quantile past the last finite bound was given one")
	}
	if _, ok := readHistogram(t, metricsText, "dashboard").Quantile(0.99); ok {
		t.Error("a histogram with no requests gave a quantile")
	}
}

// Since counts what came after an earlier reading: the load's own requests.
func TestHistogramSince(t *testing.T) {
	before := readHistogram(t, metricsText, "case")
	after := readHistogram(t, strings.NewReplacer(`le="0.001"} 90`, `le="0.001"} 91`, `le="0.0025"} 99`, `le="0.0025"} 101`,
		`le="0.005"} 100`, `le="0.005"} 110`, `le="+Inf"} 100`, `le="+Inf"} 110`).Replace(metricsText), "case")
	d := after.Since(before)
	if d.Count() != 10 {
		t.Fatalf("since: %+v", d)
	}
	if got, ok := d.Quantile(0.99); !ok || got != 5*time.Millisecond {
		t.Errorf("since: p99 %v, %v", got, ok)
	}
	if after.Count() != 110 {
		t.Error("Since changed the reading it was called on")
	}
}

func TestHistogramRefusesMalformedLines(t *testing.T) {
	for _, text := range []string{
		requestHistogram + `{operation_type="query",root_field="case",le="x"} 1`,
		requestHistogram + `{operation_type="query",root_field="case",le="0.1"} many`,
		requestHistogram + `{operation_type="query" 1`,
	} {
		if _, err := parseHistogram(bufio.NewScanner(strings.NewReader(text)), requestHistogram,
			map[string]string{"root_field": "case"}); err == nil {
			t.Errorf("%q: accepted", text)
		}
	}
}

// The collector's count is read from its own line, beside the summary's quantiles
// that share its prefix; a page without it is an error, not zero.
func TestParseCounter(t *testing.T) {
	page := `# TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} 7.0875e-05
go_gc_duration_seconds_sum 0.003041065
go_gc_duration_seconds_count 11
`
	n, err := parseCounter(bufio.NewScanner(strings.NewReader(metricsText+page)), gcCount)
	if err != nil || n != 11 {
		t.Fatalf("count = %d, %v; want 11", n, err)
	}
	if _, err := parseCounter(bufio.NewScanner(strings.NewReader(metricsText)), gcCount); err == nil {
		t.Error("a page without the count gave one")
	}
	if _, err := parseCounter(bufio.NewScanner(strings.NewReader(gcCount+" many\n")), gcCount); err == nil {
		t.Error("a malformed count was read")
	}
}

// A reading since an earlier one holds the load's requests and collections only.
func TestServerReadingSince(t *testing.T) {
	before := ServerReading{Requests: readHistogram(t, metricsText, "case"), Collections: 11}
	after := ServerReading{Requests: readHistogram(t, strings.ReplaceAll(metricsText, "} 100", "} 103"), "case"), Collections: 15}
	got := after.Since(before)
	if got.Collections != 4 || got.Requests.Count() != 3 {
		t.Fatalf("since: %d collections, %d requests; want 4 and 3", got.Collections, got.Requests.Count())
	}
}

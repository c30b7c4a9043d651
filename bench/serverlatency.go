package bench

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// requestHistogram is the server's own timing of a GraphQL request, by operation
// type and root field (internal/metrics), on its admin listener's /metrics.
const requestHistogram = "waymark_graphql_request_duration_seconds_bucket"

// Histogram is a server histogram's cumulative counts by upper bound, in seconds,
// ascending (the last bound +Inf).
type Histogram struct {
	Bounds []float64
	Counts []uint64
}

// Count is how many requests the histogram holds.
func (h Histogram) Count() uint64 {
	if len(h.Counts) == 0 {
		return 0
	}
	return h.Counts[len(h.Counts)-1]
}

// Since is what h holds beyond before, an earlier reading of the same histogram.
func (h Histogram) Since(before Histogram) Histogram {
	out := Histogram{Bounds: h.Bounds, Counts: slices.Clone(h.Counts)}
	if slices.Equal(h.Bounds, before.Bounds) {
		for i := range out.Counts {
			out.Counts[i] -= min(out.Counts[i], before.Counts[i])
		}
	}
	return out
}

// Quantile is the bound the q-th quantile (0 < q ≤ 1) lies under: the smallest upper
// bound at least q of the requests took no longer than. A histogram only knows its
// buckets, so this is "≤ bound", not a value; ok is false without requests, or when
// the quantile lies past the last finite bound.
func (h Histogram) Quantile(q float64) (bound time.Duration, ok bool) {
	total := h.Count()
	if total == 0 {
		return 0, false
	}
	need := uint64(math.Ceil(q * float64(total)))
	for i, c := range h.Counts {
		if c >= need {
			if math.IsInf(h.Bounds[i], 1) {
				return 0, false
			}
			return time.Duration(h.Bounds[i] * float64(time.Second)), true
		}
	}
	return 0, false
}

// ServerReading is one reading of a server's own figures on its admin listener's
// /metrics: its timing of one kind of request, and how many garbage collections it
// has run. Two readings around a load give what the load's window held.
type ServerReading struct {
	// Requests is the server's own timing of the requests read: from its handler's
	// start to its end, without the client, the connection or the kernel's queues
	// that a client's latency also holds.
	Requests Histogram
	// Collections is how many garbage collections the server has run since it
	// started (go_gc_duration_seconds_count). At a large heap a collection comes
	// every few seconds and slows the requests of a fraction of a second, so a
	// latency's p99 depends on how many its window spans.
	Collections uint64
}

// Since is what r holds beyond before, an earlier reading of the same server.
func (r ServerReading) Since(before ServerReading) ServerReading {
	return ServerReading{Requests: r.Requests.Since(before.Requests), Collections: r.Collections - min(r.Collections, before.Collections)}
}

// Read reads the server's /metrics once: its timing of operationType requests to
// rootField, and its garbage collections.
func (s *Server) Read(ctx context.Context, operationType, rootField string) (ServerReading, error) {
	body, err := s.metrics(ctx)
	if err != nil {
		return ServerReading{}, err
	}
	h, err := parseHistogram(bufio.NewScanner(bytes.NewReader(body)), requestHistogram,
		map[string]string{"operation_type": operationType, "root_field": rootField})
	if err != nil {
		return ServerReading{}, fmt.Errorf("bench: the server's metrics: %w", err)
	}
	n, err := parseCounter(bufio.NewScanner(bytes.NewReader(body)), gcCount)
	if err != nil {
		return ServerReading{}, fmt.Errorf("bench: the server's metrics: %w", err)
	}
	return ServerReading{Requests: h, Collections: n}, nil
}

// gcCount is the Go collector's count of completed garbage collections.
const gcCount = "go_gc_duration_seconds_count"

// metrics is the server's /metrics page, whole.
func (s *Server) metrics(ctx context.Context) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.adminAddr+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: 5 * time.Second} // a server that does not answer fails the row, not the bench
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("bench: the server's metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("bench: the server's metrics: %s", resp.Status)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("bench: the server's metrics: %w", err)
	}
	return body, nil
}

// parseCounter reads the value of name, a metric without labels, from Prometheus's
// text format.
func parseCounter(lines *bufio.Scanner, name string) (uint64, error) {
	for lines.Scan() {
		value, ok := strings.CutPrefix(lines.Text(), name+" ")
		if !ok {
			continue
		}
		n, err := strconv.ParseFloat(value, 64) // the format's numbers are floats
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%s: malformed value %q", name, value)
		}
		return uint64(n), nil
	}
	if err := lines.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%s: not on the page", name)
}

// parseHistogram reads the buckets of name whose labels include want from
// Prometheus's text format. A histogram with no request yet has no lines: empty.
func parseHistogram(lines *bufio.Scanner, name string, want map[string]string) (Histogram, error) {
	type bucket struct {
		le    float64
		count uint64
	}
	var buckets []bucket
	for lines.Scan() {
		line := lines.Text()
		rest, ok := strings.CutPrefix(line, name+"{")
		if !ok {
			continue
		}
		labels, value, ok := strings.Cut(rest, "} ")
		if !ok {
			return Histogram{}, fmt.Errorf("malformed line %q", line)
		}
		got := map[string]string{}
		for pair := range strings.SplitSeq(labels, ",") {
			k, v, ok := strings.Cut(pair, "=")
			if !ok {
				return Histogram{}, fmt.Errorf("malformed labels in %q", line)
			}
			got[k] = strings.Trim(v, `"`)
		}
		matches := true
		for k, v := range want {
			matches = matches && got[k] == v
		}
		if !matches {
			continue
		}
		le, err := strconv.ParseFloat(got["le"], 64)
		if err != nil {
			return Histogram{}, fmt.Errorf("bound in %q: %w", line, err)
		}
		count, err := strconv.ParseFloat(value, 64) // the format's numbers are floats
		if err != nil {
			return Histogram{}, fmt.Errorf("count in %q: %w", line, err)
		}
		buckets = append(buckets, bucket{le, uint64(count)})
	}
	if err := lines.Err(); err != nil {
		return Histogram{}, err
	}
	slices.SortFunc(buckets, func(a, b bucket) int { return cmp.Compare(a.le, b.le) })
	var h Histogram
	for _, b := range buckets {
		h.Bounds, h.Counts = append(h.Bounds, b.le), append(h.Counts, b.count)
	}
	return h, nil
}

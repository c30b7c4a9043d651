package api_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/waymark-org/waymark/eventstore"
)

// outageStore is the node's real event store with an outage switch: while down, every
// append and head read fails as the JetStream store fails when its cluster has no
// leader (eventstore.ErrUnavailable around the NATS timeout).
type outageStore struct {
	eventstore.Store
	down atomic.Bool
}

func (s *outageStore) err(op string) error {
	return fmt.Errorf("%s: %w: %w", op, eventstore.ErrUnavailable, nats.ErrTimeout)
}

func (s *outageStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if s.down.Load() {
		return eventstore.AppendResult{}, s.err("append to " + stream)
	}
	return s.Store.Append(ctx, stream, expected, events...)
}

func (s *outageStore) ReadStream(ctx context.Context, stream string, from uint64) ([]eventstore.RecordedEvent, error) {
	if s.down.Load() {
		return nil, s.err("read stream " + stream)
	}
	return s.Store.ReadStream(ctx, stream, from)
}

// A store that does not answer (a node lost, an election) is UNAVAILABLE with a
// sentence saying to retry, never INTERNAL; the store's own words (stream names,
// case ids) stay in the server's log, rate-limited, and out of the response. Once
// the store answers again, the same command goes through.
func TestStoreOutageIsUnavailable(t *testing.T) {
	h, store, id := harnessWrapping(t, nil, func(s eventstore.Store) *outageStore { return &outageStore{Store: s} })

	store.down.Store(true)
	note := map[string]any{"commandId": "u-note", "caseId": id, "text": "seen at the shelter"}
	_, resp := h.mutate(caseworker, "addCaseNote", "AddCaseNoteInput", note)
	if resp.code() != "UNAVAILABLE" {
		t.Fatalf("a mutation while the store is down: %q %+v; want UNAVAILABLE", resp.code(), resp.Errors)
	}
	msg := resp.Errors[0].Message
	if !strings.Contains(msg, "retry") || strings.Contains(msg, id) || strings.Contains(msg, "case-") {
		t.Errorf("UNAVAILABLE says %q: want a retry sentence without the store's words", msg)
	}
	if !strings.Contains(h.logs.String(), "a store did not answer in time") {
		t.Error("the outage is not in the server's log")
	}

	store.down.Store(false)
	retryGoesThroughOnce(t, h, id, note, "the outage")
}

// harnessWrapping starts a harness whose node's event store is wrap of its own (set
// up by setUp first, if any), registers the coalition and refers a case: it returns
// the wrapper and the case's id.
func harnessWrapping[S eventstore.Store](t *testing.T, setUp func(*harness), wrap func(eventstore.Store) S) (*harness, S, string) {
	t.Helper()
	var store S
	h := newHarnessWith(t, func(h *harness) {
		if setUp != nil {
			setUp(h)
		}
		h.wrapEvents = func(s eventstore.Store) eventstore.Store {
			store = wrap(s)
			return store
		}
	})
	h.coalition()
	return h, store, h.refer("refer")
}

// retryGoesThroughOnce sends the note again, once the store answers: it is stored,
// once.
func retryGoesThroughOnce(t *testing.T, h *harness, id string, note map[string]any, after string) {
	t.Helper()
	res, resp := h.mutate(caseworker, "addCaseNote", "AddCaseNoteInput", note)
	if len(resp.Errors) > 0 {
		t.Fatalf("the same command once the store answers: %+v", resp.Errors)
	}
	if got := h.readCase(id, res.Position); len(got.Notes) != 1 {
		t.Errorf("the note retried after %s is there %d times, want once", after, len(got.Notes))
	}
}

// hangingStore is the node's real event store whose appends, while hung, wait for
// their context to end, as an append waits on a cluster that never answers.
type hangingStore struct {
	eventstore.Store
	hung atomic.Bool
}

func (s *hangingStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if s.hung.Load() {
		<-ctx.Done()
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", stream, ctx.Err())
	}
	return s.Store.Append(ctx, stream, expected, events...)
}

// A request waiting on a store that never answers ends at its deadline
// (Config.RequestTimeout), UNAVAILABLE with a sentence saying to retry, instead of
// holding its client for ever; meanwhile another caseworker's reads are answered;
// once the store answers, the same command goes through, once.
func TestRequestEndsAtItsDeadline(t *testing.T) {
	h, store, id := harnessWrapping(t, func(h *harness) { h.requestTimeout = 300 * time.Millisecond },
		func(s eventstore.Store) *hangingStore { return &hangingStore{Store: s} })

	store.hung.Store(true)
	note := map[string]any{"commandId": "d-note", "caseId": id, "text": "seen at the shelter"}
	done := make(chan gqlResponse, 1)
	began := time.Now()
	go func() {
		_, resp := h.mutate(caseworker, "addCaseNote", "AddCaseNoteInput", note)
		done <- resp
	}()
	var read struct{ Case caseDoc }
	h.must(caseworker, caseQuery, map[string]any{"id": id}, &read)
	if read.Case.ID != id {
		t.Errorf("a read while another request hangs: %+v", read.Case)
	}
	resp := <-done
	if took := time.Since(began); took > 10*time.Second {
		t.Errorf("the hung request ended after %s", took)
	}
	if resp.code() != "UNAVAILABLE" || !strings.Contains(resp.Errors[0].Message, "retry") {
		t.Fatalf("a request past its deadline: %q %+v; want UNAVAILABLE with a retry sentence", resp.code(), resp.Errors)
	}
	if logs := h.logs.String(); !strings.Contains(logs, "request ended at its deadline") || strings.Contains(logs, "seen at the shelter") {
		t.Error("the deadline is not in the server's log, or the note's text is")
	}

	store.hung.Store(false)
	retryGoesThroughOnce(t, h, id, note, "the deadline")
}

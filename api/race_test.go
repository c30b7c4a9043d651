package api_test

import (
	"fmt"
	"sync"
	"testing"
)

// raceRounds and racers: 64 commands at once on one case, several times over.
const (
	raceRounds = 5
	racers     = 64
)

// TestRacingCommandsOnOneCase: 64 goroutines send a command on one case at once, each
// expecting the version it read. Exactly one wins each round; every loser gets
// CONFLICT naming the version the case actually has, and nothing of it is written:
// the case's versions go up by one a round, with no gap and none twice.
func TestRacingCommandsOnOneCase(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("race-refer")
	version := 1
	for round := range raceRounds {
		type outcome struct {
			res    caseResult
			code   string
			actual any
		}
		outcomes := make([]outcome, racers)
		var start, done sync.WaitGroup
		start.Add(1)
		for i := range racers {
			done.Add(1)
			go func() {
				defer done.Done()
				start.Wait()
				res, resp := h.mutate(caseworker, "addCaseNote", "AddCaseNoteInput", map[string]any{
					"commandId": fmt.Sprintf("race-%d-%d", round, i), "caseId": id, "text": "racing", "expectedVersion": version,
				})
				o := outcome{res: res, code: resp.code()}
				if len(resp.Errors) > 0 {
					o.actual = resp.Errors[0].Extensions["actualVersion"]
				}
				outcomes[i] = o
			}()
		}
		start.Done()
		done.Wait()

		winners := 0
		for i, o := range outcomes {
			switch o.code {
			case "":
				winners++
				if o.res.Version != version+1 {
					t.Errorf("round %d: the winner wrote version %d, want %d", round, o.res.Version, version+1)
				}
			case "CONFLICT":
				// JSON numbers decode as float64.
				if o.actual != float64(version+1) {
					t.Errorf("round %d racer %d: CONFLICT with actualVersion %v, want %d", round, i, o.actual, version+1)
				}
			default:
				t.Errorf("round %d racer %d: code %q, want CONFLICT or success", round, i, o.code)
			}
		}
		if winners != 1 {
			t.Fatalf("round %d: %d winners, want exactly 1", round, winners)
		}
		version++
	}
	if n := h.streamLen("case-" + id); n != version {
		t.Errorf("the case has %d events, want %d: one a round", n, version)
	}
	var got struct {
		Case struct {
			Journey []struct{ Version int }
		}
	}
	h.must(caseworker, `query($id: ID!) { case(id: $id) { journey { version } } }`, map[string]any{"id": id}, &got)
	for i, step := range got.Case.Journey {
		if step.Version != i+1 {
			t.Fatalf("journey versions %+v: a gap or a repeat at %d", got.Case.Journey, i)
		}
	}
}

// TestOneCommandRetriedByManyAtOnce: the same command (one id, one input) sent by 64
// goroutines at once is appended once, and every one of them gets its result.
func TestOneCommandRetriedByManyAtOnce(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("retry-refer")
	cmd := map[string]any{"commandId": "retry-note", "caseId": id, "text": "once", "expectedVersion": 1}
	results := make([]caseResult, racers)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range racers {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			res, resp := h.mutate(caseworker, "addCaseNote", "AddCaseNoteInput", cmd)
			if len(resp.Errors) > 0 {
				t.Errorf("retry %d: %+v", i, resp.Errors)
			}
			results[i] = res
		}()
	}
	start.Done()
	done.Wait()
	for i, r := range results {
		if r != results[0] || r.Version != 2 {
			t.Fatalf("retry %d got %+v, retry 0 %+v; want the same result at version 2", i, r, results[0])
		}
	}
	if n := h.streamLen("case-" + id); n != 2 {
		t.Errorf("the case has %d events, want 2: the note once", n)
	}
}

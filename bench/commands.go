package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// CommandLoad is the command workload: Clients concurrent clients, each with its own
// connection, each opening a case with a referral and then adding NotesPerCase case
// notes to it before opening the next — every command a durable write, as a case
// worker's day is. Each client waits for its answer before sending the next (closed
// loop).
type CommandLoad struct {
	URL          string   // the GraphQL endpoint
	Tokens       []string // a caseworker's bearer token per client: each client is its own user
	Organisation string   // the caseworker's organisation: the referring organisation
	Jurisdiction string   // where the cases are referred
	Clients      int
	NotesPerCase int // 19: cases of 20 events
	// RunID makes the command ids of this run its own (a retry of an id is answered
	// from the first result, not written again).
	RunID string
}

// CommandResult is what a run measured.
type CommandResult struct {
	Commands  int
	Elapsed   time.Duration
	Latencies []time.Duration // one per command, in no order
}

// PerSecond is the rate of commands.
func (r CommandResult) PerSecond() float64 { return float64(r.Commands) / r.Elapsed.Seconds() }

// The two commands, with their inputs as variables (as a client sends them).
const (
	referQuery = `mutation($in: ReferSurvivorInput!) { referSurvivor(input: $in) { caseId version } }`
	noteQuery  = `mutation($in: AddCaseNoteInput!) { addCaseNote(input: $in) { version } }`
	noteText   = "Called her at the shelter: the bank appointment is on Tuesday at ten; she asked for a female adviser and for the letter in Spanish."
)

// RunCommands runs n commands of the load, spread over its clients, and returns what
// it measured; the first failed command ends the run with its error.
func RunCommands(ctx context.Context, load CommandLoad, n int) (CommandResult, error) {
	return runCommands(ctx, load, func(i int64, _ time.Time) bool { return i <= int64(n) })
}

// RunCommandsFor runs the load for d: no client starts a command after d, and the
// ones under way are waited for.
func RunCommandsFor(ctx context.Context, load CommandLoad, d time.Duration) (CommandResult, error) {
	return runCommands(ctx, load, func(_ int64, start time.Time) bool { return time.Since(start) < d })
}

// runCommands runs commands while more(i, start) says so for the i-th command (from 1).
func runCommands(ctx context.Context, load CommandLoad, more func(i int64, start time.Time) bool) (CommandResult, error) {
	if load.Clients < 1 || load.NotesPerCase < 0 || len(load.Tokens) != load.Clients {
		return CommandResult{}, errors.New("bench: at least one client, a token per client, and notes per case ≥ 0")
	}
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: load.Clients, DisableCompression: true,
	}, Timeout: time.Minute}
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		next      atomic.Int64
		latencies = make([][]time.Duration, load.Clients)
		errs      = make([]error, load.Clients)
		wg        sync.WaitGroup
	)
	start := time.Now()
	for c := range load.Clients {
		wg.Go(func() {
			w := commandClient{load: load, http: client, id: c}
			for {
				i := next.Add(1)
				if !more(i, start) {
					return
				}
				began := time.Now()
				if err := w.next(ctx, i); err != nil {
					errs[c] = err
					cancel()
					return
				}
				latencies[c] = append(latencies[c], time.Since(began))
			}
		})
	}
	wg.Wait()
	r := CommandResult{Elapsed: time.Since(start)}
	if err := errors.Join(errs...); err != nil {
		return r, err
	}
	for _, l := range latencies {
		r.Latencies = append(r.Latencies, l...)
	}
	r.Commands = len(r.Latencies)
	return r, nil
}

// commandClient is one client: the case it is on and the notes it has added to it.
type commandClient struct {
	load  CommandLoad
	http  *http.Client
	id    int
	cases int
	notes int
	open  string // the case id; "" before the first referral
}

// next sends command i: a referral when no case is open or the case has its notes,
// else a note.
func (w *commandClient) next(ctx context.Context, i int64) error {
	commandID := fmt.Sprintf("%s-%d-%d", w.load.RunID, w.id, i)
	if w.open == "" || w.notes == w.load.NotesPerCase {
		w.cases++
		var out struct {
			ReferSurvivor struct{ CaseID string } `json:"referSurvivor"`
		}
		err := w.post(ctx, referQuery, map[string]any{
			"commandId": commandID, "referringOrganisationId": w.load.Organisation,
			"jurisdiction": w.load.Jurisdiction, "needs": []string{"BANK_ACCOUNT", "ID_DOCUMENT"},
			"barriers": []string{"NO_ID"},
			"survivor": map[string]any{"fullName": fmt.Sprintf("Bench Survivor %d %d", w.id, w.cases), "dateOfBirth": "1994-05-17"},
		}, &out)
		if err != nil {
			return fmt.Errorf("referSurvivor: %w", err)
		}
		w.open, w.notes = out.ReferSurvivor.CaseID, 0
		return nil
	}
	w.notes++
	if err := w.post(ctx, noteQuery, map[string]any{"commandId": commandID, "caseId": w.open, "text": noteText}, nil); err != nil {
		return fmt.Errorf("addCaseNote: %w", err)
	}
	return nil
}

// post sends one command with its input as the variable $in.
func (w *commandClient) post(ctx context.Context, query string, input map[string]any, out any) error {
	return graphQL(ctx, w.http, w.load.URL, w.load.Tokens[w.id], query, map[string]any{"in": input}, out)
}

package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// OpenLoop is a read load at a fixed arrival rate: requests leave at Rate a second for
// Duration whether or not the earlier ones were answered (an open loop, driven by
// vegeta), so a slow answer holds back no later request and shows in the latencies as
// the users queued behind it would see it. A closed loop would slow down with the
// server and hide exactly that.
type OpenLoop struct {
	Targets  []Target // sent in turn
	Rate     int      // requests a second
	Duration time.Duration
}

// Target is one request of an open loop.
type Target = vegeta.Target

// LoadResult is what an open-loop run measured. Latencies are every request's,
// failed ones included.
type LoadResult struct {
	Requests   int
	Errors     int    // a transport error, a status other than 200, or a GraphQL error
	FirstError string // the first error's text
	Elapsed    time.Duration
	Latencies  []time.Duration
}

// PerSecond is the rate the answers came at.
func (r LoadResult) PerSecond() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// RunOpenLoop sends the load and waits for every answer.
func RunOpenLoop(ctx context.Context, l OpenLoop) (LoadResult, error) {
	if len(l.Targets) == 0 || l.Rate < 1 || l.Duration <= 0 {
		return LoadResult{}, errors.New("bench: an open loop needs targets, a rate and a duration")
	}
	attacker := vegeta.NewAttacker(vegeta.Timeout(30*time.Second), vegeta.KeepAlive(true), vegeta.Redirects(vegeta.NoFollow))
	stop := context.AfterFunc(ctx, func() { attacker.Stop() })
	defer stop()
	var r LoadResult
	start := time.Now()
	for res := range attacker.Attack(vegeta.NewStaticTargeter(l.Targets...), vegeta.Rate{Freq: l.Rate, Per: time.Second}, l.Duration, "") {
		r.Requests++
		r.Latencies = append(r.Latencies, res.Latency)
		if err := answerError(res); err != "" {
			if r.Errors++; r.FirstError == "" {
				r.FirstError = err
			}
		}
	}
	r.Elapsed = time.Since(start)
	if err := ctx.Err(); err != nil {
		return r, err
	}
	return r, nil
}

// answerError is why a result failed, or "".
func answerError(res *vegeta.Result) string {
	if res.Error != "" {
		return res.Error
	}
	if res.Code != http.StatusOK {
		return fmt.Sprintf("HTTP %d", res.Code)
	}
	if !bytes.Contains(res.Body, []byte(`"errors"`)) { // the usual case: no decoding
		return ""
	}
	var answer struct {
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(res.Body, &answer); err != nil {
		return fmt.Sprintf("undecodable answer: %v", err)
	}
	if len(answer.Errors) > 0 {
		return fmt.Sprintf("%s (%v)", answer.Errors[0].Message, answer.Errors[0].Extensions["code"])
	}
	return ""
}

// GraphQLTargets is one POST of query per set of variables, with the bearer token.
func GraphQLTargets(url, token, query string, variables []map[string]any) ([]Target, error) {
	header := http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + token}}
	targets := make([]Target, 0, len(variables))
	for _, v := range variables {
		body, err := json.Marshal(map[string]any{"query": query, "variables": v})
		if err != nil {
			return nil, err
		}
		targets = append(targets, Target{Method: http.MethodPost, URL: url, Body: body, Header: header})
	}
	return targets, nil
}

// GetTarget is a plain GET of url: an HTTP floor to set a read's latency against.
func GetTarget(url string) Target { return Target{Method: http.MethodGet, URL: url} }

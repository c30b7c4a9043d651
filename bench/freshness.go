package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// FreshnessLoad measures how soon a command's write can be read: one client refers a
// case, then adds notes to it one at a time (a new case every 19 notes, as
// CommandLoad); after each answer it reads the case back with the answer's position as
// minPosition — the API's read-your-writes wait, which returns once the read models
// have applied the write — and then reads it again without it, when there is nothing
// left to wait for: the same read's own round trip, the floor of the first.
type FreshnessLoad struct {
	URL          string // the GraphQL endpoint
	Token        string // a caseworker's bearer token
	Organisation string // the caseworker's organisation
	Jurisdiction string
	Samples      int
	RunID        string // makes the command ids of this run its own
	// Feed, if set, is an analyst's login: each sample also waits for the command's
	// message on the de-identified feed. Only the cases whose survivor consented to
	// coalition analytics are in it: each case the client refers gets a grant to
	// AnalyticsRecipient, a coalition organisation, first.
	Feed               *FeedLogin
	AnalyticsRecipient string
}

// FreshnessResult is, per sample, the time from a command's answer to the first read
// that shows its write, and the same read's round trip with nothing to wait for.
type FreshnessResult struct {
	Fresh []time.Duration
	Read  []time.Duration
	// Feed is, per sample but the first, the time from a command's answer to its
	// message's arrival on the feed (with FreshnessLoad.Feed), and FeedFresh the same
	// samples' Fresh: its baseline. FeedErr is why the feed stopped being sampled, if
	// it did (the read model's figures go on without it).
	Feed, FeedFresh []time.Duration
	FeedErr         error
}

// Feed waits: the first sample's message also waits for the feed to read past
// everything the load before it wrote (the command runs write faster than the feed
// reads, at their highest rates; none of their cases is in the feed, but each event is
// read), so it is not a sample; a later one has only its own message to wait for.
const (
	feedDrain   = 5 * time.Minute
	feedTimeout = 30 * time.Second
)

const (
	freshNoteQuery  = `mutation($in: AddCaseNoteInput!) { addCaseNote(input: $in) { version position } }`
	freshReadQuery  = `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) { version } }`
	freshGrantQuery = `mutation($in: GrantConsentInput!) { grantConsent(input: $in) { version } }`
)

// RunFreshness takes load.Samples samples, one after the other on an otherwise idle
// server: the floor a user sees, not its figure under load.
func RunFreshness(ctx context.Context, load FreshnessLoad) (FreshnessResult, error) {
	if load.Samples < 1 {
		return FreshnessResult{}, errors.New("bench: freshness needs at least one sample")
	}
	hc := &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: time.Minute}
	defer hc.CloseIdleConnections()
	post := func(query string, vars map[string]any, out any) error {
		return graphQL(ctx, hc, load.URL, load.Token, query, vars, out)
	}
	var (
		r      FreshnessResult
		caseID string
		notes  = 19
		feed   *feedWatch
	)
	if load.Feed != nil {
		w, err := watchFeed(*load.Feed)
		if err != nil {
			r.FeedErr = err
		} else {
			feed = w
			defer w.close()
		}
	}
	for i := range load.Samples {
		if notes == 19 {
			var out struct {
				ReferSurvivor struct{ CaseID string } `json:"referSurvivor"`
			}
			if err := post(referQuery, map[string]any{"in": map[string]any{
				"commandId": fmt.Sprintf("%s-fresh-refer-%d", load.RunID, i), "referringOrganisationId": load.Organisation,
				"jurisdiction": load.Jurisdiction, "needs": []string{"BANK_ACCOUNT"}, "barriers": []string{"NO_ID"},
				"survivor": map[string]any{"fullName": fmt.Sprintf("Fresh Survivor %d", i), "dateOfBirth": "1994-05-17"},
			}}, &out); err != nil {
				return r, fmt.Errorf("freshness: referSurvivor: %w", err)
			}
			caseID, notes = out.ReferSurvivor.CaseID, 0
			if feed != nil {
				if err := post(freshGrantQuery, map[string]any{"in": map[string]any{
					"commandId": fmt.Sprintf("%s-fresh-grant-%d", load.RunID, i), "caseId": caseID,
					"recipientOrganisationId": load.AnalyticsRecipient, "categories": []string{"BANKING"},
					"purposes": []string{"COALITION_ANALYTICS"}, "expiresAt": time.Now().AddDate(1, 0, 0).UTC().Format(time.RFC3339),
				}}, nil); err != nil {
					return r, fmt.Errorf("freshness: grantConsent: %w", err)
				}
			}
		}
		var wrote struct {
			AddCaseNote struct {
				Version  int
				Position string
			} `json:"addCaseNote"`
		}
		if err := post(freshNoteQuery, map[string]any{"in": map[string]any{
			"commandId": fmt.Sprintf("%s-fresh-note-%d", load.RunID, i), "caseId": caseID, "text": noteText,
		}}, &wrote); err != nil {
			return r, fmt.Errorf("freshness: addCaseNote: %w", err)
		}
		notes++
		answered := time.Now()
		if err := readVersion(post, caseID, wrote.AddCaseNote.Position, wrote.AddCaseNote.Version); err != nil {
			return r, err
		}
		r.Fresh = append(r.Fresh, time.Since(answered))
		began := time.Now()
		if err := readVersion(post, caseID, "", wrote.AddCaseNote.Version); err != nil {
			return r, err
		}
		r.Read = append(r.Read, time.Since(began))
		if feed == nil {
			continue
		}
		timeout := feedTimeout
		if i == 0 {
			timeout = feedDrain
		}
		at, err := feed.wait(ctx, wrote.AddCaseNote.Position, timeout)
		switch {
		case err != nil:
			r.FeedErr, feed = err, nil
		case i > 0:
			r.Feed = append(r.Feed, at.Sub(answered))
			r.FeedFresh = append(r.FeedFresh, r.Fresh[len(r.Fresh)-1])
		}
	}
	return r, nil
}

// readVersion reads the case (waiting for minPosition, unless "") and checks that it
// shows at least version.
func readVersion(post func(string, map[string]any, any) error, caseID, minPosition string, version int) error {
	vars := map[string]any{"id": caseID}
	if minPosition != "" {
		vars["min"] = minPosition
	}
	var read struct {
		Case struct{ Version int } `json:"case"`
	}
	if err := post(freshReadQuery, vars, &read); err != nil {
		return fmt.Errorf("freshness: read case: %w", err)
	}
	if read.Case.Version < version {
		return fmt.Errorf("freshness: read case %s at version %d after the command answered version %d (minPosition %q)",
			caseID, read.Case.Version, version, minPosition)
	}
	return nil
}

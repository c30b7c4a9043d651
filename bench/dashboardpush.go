package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// DashboardPushLoad measures change → push: an analyst subscribes to dashboardUpdated
// over the websocket (graphql-transport-ws) for one organisation's current month, and
// a caseworker of it refers survivors one at a time. The month is provisional, so its
// published referrals move only every MinCell-th referral: once a first push shows
// where the count stands, each sample refers MinCell−1 survivors, then one more, and
// times from that one's answer to the push that shows it.
type DashboardPushLoad struct {
	URL          string // the GraphQL endpoint
	Token        string // a caseworker's bearer token
	AnalystToken string // who subscribes
	Organisation string // the caseworker's organisation
	Jurisdiction string
	MinCell      int
	Samples      int
	RunID        string // makes the command ids of this run its own
}

const dashboardPushQuery = `subscription($f: DashboardFilter!) { dashboardUpdated(filter: $f) { figures { figure months { value } } } }`

// pushTimeout bounds the wait for one push: far past the aim (a second).
const pushTimeout = 30 * time.Second

type push struct {
	at        time.Time
	referrals int
}

// RunDashboardPush takes load.Samples samples of change → push.
func RunDashboardPush(ctx context.Context, load DashboardPushLoad) ([]time.Duration, error) {
	if load.Samples < 1 || load.MinCell < 1 {
		return nil, errors.New("bench: dashboard push needs samples and k")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pushes, err := subscribeDashboard(ctx, load)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: time.Minute}
	defer hc.CloseIdleConnections()
	n := 0
	refer := func() (time.Time, error) {
		n++
		err := graphQL(ctx, hc, load.URL, load.Token, referQuery, map[string]any{"in": map[string]any{
			"commandId": fmt.Sprintf("%s-push-refer-%d", load.RunID, n), "referringOrganisationId": load.Organisation,
			"jurisdiction": load.Jurisdiction, "needs": []string{"BANK_ACCOUNT"}, "barriers": []string{"NO_ID"},
			"survivor": map[string]any{"fullName": fmt.Sprintf("Push Survivor %d", n), "dateOfBirth": "1994-05-17"},
		}}, nil)
		return time.Now(), err
	}
	next := func(after int, timeout time.Duration) (push, error) {
		t := time.NewTimer(timeout)
		defer t.Stop()
		for {
			select {
			case p, ok := <-pushes:
				if !ok {
					return push{}, errors.New("dashboard push: the subscription ended")
				}
				if p.referrals != after {
					return p, nil
				}
			case <-t.C:
				return push{}, errTimeout
			}
		}
	}
	first, err := next(-1, pushTimeout)
	if err != nil {
		return nil, err
	}
	// Where the count stands: refer until a push shows the published count move; the
	// referral just before it made it a multiple of k.
	shown := first.referrals
	for calibrated := false; !calibrated; {
		if n > 2*load.MinCell {
			return nil, fmt.Errorf("dashboard push: %d referrals and the published count never moved from %d", n, shown)
		}
		if _, err := refer(); err != nil {
			return nil, fmt.Errorf("dashboard push: referSurvivor: %w", err)
		}
		p, err := next(shown, 2*time.Second)
		switch {
		case errors.Is(err, errTimeout):
		case err != nil:
			return nil, err
		default:
			shown, calibrated = p.referrals, true
		}
	}
	var samples []time.Duration
	for range load.Samples {
		for range load.MinCell - 1 {
			if _, err := refer(); err != nil {
				return samples, fmt.Errorf("dashboard push: referSurvivor: %w", err)
			}
		}
		answered, err := refer()
		if err != nil {
			return samples, fmt.Errorf("dashboard push: referSurvivor: %w", err)
		}
		p, err := next(shown, pushTimeout)
		if err != nil {
			return samples, fmt.Errorf("dashboard push: waiting for %d referrals: %w", shown+load.MinCell, err)
		}
		if p.referrals != shown+load.MinCell {
			return samples, fmt.Errorf("dashboard push: pushed %d referrals, want %d", p.referrals, shown+load.MinCell)
		}
		samples = append(samples, p.at.Sub(answered))
		shown = p.referrals
	}
	return samples, nil
}

var errTimeout = errors.New("timed out")

// subscribeDashboard opens the analyst's socket, subscribes and delivers each push's
// referrals for the month, stamped with its arrival.
func subscribeDashboard(ctx context.Context, load DashboardPushLoad) (<-chan push, error) {
	url := "ws" + strings.TrimPrefix(load.URL, "http")
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, fmt.Errorf("dashboard push: dial: %w", err)
	}
	conn.SetReadLimit(16 << 20)
	type message struct {
		ID      string          `json:"id,omitempty"`
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload,omitempty"`
	}
	send := func(m message) error { return wsjson.Write(ctx, conn, m) }
	init, _ := json.Marshal(map[string]string{"Authorization": "Bearer " + load.AnalystToken})
	month := time.Now().UTC().Format("2006-01")
	sub, _ := json.Marshal(map[string]any{"query": dashboardPushQuery, "variables": map[string]any{"f": map[string]any{
		"jurisdiction": load.Jurisdiction, "organisationId": load.Organisation, "fromMonth": month, "toMonth": month}}})
	if err := send(message{Type: "connection_init", Payload: init}); err != nil {
		conn.CloseNow()
		return nil, fmt.Errorf("dashboard push: %w", err)
	}
	if err := send(message{ID: "1", Type: "subscribe", Payload: sub}); err != nil {
		conn.CloseNow()
		return nil, fmt.Errorf("dashboard push: %w", err)
	}
	out := make(chan push, 64)
	go func() {
		defer close(out)
		defer conn.CloseNow()
		for {
			var m message
			if err := wsjson.Read(ctx, conn, &m); err != nil {
				return
			}
			at := time.Now()
			switch m.Type {
			case "ping":
				_ = send(message{Type: "pong"})
			case "next":
				var doc struct {
					Data struct {
						DashboardUpdated struct {
							Figures []struct {
								Figure string
								Months []struct{ Value *int }
							}
						}
					}
				}
				if json.Unmarshal(m.Payload, &doc) != nil {
					return
				}
				for _, s := range doc.Data.DashboardUpdated.Figures {
					if s.Figure == "referrals" && len(s.Months) == 1 && s.Months[0].Value != nil {
						out <- push{at: at, referrals: *s.Months[0].Value}
					}
				}
			case "error", "complete":
				return
			}
		}
	}()
	return out, nil
}

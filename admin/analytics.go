package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// AnalyticsRepublisher is implemented by servers that publish the analytics feed
// (waymark republish). Kept apart from Operations so that a server without it still
// builds: the socket refuses the request instead.
type AnalyticsRepublisher interface {
	// RepublishAnalytics deletes the feed's stream and publishes it again from the
	// events after req.From. A malformed position, or one after the log's last
	// event: ErrRefused.
	RepublishAnalytics(ctx context.Context, req AnalyticsRepublishRequest) (AnalyticsRepublished, error)
}

// AnalyticsRepublishRequest asks for the feed again from a log position ("start":
// the whole log).
type AnalyticsRepublishRequest struct {
	From string `json:"from"`
}

// AnalyticsRepublished says where the new feed starts and the log's last position
// when it did: the server publishes up to there, then follows the log.
type AnalyticsRepublished struct {
	From string `json:"from"`
	Head string `json:"head"`
}

func (s *Server) routeAnalytics(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/analytics/republish", s.republishAnalytics)
}

func (s *Server) republishAnalytics(w http.ResponseWriter, r *http.Request) {
	ar, ok := s.ops.(AnalyticsRepublisher)
	if !ok {
		s.fail(w, r, fmt.Errorf("%w: this server does not publish the analytics feed", ErrRefused))
		return
	}
	var req AnalyticsRepublishRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.fail(w, r, fmt.Errorf("%w: not a republish request: %v", ErrRefused, err))
		return
	}
	s.log.Info("analytics feed republish asked for on the admin socket", "from", req.From)
	res, err := ar.RepublishAnalytics(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, res)
}

// RepublishAnalytics has the server publish the analytics feed again after a position.
func (c *Client) RepublishAnalytics(ctx context.Context, req AnalyticsRepublishRequest) (AnalyticsRepublished, error) {
	var res AnalyticsRepublished
	return res, c.sendJSON(ctx, http.MethodPost, "/v1/analytics/republish", req, &res)
}

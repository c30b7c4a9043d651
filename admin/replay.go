package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Replayer is implemented by servers that can replay a case's history (waymark
// replay). Kept apart from Operations so that a server without it still builds: the
// socket refuses the request instead.
type Replayer interface {
	// Timeline returns every event of case id in order, its personal parts left
	// sealed (ErrNotFound for a case the store does not hold).
	Timeline(ctx context.Context, id string) ([]TimelineEvent, error)
}

// TimelineEvent is one event of a case's history as waymark replay shows it: what the
// store holds, except the personal sub-object and the blind index, which are only
// said to be there (sealed) or gone with the case key (erased). Nothing in it is
// decrypted: decrypted history is GraphQL's caseHistory, where every read is logged.
type TimelineEvent struct {
	Version       uint64          `json:"version"` // the case's version after it (revision + 1)
	Position      string          `json:"position"`
	RecordedAt    time.Time       `json:"recordedAt"`
	Type          string          `json:"type"`
	SchemaVersion int             `json:"schemaVersion"`
	Actor         string          `json:"actor"` // an opaque user id, never a name
	Role          string          `json:"role"`
	Organisation  string          `json:"organisation,omitempty"`
	CommandID     string          `json:"commandId,omitempty"`
	Data          json.RawMessage `json:"data"`               // the stored data without its personal parts
	Personal      string          `json:"personal,omitempty"` // PersonalSealed, PersonalErased, or "" (none)
	PrevHash      string          `json:"prevHash"`
	Hash          string          `json:"hash"`
}

// What a timeline says of an event's personal parts.
const (
	PersonalSealed = "sealed" // stored sealed with the case key; not opened here
	PersonalErased = "erased" // the case key was destroyed: nobody can open them
)

// maxTimelineReply bounds a timeline reply: a case of thousands of events.
const maxTimelineReply = 64 << 20

func (s *Server) routeReplay(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/cases/{id}/timeline", s.timeline)
}

func (s *Server) timeline(w http.ResponseWriter, r *http.Request) {
	rp, ok := s.ops.(Replayer)
	if !ok {
		s.fail(w, r, fmt.Errorf("%w: this server does not replay cases", ErrRefused))
		return
	}
	events, err := rp.Timeline(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, events)
}

// Timeline asks the server for case id's timeline (see Replayer).
func (c *Client) Timeline(ctx context.Context, id string) ([]TimelineEvent, error) {
	var events []TimelineEvent
	return events, c.doLimited(ctx, http.MethodGet, "/v1/cases/"+url.PathEscape(id)+"/timeline", &events, maxTimelineReply)
}

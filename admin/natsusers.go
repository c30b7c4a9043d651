package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// NATSUserKeeper is implemented by servers whose embedded NATS server has per-analyst
// users (waymark nats-user). Kept apart from Operations so that a server without it
// still builds: the socket refuses the requests instead.
type NATSUserKeeper interface {
	// AddNATSUser creates a user; it may log in at once. A bad or taken name, an
	// unknown account or a bad password: ErrRefused.
	AddNATSUser(ctx context.Context, req NATSUserRequest) (NATSUser, error)
	// RemoveNATSUser removes a user and closes its connections (ErrNotFound if there
	// is none of that name).
	RemoveNATSUser(ctx context.Context, name string) (NATSUserRemoved, error)
	// NATSUsers lists the users.
	NATSUsers(ctx context.Context) ([]NATSUser, error)
}

// NATSUserRequest asks for a user. The password crosses the socket (the server's own
// user only, see the package doc) to be hashed by the server; it is never logged nor
// stored, only its bcrypt hash.
type NATSUserRequest struct {
	Name     string `json:"name"`
	Account  string `json:"account"`
	Password string `json:"password"`
}

// NATSUser is a user as listed: never its hash.
type NATSUser struct {
	Name    string    `json:"name"`
	Account string    `json:"account"`
	Created time.Time `json:"created"`
}

// NATSUserRemoved is a removed user and how many of its connections were closed.
type NATSUserRemoved struct {
	NATSUser
	Disconnected int `json:"disconnected"`
}

func (s *Server) routeNATSUsers(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/nats-users", s.addNATSUser)
	mux.HandleFunc("GET /v1/nats-users", s.listNATSUsers)
	mux.HandleFunc("DELETE /v1/nats-users/{name}", s.removeNATSUser)
}

func (s *Server) natsUserKeeper(w http.ResponseWriter, r *http.Request) (NATSUserKeeper, bool) {
	k, ok := s.ops.(NATSUserKeeper)
	if !ok {
		s.fail(w, r, fmt.Errorf("%w: this server has no NATS users of its own", ErrRefused))
	}
	return k, ok
}

func (s *Server) addNATSUser(w http.ResponseWriter, r *http.Request) {
	k, ok := s.natsUserKeeper(w, r)
	if !ok {
		return
	}
	var req NATSUserRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		// Not the decoder's sentence: it could quote the body, which holds a password.
		s.fail(w, r, fmt.Errorf("%w: not a NATS user request", ErrRefused))
		return
	}
	u, err := k.AddNATSUser(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("NATS user added on the admin socket", "user", u.Name, "account", u.Account)
	s.reply(w, u)
}

func (s *Server) listNATSUsers(w http.ResponseWriter, r *http.Request) {
	k, ok := s.natsUserKeeper(w, r)
	if !ok {
		return
	}
	users, err := k.NATSUsers(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if users == nil {
		users = []NATSUser{}
	}
	s.reply(w, users)
}

func (s *Server) removeNATSUser(w http.ResponseWriter, r *http.Request) {
	k, ok := s.natsUserKeeper(w, r)
	if !ok {
		return
	}
	rm, err := k.RemoveNATSUser(r.Context(), r.PathValue("name"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("NATS user removed on the admin socket", "user", rm.Name, "disconnected", rm.Disconnected)
	s.reply(w, rm)
}

// AddNATSUser has the server create a NATS user with the given password.
func (c *Client) AddNATSUser(ctx context.Context, req NATSUserRequest) (NATSUser, error) {
	var u NATSUser
	return u, c.sendJSON(ctx, http.MethodPost, "/v1/nats-users", req, &u)
}

// RemoveNATSUser has the server remove a NATS user.
func (c *Client) RemoveNATSUser(ctx context.Context, name string) (NATSUserRemoved, error) {
	var rm NATSUserRemoved
	return rm, c.do(ctx, http.MethodDelete, "/v1/nats-users/"+url.PathEscape(name), &rm)
}

// NATSUsers lists the server's NATS users.
func (c *Client) NATSUsers(ctx context.Context) ([]NATSUser, error) {
	var users []NATSUser
	return users, c.do(ctx, http.MethodGet, "/v1/nats-users", &users)
}

// sendJSON posts in as JSON and decodes the reply into out.
func (c *Client) sendJSON(ctx context.Context, method, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	resp, err := c.send(ctx, method, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(io.LimitReader(resp.Body, maxReplyBody))
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("admin %s %s: decode reply: %w", method, path, err)
	}
	return nil
}

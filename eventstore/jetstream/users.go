package jetstream

import (
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// ErrExternalServer: per-analyst users are the embedded server's; an external
// server's users are configured on that server.
var ErrExternalServer = errors.New("NATS users are the embedded server's; an external server's are configured on that server")

// AddUser adds a per-analyst user while the store serves: to the users file (its
// bcrypt hash only), then to the users the embedded server lets in, at once. The name
// must be free among the server's users too (Waymark's own, the analytics user).
func (s *Store) AddUser(name, account, password string, now time.Time) (User, error) {
	if s.auth == nil {
		return User{}, ErrExternalServer
	}
	s.usersMu.Lock()
	defer s.usersMu.Unlock()
	u, err := AddUser(s.cfg.DataDir, name, account, password, now, s.auth.users.has)
	if err != nil {
		return User{}, err
	}
	if !s.auth.users.add(u.Name, fileLoginUser(u)) {
		// Cannot happen: checked above under usersMu. Undo the file rather than
		// leave a user the server does not know.
		_, _ = RemoveUser(s.cfg.DataDir, u.Name)
		return User{}, fmt.Errorf("%w: %q", ErrUserExists, name)
	}
	return u, nil
}

// RemoveUser removes a per-analyst user while the store serves: from the users file,
// from the users the server lets in, and closes its open connections. It returns how
// many were closed.
func (s *Store) RemoveUser(name string) (User, int, error) {
	if s.auth == nil {
		return User{}, 0, ErrExternalServer
	}
	s.usersMu.Lock()
	defer s.usersMu.Unlock()
	u, err := RemoveUser(s.cfg.DataDir, name)
	if err != nil {
		return User{}, 0, err
	}
	s.auth.users.remove(name)
	return u, s.disconnect(name), nil
}

// Users lists the per-analyst users.
func (s *Store) Users() ([]User, error) {
	if s.auth == nil {
		return nil, ErrExternalServer
	}
	s.usersMu.Lock()
	defer s.usersMu.Unlock()
	return ReadUsers(s.cfg.DataDir)
}

// disconnect closes every open connection of user.
func (s *Store) disconnect(user string) int {
	conns, err := s.srv.Connz(&server.ConnzOptions{User: user, Username: true, Limit: 1 << 20})
	if err != nil {
		s.log.Error("NATS users: cannot list the connections of a removed user", "user", user, "err", err)
		return 0
	}
	n := 0
	for _, c := range conns.Conns {
		if c.AuthorizedUser != user {
			continue
		}
		if err := s.srv.DisconnectClientByID(c.Cid); err == nil {
			n++
		}
	}
	if n > 0 {
		s.log.Info("NATS users: closed the connections of a removed user", "user", user, "connections", n)
	}
	return n
}

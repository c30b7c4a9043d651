package jetstream

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net"
	"regexp"
	"sync"
	"sync/atomic"

	"github.com/nats-io/nats-server/v2/server"
	"golang.org/x/crypto/bcrypt"
)

// clientAuth is the embedded server's client authentication
// (server.Options.CustomClientAuthentication), in place of the server's own users so
// that failed logins can be throttled (throttle.go). It keeps every guarantee of the
// accounts (see AppAccount): only the users configured get in, each into its account
// with its permissions; no token, nkey, JWT or anonymous login; passwords compared in
// constant time, or checked against a bcrypt hash when one is configured.
type clientAuth struct {
	users    *userTable
	throttle *loginThrottle
	log      *slog.Logger

	// srv is the server the users' accounts live in: set once it is made, before it
	// accepts a connection.
	srv atomic.Pointer[server.Server]

	// checked, when set (tests only), runs after a password check: a slow check.
	checked func()
}

// loginUser is one user: its password (or bcrypt hash), account and permissions.
type loginUser struct {
	password    string
	account     string
	permissions *server.Permissions // nil: the account's full rights
	// inProcess: only an in-process connection may log in as this user (AnalystsUser),
	// never one over TCP.
	inProcess bool
}

// userTable is the users clientAuth lets in. Per-analyst users come and go while the
// server runs (waymark nats-user), so it is guarded.
type userTable struct {
	mu sync.RWMutex
	m  map[string]loginUser
}

func newUserTable(m map[string]loginUser) *userTable { return &userTable{m: m} }

func (t *userTable) get(name string) (loginUser, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	u, ok := t.m[name]
	return u, ok
}

// add adds a user unless the name is taken.
func (t *userTable) add(name string, u loginUser) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, taken := t.m[name]; taken {
		return false
	}
	t.m[name] = u
	return true
}

func (t *userTable) remove(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, name)
}

func (t *userTable) has(name string) bool {
	_, ok := t.get(name)
	return ok
}

// bcryptHash is the form the server reads as a bcrypt hash (nats-server auth.go).
var bcryptHash = regexp.MustCompile(`^\$2[abxy]\$\d{2}\$.*`)

// Check authenticates a client connection and registers its user.
func (a *clientAuth) Check(c server.ClientAuthentication) bool {
	if c.Kind() != server.CLIENT {
		return false
	}
	key, throttled := throttleKey(c.RemoteAddress())
	if throttled {
		var admitted bool
		if key, admitted = a.throttle.admit(key); !admitted {
			return false
		}
	}
	ok := a.login(c)
	if throttled {
		if blocked := a.throttle.done(key, ok); blocked {
			a.log.Warn("NATS client port: too many failed logins; refusing that address for a while",
				"addr", key, "failures", a.throttle.budget, "refused_for", a.throttle.block)
		}
		if !ok {
			a.throttle.sleep(a.throttle.delay)
		}
	}
	return ok
}

// login checks the client's credentials and, when they are right, registers its user
// in its account with its permissions.
func (a *clientAuth) login(c server.ClientAuthentication) bool {
	opts := c.GetOpts()
	if opts == nil {
		return false
	}
	u, known := a.users.get(opts.Username)
	if known && u.inProcess && !isInProcess(c.RemoteAddress()) {
		known = false
	}
	if !known {
		// Spend the time of a comparison anyway: an unknown user name should not
		// answer faster than a wrong password.
		passwordMatches("unknown user", opts.Password)
		return false
	}
	matches := passwordMatches(u.password, opts.Password)
	if a.checked != nil {
		a.checked()
	}
	if opts.Token != "" || opts.Nkey != "" || opts.JWT != "" || !matches {
		return false
	}
	srv := a.srv.Load()
	if srv == nil {
		return false
	}
	acc, err := srv.LookupAccount(u.account)
	if err != nil {
		a.log.Error("NATS client port: account of a user not found", "account", u.account, "err", err)
		return false
	}
	c.RegisterUser(&server.User{Username: opts.Username, Account: acc, Permissions: u.permissions})
	// RegisterUser does not say whether the client joined the account. A client left
	// elsewhere (the global account) with none of the user's permissions must not get
	// in: check, and refuse if in doubt.
	joined, isClient := c.(interface{ Account() *server.Account })
	if !isClient || joined.Account() == nil || joined.Account().Name != u.account {
		a.log.Error("NATS client port: a user could not join its account", "account", u.account)
		return false
	}
	// A user removed while its password was checked (waymark nats-user remove) does
	// not get in.
	return a.users.has(opts.Username)
}

// isInProcess reports whether a client's address is an in-process connection's
// (nats.InProcessServer: a net.Pipe), not a network peer's.
func isInProcess(addr net.Addr) bool { return addr != nil && addr.Network() == "pipe" }

// passwordMatches compares a configured password (or bcrypt hash) with a client's.
// Both are hashed before the constant-time comparison, which would otherwise return
// early on a difference in length.
func passwordMatches(configured, given string) bool {
	if bcryptHash.MatchString(configured) {
		return bcrypt.CompareHashAndPassword([]byte(configured), []byte(given)) == nil
	}
	c, g := sha256.Sum256([]byte(configured)), sha256.Sum256([]byte(given))
	return subtle.ConstantTimeCompare(c[:], g[:]) == 1 && configured != ""
}

package jetstream

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/waymark-org/waymark/internal/natsembed"
)

// The embedded server's accounts and users. Every client must authenticate (there is no
// anonymous or default user) and lands in one of two accounts:
//
//   - AppAccount holds Waymark's JetStream data: the event stream and, in later steps,
//     Waymark's other streams and buckets. JetStream is enabled for this account only.
//     Its one user is AppUser: Waymark's own in-process connection, and replicas that
//     connect over TCP with Store.ReplicaCredentials.
//   - AnalyticsAccount is for analytics consumers (Config.AnalyticsUser and the
//     per-analyst users of waymark nats-user). It sees only what AppAccount exports
//     to it: the de-identified subjects AnalyticsSubjects, as a stream export, and
//     the few subjects that source the feed's stream into the analysts' own
//     (analysts.go). Its users may subscribe to the feed and read the analysts'
//     stream (permissions.go), so they can neither write events nor reach any of
//     AppAccount's JetStream (the event stream, the key bucket, ...).
//
// Logins are checked by Waymark (clientAuth, login.go) rather than by the server's own
// user list, so that failed ones can be throttled per source address (throttle.go):
// a guesser gets a few tries a minute, then none for a while.
//
// AnalyticsAccount also has a JetStream of its own, with the analysts' copy of the
// analytics feed (analysts.go), which per-analyst users (userfile.go, users.go) read
// with least-privilege permissions (permissions.go).
const (
	// AppAccount is the account of Waymark's own data and connection.
	AppAccount = "WAYMARK"
	// AppUser is Waymark's user in AppAccount.
	AppUser = "waymark"
	// AnalyticsAccount is the account of outside analytics consumers.
	AnalyticsAccount = "ANALYTICS"
	// AnalyticsSubjects are the de-identified subjects AppAccount exports to
	// AnalyticsAccount (as a stream export: publish in AppAccount, receive in both).
	AnalyticsSubjects = "waymark.analytics.>"
)

// legacyAccountDir is the store directory of the server's global account, where a
// server without accounts (Waymark before its NATS port required credentials) kept
// the event stream.
const legacyAccountDir = "$G"

// startServer runs an embedded NATS server with JetStream file storage under
// cfg.DataDir/jetstream (the server adds the "jetstream" directory itself), its
// client port closed to anyone without credentials (see AppAccount), and JetStream
// enabled for AppAccount. cfg.AppPassword must be set.
func startServer(cfg Config) (*server.Server, error) {
	srv, _, err := startEmbedded(cfg)
	return srv, err
}

// startEmbedded is startServer, also returning the server's client authentication
// (its users change while it runs: users.go).
func startEmbedded(cfg Config) (*server.Server, *clientAuth, error) {
	if cfg.AppPassword == "" {
		return nil, nil, errors.New("embedded nats server: no password for the waymark user")
	}
	if err := moveLegacyStore(cfg.DataDir, cfg.Logger); err != nil {
		return nil, nil, fmt.Errorf("embedded nats server: %w", err)
	}
	opts, err := serverOptions(cfg)
	if err != nil {
		return nil, nil, err
	}
	auth := &clientAuth{throttle: cfg.loginThrottle, log: cfg.Logger.With("component", "nats-server")}
	if auth.throttle == nil {
		auth.throttle = newLoginThrottle()
	}
	var users map[string]loginUser
	if opts.Accounts, users, err = accounts(cfg); err != nil {
		return nil, nil, fmt.Errorf("embedded nats server: %w", err)
	}
	auth.users = newUserTable(users)
	opts.CustomClientAuthentication = auth
	// A login's bcrypt check runs while the server reads the client's CONNECT; its
	// first PING, 2 seconds after the CONNECT by default, would then overtake the
	// PONG the client waits for ("expected 'PONG', got 'PING'") whenever the check is
	// slow (a busy machine; 1.4 s under the race detector). The first PING waits for
	// the ping interval instead: it only measures the round trip.
	opts.DisableShortFirstPing = true
	srv, err := runServer(opts, cfg.Logger)
	if err != nil {
		return nil, nil, err
	}
	// The server enables JetStream at start only for accounts configured with it, which
	// the Go options cannot express (only the configuration file can): enable it for
	// AppAccount now, with the dynamic limits a server without accounts gives its
	// global account. This recovers the account's streams from disk.
	// AnalyticsAccount gets its own, within fixed limits (analystsLimits).
	for name, limits := range map[string]map[string]server.JetStreamAccountLimits{AppAccount: nil, AnalyticsAccount: analystsLimits()} {
		acc, err := srv.LookupAccount(name)
		if err == nil {
			err = acc.EnableJetStream(limits, nil)
		}
		if err != nil {
			natsembed.Shutdown(srv)
			return nil, nil, fmt.Errorf("embedded nats server: enable jetstream for account %s: %w", name, err)
		}
	}
	return srv, auth, nil
}

// serverOptions are the options every embedded server shares, accounts aside.
func serverOptions(cfg Config) (*server.Options, error) {
	opts := &server.Options{
		ServerName: "waymark",
		JetStream:  true,
		StoreDir:   cfg.DataDir,
		// Never the server's own sync_always (an fsync per message, one at a time):
		// with sync=always the store makes writes durable by group commit
		// (durability.go) before anyone is told of them.
		SyncAlways: false,
		NoSigs:     true,
		DontListen: cfg.ListenAddr == "",
	}
	if cfg.ListenAddr != "" {
		host, port, err := splitListenAddr(cfg.ListenAddr)
		if err != nil {
			return nil, err
		}
		opts.Host, opts.Port = host, port
	}
	return opts, nil
}

// runServer starts a server with opts, logging to logger, and waits until it is ready.
func runServer(opts *server.Options, logger *slog.Logger) (*server.Server, error) {
	return natsembed.Start(natsembed.Config{
		Options: opts, Logger: logger, Component: "nats-server",
		// The server's debug logs follow the logger's level (natsembed keeps its
		// protocol traces off: they carry events and access-log entries).
		Debug: logger.Enabled(context.Background(), slog.LevelDebug),
		BeforeStart: func(srv *server.Server) {
			if auth, ok := opts.CustomClientAuthentication.(*clientAuth); ok {
				auth.srv.Store(srv) // before Start: the first client may come at once
			}
		},
	})
}

// accounts returns the embedded server's accounts and the users clientAuth lets in
// (see AppAccount): Waymark's own, Config.AnalyticsUser and the users file's. The
// passwords stay in memory, as given: clientAuth compares them in constant time (an
// AnalyticsPassword that is a bcrypt hash is checked as one; the users file holds
// only bcrypt hashes).
func accounts(cfg Config) ([]*server.Account, map[string]loginUser, error) {
	app, analytics := server.NewAccount(AppAccount), server.NewAccount(AnalyticsAccount)
	if err := app.AddStreamExport(AnalyticsSubjects, []*server.Account{analytics}); err != nil {
		return nil, nil, fmt.Errorf("export %s: %w", AnalyticsSubjects, err)
	}
	if err := analytics.AddStreamImport(app, AnalyticsSubjects, ""); err != nil {
		return nil, nil, fmt.Errorf("import %s: %w", AnalyticsSubjects, err)
	}
	if err := addSourcingImports(app, analytics); err != nil {
		return nil, nil, err
	}
	users := map[string]loginUser{
		AppUser:      {password: cfg.AppPassword, account: AppAccount},
		AnalystsUser: {password: cfg.analystsPassword, account: AnalyticsAccount, inProcess: true},
	}
	if cfg.AnalyticsUser != "" {
		// An analyst like the others, when its name can be an inbox token; else the
		// core feed only, as before the analysts' stream.
		perms := feedOnlyPermissions()
		if userName.MatchString(cfg.AnalyticsUser) {
			perms = analystPermissions(cfg.AnalyticsUser)
		}
		users[cfg.AnalyticsUser] = loginUser{password: cfg.AnalyticsPassword, account: AnalyticsAccount, permissions: perms}
	}
	file, err := ReadUsers(cfg.DataDir)
	if err != nil {
		return nil, nil, err
	}
	for _, u := range file {
		if _, taken := users[u.Name]; taken {
			return nil, nil, fmt.Errorf("NATS user %q is both in %s and the analytics user (--nats-analytics-user): "+
				"remove one (waymark nats-user remove %s)", u.Name, UsersFileName, u.Name)
		}
		users[u.Name] = fileLoginUser(u)
	}
	return []*server.Account{app, analytics}, users, nil
}

// fileLoginUser is how clientAuth lets a user of the users file in.
func fileLoginUser(u User) loginUser {
	return loginUser{password: u.Hash, account: u.Account, permissions: analystPermissions(u.Name)}
}

// moveLegacyStore moves the JetStream data of a server without accounts (the global
// account's directory) to AppAccount's directory, where the server now looks for it.
// Without this, an upgraded Waymark would start on an empty event stream.
func moveLegacyStore(dataDir string, log *slog.Logger) error {
	jsDir := filepath.Join(dataDir, "jetstream")
	from, to := filepath.Join(jsDir, legacyAccountDir), filepath.Join(jsDir, AppAccount)
	if _, err := os.Stat(from); errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	if _, err := os.Stat(to); err == nil {
		return fmt.Errorf("both %s (a store from before accounts) and %s exist: "+
			"keep one (move the other away) and start again", from, to)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.Rename(from, to); err != nil {
		return fmt.Errorf("move the store to account %s: %w", AppAccount, err)
	}
	if d, err := os.Open(jsDir); err == nil {
		err = d.Sync()
		d.Close()
		if err != nil {
			return fmt.Errorf("move the store to account %s: sync %s: %w", AppAccount, jsDir, err)
		}
	}
	log.Info("moved the JetStream store to its account", "from", from, "to", to)
	return nil
}

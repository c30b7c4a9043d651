package jetstream

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// Sync modes for the embedded server.
const (
	// SyncAlways fsyncs every message before the server acknowledges it, so an
	// acknowledged append survives a power cut (~4–6k appends/s on these disks).
	SyncAlways = "always"
	// SyncInterval is the server's default: acknowledge once written, fsync
	// periodically. Faster; an acknowledged append can be lost on a power cut.
	SyncInterval = "interval"
)

// MaxReplicas is the most copies JetStream keeps of a stream.
const MaxReplicas = 5

// DefaultStreamName is the JetStream stream holding all events.
const DefaultStreamName = "WAYMARK"

// subjectPrefix + <event-store stream name> is the subject of a stream's messages.
const subjectPrefix = "waymark.events."

// Config configures Open.
type Config struct {
	// DataDir holds the embedded server's file storage (under DataDir/jetstream).
	// Required unless NATSURL is set.
	DataDir string
	// ListenAddr is the host:port the embedded server accepts outside NATS clients on
	// (port 0 picks a free port); "" does not listen at all. Embedded server only.
	// Every client must authenticate: as AppUser (replicas, with the credentials from
	// Store.ReplicaCredentials) or as AnalyticsUser.
	ListenAddr string
	// AppPassword is the password of Waymark's own user (AppUser, in AppAccount) on the
	// embedded server; "" (the default) draws a new random one from crypto/rand at
	// every start. Waymark's in-process connection uses it; it is never logged or
	// written to disk. It must not start with "$" (the server would read it as a
	// bcrypt hash). Embedded server only.
	AppPassword string
	// AnalyticsUser and AnalyticsPassword are the user of AnalyticsAccount, for outside
	// analytics consumers: it may only subscribe to AnalyticsSubjects. Both or
	// neither: without them no outside client but a replica can connect.
	// AnalyticsPassword may be a bcrypt hash ($2a$...), which the server checks the
	// client's password against. Embedded server only.
	AnalyticsUser     string
	AnalyticsPassword string
	// NATSURL connects to an external NATS server or cluster instead of embedding one.
	NATSURL string
	// NATSUser and NATSPassword authenticate to NATSURL's server (both or neither), or
	// NATSCredsFile, a credentials file (user JWT and nkey seed) for servers in
	// operator mode. To join another Waymark's embedded server, use its
	// Store.ReplicaCredentials.
	NATSUser      string
	NATSPassword  string
	NATSCredsFile string
	// AnalystsNATSUser and AnalystsNATSPassword (or AnalystsNATSCredsFile) are
	// Waymark's own user in the analysts' account of NATSURL's server (AnalystsUser
	// in testdata/analysts-external.conf): with them, Open makes sure the feed's
	// stream and the analysts' copy exist and makes the purges follow into the copy,
	// as the embedded server does (analysts.go). Without them, an external server's
	// analysts' account is not Waymark's concern. External server only.
	AnalystsNATSUser      string
	AnalystsNATSPassword  string
	AnalystsNATSCredsFile string
	// NATSCAFile is a PEM file of the CAs that sign the external server's certificate
	// (a tls:// NATS URL is verified against the system's CAs without it);
	// NATSCertFile and NATSKeyFile are a client certificate and its key, for a server
	// that asks for one (mutual TLS). External server only.
	NATSCAFile, NATSCertFile, NATSKeyFile string
	// Replicas is how many copies of each stream Waymark creates on NATSURL's
	// cluster (the event stream, the access log's, the analytics feed's and its
	// registry): 1 to MaxReplicas, default 1. Streams that exist keep theirs. The
	// embedded server is one node: 1 there.
	Replicas int
	// Sync is SyncAlways (default) or SyncInterval; embedded server only.
	Sync string
	// StreamName is the JetStream stream; default DefaultStreamName.
	StreamName string
	// Logger receives the store's and the embedded server's logs; default slog.Default().
	Logger *slog.Logger

	// loginThrottle, when set (tests only: a fake clock), throttles failed logins on
	// the embedded server's client port instead of a new default one.
	loginThrottle *loginThrottle
	// analystsPassword is AnalystsUser's, drawn at Open (embedded server only).
	analystsPassword string
}

func (c Config) withDefaults() (Config, error) {
	if c.StreamName == "" {
		c.StreamName = DefaultStreamName
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Sync == "" {
		c.Sync = SyncAlways
	}
	if c.Replicas == 0 {
		c.Replicas = 1
	}
	if c.Replicas < 1 || c.Replicas > MaxReplicas {
		return c, fmt.Errorf("jetstream event store: replicas %d: want 1 to %d", c.Replicas, MaxReplicas)
	}
	if c.Replicas > 1 && c.NATSURL == "" {
		return c, fmt.Errorf("jetstream event store: replicas %d: the embedded server is one node; replicas need a cluster (NATS URL)", c.Replicas)
	}
	if c.Sync != SyncAlways && c.Sync != SyncInterval {
		return c, fmt.Errorf("jetstream event store: sync %q: want %q or %q", c.Sync, SyncAlways, SyncInterval)
	}
	if c.NATSURL == "" && c.DataDir == "" {
		return c, errors.New("jetstream event store: a data dir is required for the embedded server")
	}
	if err := c.checkCredentials(); err != nil {
		return c, fmt.Errorf("jetstream event store: %w", err)
	}
	if c.ListenAddr != "" {
		if _, _, err := splitListenAddr(c.ListenAddr); err != nil {
			return c, err
		}
	}
	return c, nil
}

// checkCredentials checks that the credentials given fit the mode (embedded or
// external) and each other.
func (c Config) checkCredentials() error {
	if c.NATSURL != "" {
		switch {
		case c.AppPassword != "" || c.AnalyticsUser != "" || c.AnalyticsPassword != "":
			return errors.New("the app and analytics users are the embedded server's; " +
				"an external server's accounts are configured on that server")
		case (c.NATSUser == "") != (c.NATSPassword == ""):
			return errors.New("NATS user and password go together")
		case c.NATSCredsFile != "" && c.NATSUser != "":
			return errors.New("a NATS user and a credentials file: give one")
		case (c.AnalystsNATSUser == "") != (c.AnalystsNATSPassword == ""):
			return errors.New("the analysts' account's NATS user and password go together")
		case c.AnalystsNATSCredsFile != "" && c.AnalystsNATSUser != "":
			return errors.New("an analysts' account NATS user and a credentials file: give one")
		case (c.NATSCertFile == "") != (c.NATSKeyFile == ""):
			return errors.New("a NATS client certificate and its key go together")
		}
		return nil
	}
	switch {
	case c.NATSUser != "" || c.NATSPassword != "" || c.NATSCredsFile != "" ||
		c.AnalystsNATSUser != "" || c.AnalystsNATSPassword != "" || c.AnalystsNATSCredsFile != "":
		return errors.New("NATS user, password and credentials file are for an external server (NATS URL)")
	case c.NATSCAFile != "" || c.NATSCertFile != "" || c.NATSKeyFile != "":
		return errors.New("NATS TLS files are for an external server (NATS URL)")
	case strings.HasPrefix(c.AppPassword, "$"):
		return errors.New(`the app password must not start with "$"`)
	case (c.AnalyticsUser == "") != (c.AnalyticsPassword == ""):
		return errors.New("analytics user and password go together")
	case c.AnalyticsUser == AppUser || c.AnalyticsUser == AnalystsUser:
		return fmt.Errorf("analytics user %q is Waymark's own", c.AnalyticsUser)
	}
	return nil
}

// String shows the configuration with its passwords redacted, so that printing or
// logging a Config does not leak them.
func (c Config) String() string {
	type plain Config // without methods: no recursion
	r := plain(c.redacted())
	return fmt.Sprintf("%+v", r)
}

// GoString is String for %#v.
func (c Config) GoString() string { return c.String() }

// LogValue is the configuration with its passwords redacted, for slog.
func (c Config) LogValue() slog.Value {
	r := c.redacted()
	return slog.GroupValue(
		slog.String("data_dir", r.DataDir), slog.String("listen_addr", r.ListenAddr),
		slog.String("app_password", r.AppPassword),
		slog.String("analytics_user", r.AnalyticsUser), slog.String("analytics_password", r.AnalyticsPassword),
		slog.String("nats_url", r.NATSURL), slog.String("nats_user", r.NATSUser),
		slog.String("nats_password", r.NATSPassword), slog.String("nats_creds_file", r.NATSCredsFile),
		slog.String("analysts_nats_user", r.AnalystsNATSUser), slog.String("analysts_nats_password", r.AnalystsNATSPassword),
		slog.String("analysts_nats_creds_file", r.AnalystsNATSCredsFile),
		slog.String("sync", r.Sync), slog.Int("replicas", r.Replicas), slog.String("stream_name", r.StreamName),
	)
}

// redacted returns c with each password that is set replaced by a placeholder, and
// the user info (user and password, or token) of NATS URLs too.
func (c Config) redacted() Config {
	for _, p := range []*string{&c.AppPassword, &c.AnalyticsPassword, &c.NATSPassword, &c.AnalystsNATSPassword, &c.analystsPassword} {
		if *p != "" {
			*p = "REDACTED"
		}
	}
	if strings.Contains(c.NATSURL, "@") {
		urls := strings.Split(c.NATSURL, ",")
		for i, s := range urls {
			u, err := url.Parse(strings.TrimSpace(s))
			switch {
			case err != nil:
				urls[i] = "REDACTED"
			case u.User != nil: // a user and password, or a token
				u.User = url.User("REDACTED")
				urls[i] = u.String()
			}
		}
		c.NATSURL = strings.Join(urls, ",")
	}
	c.Logger = nil
	return c
}

// splitListenAddr returns host and the server's port option (RANDOM_PORT, -1, for 0).
func splitListenAddr(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("jetstream event store: listen address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("jetstream event store: listen address %q: bad port", addr)
	}
	if port == 0 {
		port = -1 // the server reads 0 as its default port 4222, -1 as "pick one"
	}
	return host, port, nil
}

// externalConnectTimeout bounds a connection's handshake with the external server:
// TLS, then a password check that may be bcrypt's (over a second on a busy machine),
// where nats.go's default gives 2 seconds.
const externalConnectTimeout = 15 * time.Second

// ExternalOptions are the options of every connection to the external server (the
// connect timeout and TLS), for the connections beside the store's (the key store's).
func (c Config) ExternalOptions() []nats.Option { return c.externalOptions() }

// externalOptions are the options of every connection to the external server: the
// connect timeout and TLS.
func (c Config) externalOptions() []nats.Option {
	opts := []nats.Option{nats.Timeout(externalConnectTimeout)}
	if c.NATSCAFile != "" {
		opts = append(opts, nats.RootCAs(c.NATSCAFile))
	}
	if c.NATSCertFile != "" {
		opts = append(opts, nats.ClientCert(c.NATSCertFile, c.NATSKeyFile))
	}
	return opts
}

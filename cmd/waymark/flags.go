package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/waymark-org/waymark/eventstore/jetstream"
)

// storeFlags are the flags every command that opens the store shares.
type storeFlags struct {
	dataDir       string
	keysDir       string
	natsURL       string
	natsUser      string
	natsPassword  string
	natsCredsFile string
	// Waymark's own user in an external server's analysts' account (see
	// eventstore/jetstream/testdata/analysts-external.conf).
	analystsUser, analystsPassword, analystsCredsFile string
	// TLS to an external server: its CAs, and a client certificate if it asks for one.
	natsCA, natsCert, natsKey string
	sync                      string
	secrets                   secretFlags
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dataDir, "data-dir", "./data", "directory for the embedded store and local secrets")
	fs.StringVar(&f.keysDir, "keys-dir", "", "the case-key store (default <data-dir>/keys)")
	fs.StringVar(&f.natsURL, "nats-url", "", "use this external NATS server or cluster instead of the embedded one")
	fs.StringVar(&f.sync, "sync", jetstream.SyncAlways, "embedded store durability: 'always' fsyncs before acknowledging; 'interval' fsyncs periodically (faster, may lose the last writes on power loss)")
	fs.StringVar(&f.natsUser, "nats-user", "", "user for --nats-url")
	fs.StringVar(&f.natsPassword, "nats-password", "", "password for --nats-url (prefer WAYMARK_NATS_PASSWORD)")
	fs.StringVar(&f.natsCredsFile, "nats-creds", "", "NATS credentials file for --nats-url")
	fs.StringVar(&f.analystsUser, "nats-analysts-user", "", "with --nats-url: Waymark's user in that server's analytics account, to keep the analysts' copy of the feed")
	fs.StringVar(&f.analystsPassword, "nats-analysts-password", "", "its password (prefer WAYMARK_NATS_ANALYSTS_PASSWORD)")
	fs.StringVar(&f.analystsCredsFile, "nats-analysts-creds", "", "a credentials file for that user instead")
	fs.StringVar(&f.natsCA, "nats-ca", "", "PEM file of the CAs of --nats-url's certificate (tls:// URLs; default: the system's)")
	fs.StringVar(&f.natsCert, "nats-cert", "", "client certificate (PEM) for a --nats-url server that asks for one")
	fs.StringVar(&f.natsKey, "nats-key", "", "its private key (PEM)")
	f.secrets.register(fs)
}

// storeConfig is the event store configuration the flags describe.
func (f storeFlags) storeConfig(listen string) jetstream.Config {
	return jetstream.Config{
		DataDir: f.dataDir, ListenAddr: listen, NATSURL: f.natsURL, Sync: f.sync,
		NATSUser: f.natsUser, NATSPassword: f.natsPassword, NATSCredsFile: f.natsCredsFile,
		AnalystsNATSUser: f.analystsUser, AnalystsNATSPassword: f.analystsPassword, AnalystsNATSCredsFile: f.analystsCredsFile,
		NATSCAFile: f.natsCA, NATSCertFile: f.natsCert, NATSKeyFile: f.natsKey,
	}
}

// resolved returns the flags with every default path filled in.
func (f storeFlags) resolved() storeFlags {
	f.secrets = f.secrets.resolve(f.dataDir)
	if f.keysDir == "" {
		f.keysDir = filepath.Join(f.dataDir, "keys")
	}
	return f
}

// parse parses args, taking each unset flag from its WAYMARK_* variable.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err) // flag.ErrHelp stays visible: main exits 0 on it
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		env := "WAYMARK_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%w: %s=%q: %v", errUsage, env, v, e)
			}
		}
	})
	return err
}

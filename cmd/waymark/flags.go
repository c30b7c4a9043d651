package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/sealing/jskeys"
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
	// Copies of each stream Waymark creates on --nats-url's cluster.
	replicas replicasFlag
	// The case keys on --nats-url's cluster, in this user's own account.
	keysNATSUser, keysNATSPassword, keysNATSCreds string
	sync                                          string
	secrets                                       secretFlags
	// Where the events are (kurrentdb.go); registered by the commands that offer it.
	events eventsFlags
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
	f.replicas = 1
	fs.Var(&f.replicas, "nats-replicas", "with --nats-url: copies (1-5) of each stream Waymark creates on that cluster")
	fs.StringVar(&f.keysNATSUser, "keys-nats-user", "", "with --nats-url: keep the case keys on that cluster, in this user's own account, instead of --keys-dir")
	fs.StringVar(&f.keysNATSPassword, "keys-nats-password", "", "its password (prefer WAYMARK_KEYS_NATS_PASSWORD)")
	fs.StringVar(&f.keysNATSCreds, "keys-nats-creds", "", "a credentials file for that user instead")
	f.secrets.register(fs)
}

// storeConfig is the event store configuration the flags describe.
func (f storeFlags) storeConfig(listen string) jetstream.Config {
	return jetstream.Config{
		DataDir: f.dataDir, ListenAddr: listen, NATSURL: f.natsURL, Sync: f.sync,
		NATSUser: f.natsUser, NATSPassword: f.natsPassword, NATSCredsFile: f.natsCredsFile,
		AnalystsNATSUser: f.analystsUser, AnalystsNATSPassword: f.analystsPassword, AnalystsNATSCredsFile: f.analystsCredsFile,
		NATSCAFile: f.natsCA, NATSCertFile: f.natsCert, NATSKeyFile: f.natsKey,
		Replicas: int(f.replicas),
	}
}

// keysNATS is the key store on --nats-url's cluster the flags ask for; nil: the one
// in --keys-dir.
func (f storeFlags) keysNATS() *jskeys.NATSConfig {
	if f.keysNATSUser == "" && f.keysNATSCreds == "" {
		return nil
	}
	return &jskeys.NATSConfig{User: f.keysNATSUser, Password: f.keysNATSPassword, CredsFile: f.keysNATSCreds}
}

// replicasFlag is --nats-replicas: 1 to jetstream.MaxReplicas, anything else a usage
// error.
type replicasFlag int

func (r *replicasFlag) String() string { return strconv.Itoa(int(*r)) }

func (r *replicasFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > jetstream.MaxReplicas {
		return fmt.Errorf("want a number of replicas from 1 to %d", jetstream.MaxReplicas)
	}
	*r = replicasFlag(n)
	return nil
}

// resolved returns the flags with every default path filled in.
func (f storeFlags) resolved() storeFlags {
	f.secrets = f.secrets.resolve(f.dataDir)
	if f.keysDir == "" {
		f.keysDir = filepath.Join(f.dataDir, "keys")
	}
	return f
}

// How a command gets its flags. Each command function declares its flags on a
// flag.FlagSet of its own (storeFlags.register, registerAuditFlags, ...: the register
// functions stay plain flag code) and then calls parse(fs, args). The command line is
// read by cobra (cli.go), which must know a command's flags before it runs it: for
// --help, shell completion and refusing an unknown flag. So the tree first calls each
// command function with declareArgs(): parse hands the FlagSet back in a *declared
// error and the function returns at once, having done nothing else. Once cobra has
// parsed a command line, the command function runs with the flags cobra saw, in their
// order, as --name=value arguments, and parse reads them into its own variables.

// declareMarker is the one argument of declareArgs; no command line can hold it (a
// process's arguments never contain a NUL byte).
const declareMarker = "\x00declare-flags"

// declareArgs are the arguments that ask a command function for its flags only.
func declareArgs() []string { return []string{declareMarker} }

// declared is parse's answer to declareArgs: the command's flags; nothing ran.
type declared struct{ fs *flag.FlagSet }

func (d *declared) Error() string { return "the flags of " + d.fs.Name() + " (declared, nothing run)" }

// boolSpellings are what a boolean flag accepts from the environment.
var boolSpellings = map[string]string{
	"true": "true", "1": "true", "yes": "true", "on": "true",
	"false": "false", "0": "false", "no": "false", "off": "false",
}

// envName is the variable that sets the flag name when the command line does not.
func envName(name string) string {
	return "WAYMARK_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// parse parses args into fs, taking each unset flag from its WAYMARK_* variable, and
// refuses positional arguments.
func parse(fs *flag.FlagSet, args []string) error {
	rest, err := parseArgs(fs, args, true)
	if err == nil && len(rest) > 0 {
		err = fmt.Errorf("%w: unexpected argument %q", errUsage, rest[0])
	}
	return err
}

// parseArgs parses args into fs the GNU way (pflag's, as cobra does: --name value,
// --name=value, flags and positional arguments in any order, -- ends the flags) and,
// with env, takes each flag the line does not give from its WAYMARK_* variable. It
// returns the positional arguments. The flags given on the line are set with fs.Set
// (so fs.Visit reports them), those from the environment are not.
func parseArgs(fs *flag.FlagSet, args []string, env bool) ([]string, error) {
	if len(args) == 1 && args[0] == declareMarker {
		return nil, &declared{fs: fs}
	}
	type given struct{ name, value string }
	var line []given
	pfs := pflag.NewFlagSet(fs.Name(), pflag.ContinueOnError)
	pfs.SetOutput(io.Discard)
	fs.VisitAll(func(f *flag.Flag) {
		pf := pflag.PFlagFromGoFlag(f)
		pf.Value = &recorder{Value: pf.Value, set: func(v string) { line = append(line, given{f.Name, v}) }}
		pfs.AddFlag(pf)
	})
	if err := pfs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			err = flag.ErrHelp // asked for help without cobra: the caller decides
		}
		return nil, fmt.Errorf("%w: %w", errUsage, err)
	}
	set := map[string]bool{}
	for _, g := range line {
		if err := fs.Set(g.name, g.value); err != nil {
			return nil, fmt.Errorf("%w: invalid argument %q for --%s: %v", errUsage, g.value, g.name, err)
		}
		set[g.name] = true
	}
	if !env {
		return pfs.Args(), nil
	}
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		name := envName(f.Name)
		v, ok := os.LookupEnv(name)
		if !ok {
			return
		}
		if b, isBool := f.Value.(interface{ IsBoolFlag() bool }); isBool && b.IsBoolFlag() {
			spelled, known := boolSpellings[strings.ToLower(strings.TrimSpace(v))]
			if !known {
				err = fmt.Errorf("%w: %s=%q is not a boolean: use true or false (also 1/0, yes/no, on/off)", errUsage, name, v)
				return
			}
			v = spelled
		}
		if e := f.Value.Set(v); e != nil {
			err = fmt.Errorf("%w: %s=%q: %v", errUsage, name, v, e)
		}
	})
	return pfs.Args(), err
}

// recorder is a flag value that only notes what the command line sets it to.
type recorder struct {
	pflag.Value
	set func(string)
}

func (r *recorder) Set(v string) error {
	r.set(v)
	return nil
}

// requireStore refuses a data directory that holds no event store (unless the store is
// on an external NATS server): opening the embedded store there would make an empty
// one, and a mistyped --data-dir would become a new data directory. purpose completes
// the sentence (" to verify").
func (f storeFlags) requireStore(purpose string) error {
	if f.natsURL != "" {
		return nil
	}
	if _, err := os.Stat(filepath.Join(f.dataDir, "jetstream")); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no event store in %s%s: point --data-dir (WAYMARK_DATA_DIR) at a data directory", f.dataDir, purpose)
	}
	return nil
}

package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/waymark-org/waymark/admin"
	"github.com/waymark-org/waymark/eventstore/jetstream"
)

const natsUserHelp = `Per-analyst users of the embedded NATS server's analytics account. An analyst may
subscribe to the core feed (waymark.analytics.>) and read the analysts' copy of the
WAYMARK_ANALYTICS stream with consumers of their own; nothing else (see the README).

add makes a user and prints its password once (random, or --password-stdin reads one
line: 16 to 72 characters); only a bcrypt hash is stored, in <data-dir>/nats-users.json.
Names: 2 to 32 lower-case letters, digits, '-' or '_', starting with a letter; names
starting with "waymark" are Waymark's own. The client must use the inbox prefix
_INBOX.<name>. remove closes the user's open connections and refuses its next login.

With a server running on the data directory, the server does it (on its admin
socket) and a new user can log in at once; otherwise the command edits the users
file itself, under the data directory's lock, for the next start.

`

// natsUserCommand: waymark nats-user add|list|remove
func natsUserCommand(ctx context.Context, args []string, stdin io.Reader, out io.Writer) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "list" && args[0] != "remove") {
		return fmt.Errorf("%w: nats-user add --account analytics NAME | list | remove NAME", errUsage)
	}
	verb := args[0]
	fset := flag.NewFlagSet("nats-user "+verb, flag.ContinueOnError)
	dataDir := fset.String("data-dir", "./data", "the data directory of the embedded store")
	account := fset.String("account", "", "add: the user's account (only analytics)")
	passwordStdin := fset.Bool("password-stdin", false, "add: read the password from the first line of stdin instead of drawing one")
	asJSON := fset.Bool("json", false, "list: print JSON")
	names, err := parseWithNames(fset, args[1:])
	if err != nil {
		return err
	}
	name, err := oneName(verb, names)
	if err != nil {
		return err
	}
	var password string
	if verb == "add" {
		if password, err = checkAdd(name, *account, *passwordStdin, stdin); err != nil {
			return err
		}
	}
	if _, err := os.Stat(filepath.Join(*dataDir, "jetstream")); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no event store in %s: point --data-dir at a data directory", *dataDir)
	}
	acc, err := ownOrAsk(ctx, "nats-user "+verb, *dataDir)
	if err != nil {
		return err
	}
	if acc.locks != nil {
		defer acc.locks.Release()
	}
	u := natsUsers{dataDir: *dataDir, server: acc.server, pid: acc.status.PID}
	switch verb {
	case "add":
		added, err := u.add(ctx, admin.NATSUserRequest{Name: name, Account: *account, Password: password})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "user:         %s (account %s)%s\n", added.Name, added.Account, u.by())
		if !*passwordStdin {
			fmt.Fprintf(out, "password:     %s\n              (shown once: only its bcrypt hash is stored)\n", password)
		}
		fmt.Fprintf(out, "inbox prefix: %s\n", jetstream.AnalystInboxPrefix(added.Name))
	case "remove":
		rm, err := u.remove(ctx, name)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "removed NATS user %s%s; %d open connection(s) closed\n", rm.Name, u.by(), rm.Disconnected)
	case "list":
		users, err := u.list(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(out)
			enc.SetIndent("", "  ")
			return enc.Encode(users)
		}
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "USER\tACCOUNT\tCREATED")
		for _, x := range users {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", x.Name, x.Account, x.Created.UTC().Format(time.RFC3339))
		}
		return tw.Flush()
	}
	return nil
}

// parseWithNames parses flags and the positional names among them, in any order
// (add NAME --account analytics as well as add --account analytics NAME).
func parseWithNames(fset *flag.FlagSet, args []string) ([]string, error) {
	return parseArgs(fset, args, true)
}

// oneName checks the positional names a verb takes.
func oneName(verb string, names []string) (string, error) {
	switch {
	case verb == "list" && len(names) > 0:
		return "", fmt.Errorf("%w: nats-user list takes no name (got %q)", errUsage, names[0])
	case verb == "list":
		return "", nil
	case len(names) == 0:
		return "", fmt.Errorf("%w: nats-user %s needs the user's name", errUsage, verb)
	case len(names) > 1:
		return "", fmt.Errorf("%w: nats-user %s takes one name (got %q)", errUsage, verb, names)
	}
	return names[0], nil
}

// checkAdd refuses a bad name, account or password before anything is touched, and
// returns the password: read from stdin, or drawn.
func checkAdd(name, account string, fromStdin bool, stdin io.Reader) (string, error) {
	if account == "" {
		return "", fmt.Errorf("%w: nats-user add needs --account analytics", errUsage)
	}
	if _, err := jetstream.AccountOf(account); err != nil {
		return "", fmt.Errorf("%w: %w", errUsage, err)
	}
	if err := jetstream.CheckUserName(name); err != nil {
		return "", fmt.Errorf("%w: %w", errUsage, err)
	}
	if !fromStdin {
		return rand.Text(), nil // 26 base32 characters: 130 random bits
	}
	line, err := bufio.NewReaderSize(io.LimitReader(stdin, 4096), 4096).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from stdin: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if err := jetstream.CheckUserPassword(password); err != nil {
		return "", fmt.Errorf("%w: --password-stdin: %w", errUsage, err)
	}
	return password, nil
}

// natsUsers does a verb through the server owning the data directory, or on its users
// file when this command owns the directory.
type natsUsers struct {
	dataDir string
	server  *admin.Client
	pid     int
}

func (u natsUsers) by() string {
	if u.server == nil {
		return " (in " + filepath.Join(u.dataDir, jetstream.UsersFileName) + ", for the next start)"
	}
	return fmt.Sprintf(" (by the server owning %s, PID %d)", u.dataDir, u.pid)
}

func (u natsUsers) add(ctx context.Context, req admin.NATSUserRequest) (admin.NATSUser, error) {
	if u.server != nil {
		got, err := u.server.AddNATSUser(ctx, req)
		if err != nil {
			return admin.NATSUser{}, fmt.Errorf("the server owning %s (PID %d): %w", u.dataDir, u.pid, err)
		}
		return got, nil
	}
	added, err := jetstream.AddUser(u.dataDir, req.Name, req.Account, req.Password, time.Now(), nil)
	if err != nil {
		return admin.NATSUser{}, err
	}
	return listed(added), nil
}

func (u natsUsers) remove(ctx context.Context, name string) (admin.NATSUserRemoved, error) {
	if u.server != nil {
		rm, err := u.server.RemoveNATSUser(ctx, name)
		if err != nil {
			return admin.NATSUserRemoved{}, fmt.Errorf("the server owning %s (PID %d): %w", u.dataDir, u.pid, err)
		}
		return rm, nil
	}
	removed, err := jetstream.RemoveUser(u.dataDir, name)
	if err != nil {
		return admin.NATSUserRemoved{}, err
	}
	return admin.NATSUserRemoved{NATSUser: listed(removed)}, nil
}

func (u natsUsers) list(ctx context.Context) ([]admin.NATSUser, error) {
	if u.server != nil {
		users, err := u.server.NATSUsers(ctx)
		if err != nil {
			return nil, fmt.Errorf("the server owning %s (PID %d): %w", u.dataDir, u.pid, err)
		}
		return users, nil
	}
	file, err := jetstream.ReadUsers(u.dataDir)
	if err != nil {
		return nil, err
	}
	users := []admin.NATSUser{}
	for _, x := range file {
		users = append(users, listed(x))
	}
	return users, nil
}

// listed is a user as the admin socket shows it: never its hash.
func listed(u jetstream.User) admin.NATSUser {
	return admin.NATSUser{Name: u.Name, Account: u.Account, Created: u.Created}
}

// natsUserOps adds per-analyst NATS users to what a serving waymark does on its admin
// socket: on its embedded server (refused on an external one).
type natsUserOps struct {
	retentionOps
	nats *jetstream.Store
}

var _ admin.NATSUserKeeper = natsUserOps{}

func (o natsUserOps) AddNATSUser(_ context.Context, req admin.NATSUserRequest) (admin.NATSUser, error) {
	u, err := o.nats.AddUser(req.Name, req.Account, req.Password, time.Now())
	if err != nil {
		return admin.NATSUser{}, natsUserErr(err)
	}
	return listed(u), nil
}

func (o natsUserOps) RemoveNATSUser(_ context.Context, name string) (admin.NATSUserRemoved, error) {
	u, n, err := o.nats.RemoveUser(name)
	if err != nil {
		return admin.NATSUserRemoved{}, natsUserErr(err)
	}
	return admin.NATSUserRemoved{NATSUser: listed(u), Disconnected: n}, nil
}

func (o natsUserOps) NATSUsers(context.Context) ([]admin.NATSUser, error) {
	file, err := o.nats.Users()
	if err != nil {
		return nil, natsUserErr(err)
	}
	users := []admin.NATSUser{}
	for _, x := range file {
		users = append(users, listed(x))
	}
	return users, nil
}

// natsUserErr maps the store's refusals to the admin socket's.
func natsUserErr(err error) error {
	switch {
	case errors.Is(err, jetstream.ErrNoSuchUser):
		return fmt.Errorf("%w: %w", admin.ErrNotFound, err)
	case errors.Is(err, jetstream.ErrBadUser), errors.Is(err, jetstream.ErrUserExists), errors.Is(err, jetstream.ErrExternalServer):
		return fmt.Errorf("%w: %w", admin.ErrRefused, err)
	}
	return err
}

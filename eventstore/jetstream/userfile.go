package jetstream

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// UsersFileName is the file in the data dir holding the per-analyst NATS users
// (waymark nats-user): names, accounts and bcrypt hashes, never a password.
const UsersFileName = "nats-users.json"

// bcryptCost is the cost of the stored hashes (the nats-server docs recommend 11).
const bcryptCost = 11

// Password lengths accepted for a NATS user: long enough not to be guessed at the
// throttled client port, and within what bcrypt reads (72 bytes).
const (
	MinUserPassword = 16
	MaxUserPassword = 72
)

// Errors the user commands branch on.
var (
	// ErrBadUser: a name, account or password that is refused (a sentence says why).
	ErrBadUser = errors.New("refused")
	// ErrUserExists: a user of that name exists (or the name is taken otherwise).
	ErrUserExists = errors.New("a NATS user of that name exists")
	// ErrNoSuchUser: no user of that name in the users file.
	ErrNoSuchUser = errors.New("no such NATS user")
)

// userName: a NATS subject token (the user's inbox is _INBOX.<name>), lower case, so
// that two names never differ by case alone.
var userName = regexp.MustCompile(`^[a-z][a-z0-9_-]{1,31}$`)

// User is one per-analyst NATS user as the users file holds it.
type User struct {
	Name    string    `json:"name"`
	Account string    `json:"account"`
	Created time.Time `json:"created"`
	Hash    string    `json:"bcrypt"` // bcrypt hash of the password, never the password
}

// usersFile is the file's content.
type usersFile struct {
	Users []User `json:"users"`
}

// CheckUserName refuses a name a per-analyst user cannot have.
func CheckUserName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: a NATS user needs a name", ErrBadUser)
	case len(name) > 32:
		return fmt.Errorf("%w: NATS user name %.40q is longer than 32 characters", ErrBadUser, name)
	case strings.HasPrefix(name, AppUser):
		return fmt.Errorf("%w: NATS user names starting with %q are Waymark's own", ErrBadUser, AppUser)
	case !userName.MatchString(name):
		return fmt.Errorf("%w: NATS user name %q: use 2 to 32 lower-case letters, digits, '-' or '_', starting with a letter", ErrBadUser, name)
	}
	return nil
}

// AccountOf returns the account a user may be created in ("analytics", in any case,
// is AnalyticsAccount: the only one).
func AccountOf(account string) (string, error) {
	if strings.EqualFold(account, AnalyticsAccount) {
		return AnalyticsAccount, nil
	}
	return "", fmt.Errorf("%w: account %q: NATS users can be made only in the analytics account (--account analytics)", ErrBadUser, account)
}

// CheckUserPassword refuses a password given for a user that is too short or too long.
func CheckUserPassword(password string) error {
	switch {
	case len(password) < MinUserPassword:
		return fmt.Errorf("%w: the password has %d characters; give at least %d", ErrBadUser, len(password), MinUserPassword)
	case len(password) > MaxUserPassword:
		return fmt.Errorf("%w: the password has %d bytes; bcrypt reads at most %d", ErrBadUser, len(password), MaxUserPassword)
	}
	return nil
}

// newUser checks name, account and password and hashes the password.
func newUser(name, account, password string, now time.Time) (User, error) {
	acc, err := AccountOf(account)
	if err != nil {
		return User{}, err
	}
	if err := CheckUserName(name); err != nil {
		return User{}, err
	}
	if err := CheckUserPassword(password); err != nil {
		return User{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	if err != nil {
		return User{}, fmt.Errorf("hash the password: %w", err)
	}
	return User{Name: name, Account: acc, Created: now.UTC().Truncate(time.Second), Hash: string(hash)}, nil
}

// ReadUsers reads the users file of dataDir (none: no users).
func ReadUsers(dataDir string) ([]User, error) {
	path := filepath.Join(dataDir, UsersFileName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("NATS users: %w", err)
	}
	var f usersFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("NATS users: %s: %w", path, err)
	}
	for _, u := range f.Users {
		if err := CheckUserName(u.Name); err != nil {
			return nil, fmt.Errorf("NATS users: %s: %w", path, err)
		}
		if _, err := AccountOf(u.Account); err != nil || !bcryptHash.MatchString(u.Hash) {
			return nil, fmt.Errorf("NATS users: %s: user %q has no account or no bcrypt hash", path, u.Name)
		}
	}
	return f.Users, nil
}

// AddUser adds a user to dataDir's users file, whose directory the caller owns (its
// lock, or the server that holds it). taken, when set, says whether a name is used
// otherwise (a running server's own users).
func AddUser(dataDir, name, account, password string, now time.Time, taken func(string) bool) (User, error) {
	u, err := newUser(name, account, password, now)
	if err != nil {
		return User{}, err
	}
	users, err := ReadUsers(dataDir)
	if err != nil {
		return User{}, err
	}
	if slices.ContainsFunc(users, func(x User) bool { return x.Name == name }) || (taken != nil && taken(name)) {
		return User{}, fmt.Errorf("%w: %q", ErrUserExists, name)
	}
	if err := writeUsers(dataDir, append(users, u)); err != nil {
		return User{}, err
	}
	return u, nil
}

// RemoveUser removes a user from dataDir's users file.
func RemoveUser(dataDir, name string) (User, error) {
	users, err := ReadUsers(dataDir)
	if err != nil {
		return User{}, err
	}
	i := slices.IndexFunc(users, func(x User) bool { return x.Name == name })
	if i < 0 {
		return User{}, fmt.Errorf("%w: %q", ErrNoSuchUser, name)
	}
	u := users[i]
	if err := writeUsers(dataDir, slices.Delete(users, i, i+1)); err != nil {
		return User{}, err
	}
	return u, nil
}

// writeUsers replaces the users file atomically: a 0600 temporary file, synced, then
// renamed over it, then the directory synced. A crash leaves the old file or the new.
func writeUsers(dataDir string, users []User) error {
	if users == nil {
		users = []User{}
	}
	b, err := json.MarshalIndent(usersFile{Users: users}, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(dataDir, UsersFileName)
	tmp, err := os.CreateTemp(dataDir, UsersFileName+".tmp-*")
	if err != nil {
		return fmt.Errorf("NATS users: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, nothing to remove
	if err := tmp.Chmod(0o600); err == nil {
		if _, err = tmp.Write(append(b, '\n')); err == nil {
			err = tmp.Sync()
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), path)
		}
		if err != nil {
			return fmt.Errorf("NATS users: write %s: %w", path, err)
		}
	} else {
		tmp.Close()
		return fmt.Errorf("NATS users: %w", err)
	}
	d, err := os.Open(dataDir)
	if err != nil {
		return fmt.Errorf("NATS users: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("NATS users: sync %s: %w", dataDir, err)
	}
	return nil
}

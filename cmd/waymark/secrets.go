package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/waymark-org/waymark/auth"
	"github.com/waymark-org/waymark/sealing"
)

// Token issuer and audience: every Waymark token names them, every server checks them.
const (
	tokenIssuer   = "waymark"
	tokenAudience = "waymark-api"
)

// secretFlags locate the secrets: the token signing key and its public keys, the
// keyring of key-encryption keys, and the command-hash key. By default they live in
// <data-dir>/secrets; production points them elsewhere (or sets WAYMARK_MASTER_KEY).
type secretFlags struct {
	dir        string
	masterKey  string // path of the keyring file
	publicKeys string
	signingKey string
	commandKey string
	// analyticsKey is the analytics feed's pseudonym key (loadAnalyticsKey).
	analyticsKey string
}

func (f *secretFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dir, "secrets-dir", "", "directory of the secrets below (default <data-dir>/secrets)")
	fs.StringVar(&f.masterKey, "master-key-file", "", "keyring of key-encryption keys (default <secrets-dir>/keyring.json; WAYMARK_MASTER_KEY holds the keyring itself instead)")
	fs.StringVar(&f.publicKeys, "public-keys", "", "token verification keys: a .pub.pem file or a directory of them (default <secrets-dir>/public)")
	fs.StringVar(&f.signingKey, "signing-key", "", "token signing key (default <secrets-dir>/signing.key.pem)")
	fs.StringVar(&f.commandKey, "command-key-file", "", "key for command-input hashes, shared by all replicas (default <secrets-dir>/command-hash.key, created if missing)")
	fs.StringVar(&f.analyticsKey, "analytics-key-file", "", "key of the analytics feed's pseudonyms (default <secrets-dir>/analytics.key, created if missing; replacing it means waymark republish)")
}

// resolve fills in the defaults under dataDir.
func (f secretFlags) resolve(dataDir string) secretFlags {
	if f.dir == "" {
		f.dir = filepath.Join(dataDir, "secrets")
	}
	def := func(v *string, name string) {
		if *v == "" {
			*v = filepath.Join(f.dir, name)
		}
	}
	def(&f.masterKey, "keyring.json")
	def(&f.publicKeys, "public")
	def(&f.signingKey, "signing.key.pem")
	def(&f.commandKey, "command-hash.key")
	def(&f.analyticsKey, "analytics.key")
	return f
}

// keyring reads the key-encryption keys: WAYMARK_MASTER_KEY if set, else the file.
func (f secretFlags) keyring() (sealing.Keyring, error) {
	if v, ok := os.LookupEnv("WAYMARK_MASTER_KEY"); ok {
		ring, err := sealing.ParseKeyring(v)
		if err != nil {
			return sealing.Keyring{}, fmt.Errorf("WAYMARK_MASTER_KEY: %w", err)
		}
		return ring, nil
	}
	ring, err := sealing.ReadKeyring(f.masterKey)
	if errors.Is(err, fs.ErrNotExist) {
		return sealing.Keyring{}, fmt.Errorf("no master key: set WAYMARK_MASTER_KEY or create %s with 'waymark keys generate' (or run with --demo)", f.masterKey)
	}
	return ring, err
}

// keyringFile is the file the keyring is kept in: "" when it comes from
// WAYMARK_MASTER_KEY (which then wins over the file).
func (f secretFlags) keyringFile() string {
	if _, ok := os.LookupEnv("WAYMARK_MASTER_KEY"); ok {
		return ""
	}
	return f.masterKey
}

// verifier checks tokens with the public keys, refusing any that lives longer than
// maxLifetime.
func (f secretFlags) verifier(maxLifetime time.Duration) (auth.Verifier, error) {
	keys, err := auth.ReadPublicKeys(f.publicKeys)
	if err != nil {
		return auth.Verifier{}, fmt.Errorf("token verification keys %s: %w (create them with 'waymark keys generate', or run with --demo)", f.publicKeys, err)
	}
	return auth.Verifier{Keys: keys, Issuer: tokenIssuer, Audience: tokenAudience, Now: time.Now,
		Leeway: 30 * time.Second, MaxLifetime: maxLifetime}, nil
}

// readSigningKey reads the token signing key; when there is none, the error says where it
// was looked for and how to point elsewhere.
func (f secretFlags) readSigningKey() (auth.SigningKey, error) {
	key, err := auth.ReadSigningKey(f.signingKey)
	if errors.Is(err, fs.ErrNotExist) {
		path := f.signingKey
		if abs, err := filepath.Abs(path); err == nil {
			path = abs // a relative default (./data) depends on where the command ran
		}
		return auth.SigningKey{}, fmt.Errorf("no token signing key at %s (looked in %s): point at the data directory that has it with "+
			"--data-dir (WAYMARK_DATA_DIR), or at the key itself with --secrets-dir or --signing-key (WAYMARK_SECRETS_DIR, "+
			"WAYMARK_SIGNING_KEY); or create one with 'waymark keys generate'", path, filepath.Dir(path))
	}
	if err != nil {
		return auth.SigningKey{}, fmt.Errorf("signing key %s: %w", f.signingKey, err)
	}
	return key, nil
}

// generate creates whichever of the secrets is missing and returns what it made.
func (f secretFlags) generate() ([]string, error) {
	var made []string
	if err := os.MkdirAll(f.dir, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", f.dir, err)
	}
	if _, err := os.Stat(f.masterKey); errors.Is(err, fs.ErrNotExist) {
		ring, err := sealing.GenerateKeyring(keyID("kek"))
		if err != nil {
			return nil, err
		}
		if err := sealing.WriteKeyring(f.masterKey, ring); err != nil {
			return nil, err
		}
		made = append(made, f.masterKey)
	}
	if _, err := os.Stat(f.signingKey); errors.Is(err, fs.ErrNotExist) {
		key, err := auth.GenerateSigningKey(keyID("sig"))
		if err != nil {
			return nil, err
		}
		if err := auth.WriteSigningKey(f.signingKey, key); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(f.publicKeys, 0o755); err != nil {
			return nil, err
		}
		pub := filepath.Join(f.publicKeys, key.ID+auth.PublicKeySuffix)
		if err := auth.WritePublicKey(pub, key.Public()); err != nil {
			return nil, err
		}
		made = append(made, f.signingKey, pub)
	}
	return f.generateAuditKey(made) // checkpoint_key.go
}

// loadCommandKey reads the command-hash key from path, creating a random one (0600)
// the first time. Replicas on one store must share the file.
func loadCommandKey(path string) ([]byte, error) { return loadHexKey(path, "command key") }

// loadAnalyticsKey reads the analytics feed's pseudonym key from path, creating a
// random one (0600) the first time. It is the feed's own: not a sealing key, not the
// command key. Replacing it changes every pseudonym (waymark republish).
func loadAnalyticsKey(path string) ([]byte, error) { return loadHexKey(path, "analytics key") }

// loadHexKey reads a key of at least 32 hex-encoded bytes from path, creating a random
// one of 32 bytes (0600) the first time.
func loadHexKey(path, what string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createHexKey(path, what)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(key) < 32 {
		return nil, fmt.Errorf("%s %s: want at least 32 hex-encoded bytes", what, path)
	}
	return key, nil
}

func createHexKey(path, what string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", what, err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("create %s: %w", what, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", what, err)
	}
	defer f.Close()
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		return nil, fmt.Errorf("write %s: %w", what, err)
	}
	return key, f.Sync()
}

// keyID names a new key: its kind, when it was made, and a random suffix so that two
// keys made in the same second still differ.
func keyID(kind string) string {
	return kind + "-" + time.Now().UTC().Format("20060102-150405") + "-" + rand.Text()[:6]
}

package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/waymark-org/waymark/auth"
)

// The audit key signs checkpoints (package audit). It is an Ed25519 key of its own,
// never the token signing key: whoever can sign tokens must not also be able to vouch
// for the history. Its private half stays with the server (0600, next to the other
// secrets); its public half, audit.pub.pem, is what auditors pin. The public file is
// kept beside the private one, not in the directory of token verification keys: a
// key there would be trusted to sign tokens.
const (
	auditKeyName    = "audit.key.pem"
	auditPubKeyName = "audit.pub.pem"
)

// auditKeyFile is the default audit private key of the secrets in sec.
func (f secretFlags) auditKeyFile() string { return filepath.Join(f.dir, auditKeyName) }

// auditPublicKeyFile is the public key beside the private key at priv.
func auditPublicKeyFile(priv string) string {
	return filepath.Join(filepath.Dir(priv), auditPubKeyName)
}

// registerAuditKey adds --audit-key (WAYMARK_AUDIT_KEY) to fs.
func registerAuditKey(fs *flag.FlagSet) *string {
	return fs.String("audit-key", "", "the Ed25519 audit key that signs checkpoints (default <secrets-dir>/"+auditKeyName+"; its public half "+auditPubKeyName+" sits beside it)")
}

// generateAuditKey creates the audit key when it is missing (and its public file when
// only that is missing), adding what it made to made. Called by generate, so that
// keys generate, serve --demo and seed --demo make it as they make the token key.
func (f secretFlags) generateAuditKey(made []string) ([]string, error) {
	priv := f.auditKeyFile()
	pub := auditPublicKeyFile(priv)
	key, err := auth.ReadSigningKey(priv)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if key, err = auth.GenerateSigningKey(keyID("audit")); err != nil {
			return made, err
		}
		if err := auth.WriteSigningKey(priv, key); err != nil {
			return made, fmt.Errorf("audit key: %w", err)
		}
		made = append(made, priv)
	case err != nil:
		return made, fmt.Errorf("audit key: %w", err)
	}
	if _, err := os.Stat(pub); errors.Is(err, fs.ErrNotExist) {
		if err := auth.WritePublicKey(pub, key.Public()); err != nil {
			return made, fmt.Errorf("audit public key: %w", err)
		}
		made = append(made, pub)
	}
	return made, nil
}

// errNoAuditKey: the audit key file does not exist.
var errNoAuditKey = errors.New("no audit key")

// loadAuditKey reads the audit key at path (the default under sec when path is "").
func loadAuditKey(sec secretFlags, path string) (auth.SigningKey, error) {
	if path == "" {
		path = sec.auditKeyFile()
	}
	key, err := auth.ReadSigningKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		return auth.SigningKey{}, fmt.Errorf("%w at %s: create it with 'waymark keys generate' (or point --audit-key, WAYMARK_AUDIT_KEY, at it)", errNoAuditKey, path)
	}
	if err != nil {
		return auth.SigningKey{}, fmt.Errorf("audit key %s: %w", path, err)
	}
	return key, nil
}

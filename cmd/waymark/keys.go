package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/waymark-org/waymark/sealing"
	"github.com/waymark-org/waymark/sealing/jskeys"
)

// keys generate: create the secrets that are missing (signing key, its public key,
// keyring, and the audit key with its public audit.pub.pem: checkpoint_key.go). keys
// rotate: add a new key-encryption key and rewrap every case key.
func keys(ctx context.Context, args []string, logger *slog.Logger) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: keys generate | keys rotate", errUsage)
	}
	fs := flag.NewFlagSet("keys "+args[0], flag.ContinueOnError)
	dataDir := fs.String("data-dir", "./data", "data directory (for the default secrets and key store locations)")
	keysDir := fs.String("keys-dir", "", "the case-key store (default <data-dir>/keys)")
	var sec secretFlags
	sec.register(fs)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	sec = sec.resolve(*dataDir)
	switch args[0] {
	case "generate":
		made, err := sec.generate()
		if err != nil {
			return err
		}
		if len(made) == 0 {
			fmt.Println("all keys already exist; nothing generated")
		}
		for _, path := range made {
			fmt.Println("created", path)
		}
		return nil
	case "rotate":
		if *keysDir == "" {
			*keysDir = filepath.Join(*dataDir, "keys")
		}
		return rotate(ctx, sec, *dataDir, *keysDir, explicit, logger)
	}
	return fmt.Errorf("%w: unknown keys command %q", errUsage, args[0])
}

// rotate rewraps every case key under a new key-encryption key: by the server that
// owns the data directory, asked on its admin socket, or here, owning the directory,
// when no server runs.
func rotate(ctx context.Context, sec secretFlags, dataDir, keysDir string, explicit map[string]bool, logger *slog.Logger) error {
	own, err := ownOrAsk(ctx, "keys rotate", dataDir, keysDir)
	if err != nil {
		return err
	}
	if own.server != nil {
		return rotateOnServer(ctx, own, sec, keysDir, explicit)
	}
	defer own.locks.Release()
	file := sec.keyringFile()
	if file == "" {
		return errKeyringInEnv
	}
	ring, err := sec.keyring()
	if err != nil {
		return err
	}
	store, err := jskeys.Open(ctx, keysDir, logger)
	if err != nil {
		return fmt.Errorf("open key store %s: %w", keysDir, err)
	}
	defer store.Close()
	vault, err := sealing.NewVault(store, ring)
	if err != nil {
		return err
	}
	next, n, err := (&keyRotation{vault: vault, file: file}).rotate(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("rotated to %s: %d case keys rewrapped; %s\n", next.Active, n, next)
	return nil
}

// rotateOnServer has the server that owns the data directory rotate its own keys.
// A key directory or keyring file named on this command line must be the server's:
// otherwise the operator meant another key store than the one that would rotate.
func rotateOnServer(ctx context.Context, own storeAccess, sec secretFlags, keysDir string, explicit map[string]bool) error {
	st := own.status
	if explicit["keys-dir"] && !samePath(keysDir, st.KeysDir) {
		return fmt.Errorf("the server owning this data directory (PID %d) uses the key store %s, not %s: nothing rotated", st.PID, st.KeysDir, keysDir)
	}
	if (explicit["master-key-file"] || explicit["secrets-dir"]) && !samePath(sec.masterKey, st.KeyringFile) {
		return fmt.Errorf("the server owning this data directory (PID %d) uses the keyring %s, not %s: nothing rotated", st.PID, keyringName(st.KeyringFile), sec.masterKey)
	}
	rot, err := own.server.RotateKeys(ctx)
	if err != nil {
		return fmt.Errorf("the server owning this data directory (PID %d) did not rotate: %w", st.PID, err)
	}
	fmt.Printf("rotated by the server owning %s (PID %d) to %s: %d case keys rewrapped; keyring{active=%s, keks=[%s]} in %s\n",
		st.DataDir, st.PID, rot.Active, rot.Rewrapped, rot.Active, strings.Join(rot.KEKs, " "), rot.KeyringFile)
	return nil
}

// keyringName names where a server's keyring is kept.
func keyringName(file string) string {
	if file == "" {
		return "from WAYMARK_MASTER_KEY"
	}
	return file
}

// samePath reports whether a and b name the same file or directory.
func samePath(a, b string) bool {
	canon := func(p string) string {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return filepath.Clean(p)
	}
	return canon(a) == canon(b)
}

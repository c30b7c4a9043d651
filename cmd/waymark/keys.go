package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/waymark-org/waymark/sealing"
)

// keys generate: create the secrets that are missing (signing key, its public key,
// keyring). keys rotate: add a new key-encryption key and rewrap every case key.
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
		return rotate(ctx, sec, *keysDir, logger)
	}
	return fmt.Errorf("%w: unknown keys command %q", errUsage, args[0])
}

// rotate rewraps every case key under a new key-encryption key. Run it with the
// server stopped: the key store is opened here.
func rotate(ctx context.Context, sec secretFlags, keysDir string, logger *slog.Logger) error {
	ring, err := sec.keyring()
	if err != nil {
		return err
	}
	next, err := ring.WithNewKEK(keyID("kek"))
	if err != nil {
		return err
	}
	store, err := sealing.OpenJetStreamKeyStore(ctx, keysDir, logger)
	if err != nil {
		return fmt.Errorf("open key store %s: %w", keysDir, err)
	}
	defer store.Close()
	vault, err := sealing.NewVault(store, ring)
	if err != nil {
		return err
	}
	// The new ring is written first: if rewrapping stops half way, both KEKs are in it
	// and every case key still opens; running rotate again finishes the job.
	if err := sealing.WriteKeyring(sec.masterKey, next); err != nil {
		return fmt.Errorf("write keyring: %w", err)
	}
	n, err := vault.Rotate(ctx, next)
	if err != nil {
		return fmt.Errorf("rotate: %w (the keyring keeps both keys; run rotate again)", err)
	}
	fmt.Printf("rotated to %s: %d case keys rewrapped; %s\n", next.Active, n, next)
	return nil
}

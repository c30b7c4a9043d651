package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/nats-io/nats.go"

	"github.com/waymark-org/waymark/auth"
	"github.com/waymark-org/waymark/backup"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/internal/datadir"
	"github.com/waymark-org/waymark/sealing/erasurelog"
	"github.com/waymark-org/waymark/sealing/jskeys"
)

// restoreCommand: waymark restore --from DIR [--include-keys] [--erasure-ledger FILE]
//
// It restores a backup (waymark backup) into an empty data directory, never over
// anything: the backup is checked whole against its manifest first (a damaged one
// is refused and nothing is touched), the target must be empty and unlocked, and
// what a restore that fails part-way wrote is removed. Then it applies the erasure
// ledger (restore_ledger.go) — every case erased since the backup stays erased — and
// verifies the restored store with the code of 'waymark verify --all'.
func restoreCommand(ctx context.Context, args []string, out, errOut io.Writer, logger *slog.Logger) error {
	fset := flag.NewFlagSet("restore", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fset)
	from := fset.String("from", "", "the backup directory to restore (required)")
	includeKeys := fset.Bool("include-keys", false, "also restore the backup's key store (into an empty --keys-dir) and secrets (where the secret flags point; none may exist)")
	ledgerFile := fset.String("erasure-ledger", "", "the erasure ledger to apply (default <keys-dir>/"+erasurelog.FileName+")")
	noLedger := fset.Bool("no-erasure-ledger", false, "restore the backup's keys although no erasure ledger is left: every case erased since the backup can be read again")
	keyFile := fset.String("key", "", "the audit public key the restored checkpoints are verified with (default the audit key's "+auditPubKeyName+", when there is one)")
	auditKey := registerAuditKey(fset)
	if err := parse(fset, args); err != nil {
		return err
	}
	switch {
	case *from == "":
		return fmt.Errorf("%w: restore needs --from DIR", errUsage)
	case sf.natsURL != "":
		return fmt.Errorf("%w: restore goes into the embedded store of an empty data directory; an external NATS server's streams are restored by its operator", errUsage)
	case *ledgerFile != "" && *noLedger:
		return fmt.Errorf("%w: --erasure-ledger and --no-erasure-ledger: give one", errUsage)
	}
	sf = sf.resolved()

	// Everything that can refuse the restore does, before anything is written.
	b, err := backup.Open(*from)
	if err != nil {
		return fmt.Errorf("restore refused, nothing changed: %w", err)
	}
	if *includeKeys && !b.Manifest.IncludesKeys {
		return fmt.Errorf("restore refused, nothing changed: --include-keys, but the backup %s holds no keys", *from)
	}
	targets := []string{sf.dataDir}
	if *includeKeys {
		targets = append(targets, sf.keysDir)
		for _, f := range b.Manifest.Secrets {
			path, err := secretPath(sf.secrets, *auditKey, f.Name)
			if err != nil {
				return fmt.Errorf("restore refused, nothing changed: %w", err)
			}
			if _, err := os.Lstat(path); err == nil {
				return fmt.Errorf("restore refused, nothing changed: %s exists; --include-keys restores the secrets where none are (point --secrets-dir at an empty directory)", path)
			}
		}
	}
	for _, dir := range targets {
		if err := checkEmpty(dir); err != nil {
			return fmt.Errorf("restore refused, nothing changed: %w", err)
		}
	}
	plan, err := planLedger(sf, b, *includeKeys, *ledgerFile, *noLedger) // restore_ledger.go
	if err != nil {
		return fmt.Errorf("restore refused, nothing changed: %w", err)
	}
	if *includeKeys {
		fmt.Fprint(errOut, keysWarning)
	}

	locks, err := lockStore("restore", sf.dataDir, sf.keysDir)
	if err != nil {
		return fmt.Errorf("restore refused: %w", err)
	}
	defer locks.Release()
	for _, dir := range targets { // again, now that nobody else can make anything there
		if err := checkEmpty(dir); err != nil {
			return fmt.Errorf("restore refused: %w", err)
		}
	}
	undo := &undoList{}
	done := false
	defer func() {
		if !done {
			undo.run(logger)
		}
	}()

	fmt.Fprintf(out, "restoring the backup %s (taken %s by %s, waymark %s) into %s\n", b.Dir,
		b.Manifest.CreatedAt.Format("2006-01-02 15:04:05Z"), b.Manifest.By, b.Manifest.WaymarkVersion, sf.dataDir)
	undo.emptyDir(sf.dataDir)
	cfg := sf.storeConfig("")
	cfg.Logger = logger
	if err := jetstream.RestoreEmbedded(ctx, cfg, func(ctx context.Context, nc *nats.Conn) error {
		return restoreStreams(ctx, out, b, nc, backup.ServerEvents)
	}); err != nil {
		return fmt.Errorf("restore failed, what it wrote removed: %w", err)
	}
	if *includeKeys {
		undo.emptyDir(sf.keysDir)
		if err := jskeys.RestoreEmbedded(ctx, sf.keysDir, logger, func(ctx context.Context, nc *nats.Conn) error {
			return restoreStreams(ctx, out, b, nc, backup.ServerKeys)
		}); err != nil {
			return fmt.Errorf("restore failed, what it wrote removed: %w", err)
		}
		for _, f := range b.Manifest.Secrets {
			path, _ := secretPath(sf.secrets, *auditKey, f.Name)
			undo.file(path)
			if err := b.RestoreSecret(f, path); err != nil {
				return fmt.Errorf("restore failed, what it wrote removed: %w", err)
			}
		}
		fmt.Fprintf(out, "  keys: the key store into %s and %d secret files\n", sf.keysDir, len(b.Manifest.Secrets))
	}
	if err := plan.apply(ctx, out, sf, logger); err != nil {
		return fmt.Errorf("restore failed, what it wrote removed: %w", err)
	}
	done = true // restored whole: what follows reports on it

	pinned, note, err := restoreAuditKey(sf.secrets, *keyFile, *auditKey)
	if err != nil {
		return err
	}
	store, access, closeStore, err := openForAudit(ctx, sf, logger)
	if err != nil {
		return err
	}
	defer closeStore()
	rep, err := runVerify(ctx, store, access, "", false, nil, pinned)
	if err != nil {
		return fmt.Errorf("restored, but not verified: %w", err)
	}
	if err := report(out, rep, note, " after the restore"); err != nil {
		return fmt.Errorf("%w; the restored data directory %s is left as it is for inspection: do not serve from it", err, sf.dataDir)
	}
	return nil
}

// restoreStreams restores the backup's streams of server on nc and lists them.
func restoreStreams(ctx context.Context, out io.Writer, b *backup.Backup, nc *nats.Conn, server string) error {
	restored, err := b.RestoreStreams(ctx, nc, server)
	if err != nil {
		return err
	}
	for _, r := range restored {
		fmt.Fprintf(out, "  %-28s %8d messages, sequences %d-%d\n", r.Name, r.State.Messages, r.State.FirstSeq, r.State.LastSeq)
	}
	return nil
}

// restoreAuditKey is the key checkpoints are verified with after a restore: --key,
// else the audit key's public half when there is one (restored or kept), else none.
func restoreAuditKey(sec secretFlags, keyFile, auditKey string) (ed25519.PublicKey, string, error) {
	if keyFile == "" {
		if auditKey == "" {
			auditKey = sec.auditKeyFile()
		}
		if def := auditPublicKeyFile(auditKey); fileExists(def) {
			keyFile = def
		}
	}
	if keyFile == "" {
		return nil, " (no audit public key: chains only, no checkpoints compared)", nil
	}
	keys, err := auth.ReadPublicKeys(keyFile)
	if err != nil || len(keys) != 1 {
		return nil, "", fmt.Errorf("--key %s: not one Ed25519 public key: %v", keyFile, err)
	}
	return keys[0].Public, "", nil
}

// checkEmpty accepts a directory that does not exist or holds nothing but a lock file.
func checkEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	for _, e := range entries {
		if e.Name() != datadir.FileName {
			return fmt.Errorf("%s is not empty (it holds %s): restore goes into an empty directory only", dir, e.Name())
		}
	}
	return nil
}

// undoList removes what a restore wrote, when it fails part-way: the contents of
// directories that were empty (their lock files aside), and files that did not exist.
type undoList struct{ dirs, files []string }

func (u *undoList) emptyDir(dir string) { u.dirs = append(u.dirs, dir) }
func (u *undoList) file(path string)    { u.files = append(u.files, path) }

func (u *undoList) run(logger *slog.Logger) {
	remove := func(path string) {
		if err := os.RemoveAll(path); err != nil {
			logger.Error("restore: could not remove what it wrote", "path", path, "err", err)
		}
	}
	for _, f := range u.files {
		remove(f)
	}
	for _, dir := range u.dirs {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.Name() != datadir.FileName {
				remove(filepath.Join(dir, e.Name()))
			}
		}
	}
}

// keyStoreIn reports whether dir holds a key store.
func keyStoreIn(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "jetstream"))
	return err == nil
}

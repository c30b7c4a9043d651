package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/waymark-org/waymark/admin"
	"github.com/waymark-org/waymark/backup"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/sealing/jskeys"
)

// keysWarning is printed whenever a backup holds the keys.
const keysWarning = "warning: this backup holds the case keys and the secrets: whoever has it can read every survivor's personal data in it.\n" +
	"Keep it as you keep the keys, apart from the backups without them. Without them a backup's personal data cannot be read: that is the point.\n"

// backupCommand: waymark backup --to DIR [--include-keys]
//
// It takes a backup of the data directory into DIR, a new directory (package backup:
// consistent JetStream snapshots of every stream Waymark keeps, a manifest with the
// SHA-256 of each file, written whole or not at all). The server that owns the data
// directory takes it on its own stores, asked on its admin socket, while it serves;
// with no server running, this command takes it under the directory's lock. The key
// store and the secrets are in it only with --include-keys, with a warning.
func backupCommand(ctx context.Context, args []string, out, errOut io.Writer, logger *slog.Logger) error {
	fset := flag.NewFlagSet("backup", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fset)
	to := fset.String("to", "", "the backup directory to make (required; must not exist; its parent must)")
	includeKeys := fset.Bool("include-keys", false, "also put the key store and the secrets in the backup: it can then decrypt everything in it")
	auditKey := registerAuditKey(fset)
	if err := parse(fset, args); err != nil {
		return err
	}
	if *to == "" {
		return fmt.Errorf("%w: backup needs --to DIR", errUsage)
	}
	dir, err := filepath.Abs(*to) // the server may run elsewhere than this command
	if err != nil {
		return fmt.Errorf("--to %s: %w", *to, err)
	}
	if _, err := os.Lstat(dir); err == nil {
		return fmt.Errorf("--to %s already exists: a backup never overwrites; choose a new directory", dir)
	}
	if st, err := os.Stat(filepath.Dir(dir)); err != nil || !st.IsDir() {
		return fmt.Errorf("--to %s: the directory %s does not exist", dir, filepath.Dir(dir))
	}
	sf = sf.resolved()
	if err := haveStore(sf, "to back up"); err != nil {
		return err
	}
	if *includeKeys {
		fmt.Fprint(errOut, keysWarning)
	}
	own, err := ownOrAsk(ctx, "backup", sf.dataDir, sf.keysDir)
	if err != nil {
		return err
	}
	var made admin.BackupMade
	if own.server != nil {
		st := own.status
		if made, err = own.server.Backup(ctx, admin.BackupRequest{To: dir, IncludeKeys: *includeKeys}); err != nil {
			return fmt.Errorf("the server owning %s (PID %d) took no backup: %w", st.DataDir, st.PID, err)
		}
	} else {
		defer own.locks.Release()
		if made, err = backupOffline(ctx, sf, dir, *includeKeys, *auditKey, logger); err != nil {
			return err
		}
	}
	printBackup(out, made)
	return nil
}

// backupOffline takes the backup on the stores this command opens (it holds the lock).
func backupOffline(ctx context.Context, sf storeFlags, dir string, includeKeys bool, auditKey string, logger *slog.Logger) (admin.BackupMade, error) {
	cfg := sf.storeConfig("")
	cfg.Logger = logger
	store, err := jetstream.Open(ctx, cfg)
	if err != nil {
		return admin.BackupMade{}, fmt.Errorf("open the event store: %w", err)
	}
	defer store.Close()
	src := &backupSource{events: store, by: "waymark backup, owning " + sf.dataDir,
		secrets: func() ([]backup.Secret, []string) { return backupSecrets(sf.secrets, auditKey) }}
	if includeKeys {
		if _, err := os.Stat(filepath.Join(sf.keysDir, "jetstream")); errors.Is(err, fs.ErrNotExist) {
			return admin.BackupMade{}, fmt.Errorf("--include-keys: no key store in %s (point --keys-dir at it)", sf.keysDir)
		}
		keys, err := jskeys.Open(ctx, sf.keysDir, logger)
		if err != nil {
			return admin.BackupMade{}, err
		}
		defer keys.Close()
		src.keys = keys
	}
	return src.take(ctx, dir, includeKeys)
}

// printBackup says what the backup holds.
func printBackup(out io.Writer, made admin.BackupMade) {
	fmt.Fprintf(out, "backup written to %s by %s at %s\n", made.Dir, made.By, made.CreatedAt.Format("2006-01-02 15:04:05Z"))
	for _, s := range made.Streams {
		fmt.Fprintf(out, "  %-28s %8d messages, last sequence %d, %d bytes\n", s.Name, s.Messages, s.LastSeq, s.Size)
	}
	if made.IncludesKeys {
		fmt.Fprintf(out, "  with the keys: the key store and %d secret files %v\n", len(made.Secrets), made.Secrets)
	} else {
		fmt.Fprintln(out, "  without the keys: the personal data in it cannot be read without the key store and the keyring")
	}
	for _, n := range made.Notes {
		fmt.Fprintln(out, "  note:", n)
	}
}

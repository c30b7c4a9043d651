package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/waymark-org/waymark/accesslog/jsaccesslog"
	"github.com/waymark-org/waymark/admin"
	"github.com/waymark-org/waymark/audit"
	"github.com/waymark-org/waymark/eventstore/jetstream"
)

// checkpoint: waymark checkpoint [--audit-key FILE] makes a signed checkpoint now;
// waymark checkpoint export --out FILE [--force] writes every stored one to FILE.
// Both are done by the server that owns the data directory, asked on its admin socket
// (it holds the only signer), or here, under the directory's lock, when none runs.
func checkpoint(ctx context.Context, args []string, stdout, stderr io.Writer, logger *slog.Logger) error {
	if len(args) > 0 && args[0] == "export" {
		return checkpointExport(ctx, args[1:], stdout, stderr, logger)
	}
	fset := flag.NewFlagSet("checkpoint", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fset)
	keyFile := registerAuditKey(fset)
	if err := parse(fset, args); err != nil {
		return err
	}
	sf = sf.resolved()
	if err := haveStore(sf, "to checkpoint"); err != nil {
		return err
	}
	own, err := ownOrAsk(ctx, "checkpoint", sf.dataDir, sf.keysDir)
	if err != nil {
		return err
	}
	if own.server != nil {
		st := own.status
		made, err := own.server.Checkpoint(ctx)
		if err != nil {
			return fmt.Errorf("the server owning %s (PID %d) made no checkpoint: %w", st.DataDir, st.PID, err)
		}
		printCheckpoint(stdout, made, fmt.Sprintf(" by the server owning %s (PID %d)", st.DataDir, st.PID))
		return nil
	}
	defer own.locks.Release()
	key, err := loadAuditKey(sf.secrets, *keyFile)
	if err != nil {
		return err
	}
	store, access, closeStore, err := openForAudit(ctx, sf, logger)
	if err != nil {
		return err
	}
	defer closeStore()
	signer := &audit.Signer{Store: store, AccessLog: access, KeyID: key.ID, Key: key.Private, Now: time.Now}
	c, made, err := signer.Checkpoint(ctx)
	if err != nil {
		return err
	}
	printCheckpoint(stdout, admin.Summary(c, made), "")
	return nil
}

func printCheckpoint(out io.Writer, c admin.CheckpointMade, by string) {
	if !c.Made {
		fmt.Fprintf(out, "nothing changed since checkpoint %d: none made%s\n", c.Sequence, by)
		return
	}
	fmt.Fprintf(out, "checkpoint %d signed%s with audit key %s: %d events in the log, %d streams changed, access log up to %d; hash %s\n",
		c.Sequence, by, c.KeyID, c.Events, c.Streams, c.AccessSeq, c.Hash)
}

// checkpointExport writes every stored checkpoint, one JSON a line, exactly as verify
// --checkpoints reads them: into a new file (replacing one only with --force), written
// beside it and moved into place whole, or to stdout (--out -).
func checkpointExport(ctx context.Context, args []string, stdout, stderr io.Writer, logger *slog.Logger) error {
	fset := flag.NewFlagSet("checkpoint export", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fset)
	outFile := fset.String("out", "", "write the checkpoints to this new file ('-': standard output)")
	force := fset.Bool("force", false, "replace --out if it exists")
	if err := parse(fset, args); err != nil {
		return err
	}
	if *outFile == "" {
		return fmt.Errorf("%w: checkpoint export needs --out FILE (or --out - for standard output)", errUsage)
	}
	sf = sf.resolved()
	if *outFile != "-" {
		if err := checkOut(*outFile, *force); err != nil {
			return err
		}
	}
	if err := haveStore(sf, "to export checkpoints from"); err != nil {
		return err
	}
	cps, by, err := storedCheckpoints(ctx, sf, logger)
	if err != nil {
		return err
	}
	if *outFile == "-" {
		if err := writeCheckpoints(stdout, cps); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "exported %d checkpoints%s\n", len(cps), by)
		return nil
	}
	if err := writeNew(*outFile, *force, func(w io.Writer) error { return writeCheckpoints(w, cps) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "exported %d checkpoints%s to %s\n", len(cps), by, *outFile)
	return nil
}

// storedCheckpoints reads the stored checkpoints from the server that owns the data
// directory or, when none does, from the store opened here under the lock.
func storedCheckpoints(ctx context.Context, sf storeFlags, logger *slog.Logger) ([]audit.Checkpoint, string, error) {
	own, err := ownOrAsk(ctx, "checkpoint export", sf.dataDir, sf.keysDir)
	if err != nil {
		return nil, "", err
	}
	if own.server != nil {
		st := own.status
		cps, err := own.server.Checkpoints(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("the server owning %s (PID %d) exported nothing: %w", st.DataDir, st.PID, err)
		}
		return cps, fmt.Sprintf(" from the server owning %s (PID %d)", st.DataDir, st.PID), nil
	}
	defer own.locks.Release()
	store, _, closeStore, err := openForAudit(ctx, sf, logger)
	if err != nil {
		return nil, "", err
	}
	defer closeStore()
	cps, err := audit.StoredCheckpoints(ctx, store)
	return cps, "", err
}

// writeCheckpoints writes one JSON checkpoint a line (readCheckpoints reads them).
func writeCheckpoints(w io.Writer, cps []audit.Checkpoint) error {
	for _, c := range cps {
		line, err := json.Marshal(c)
		if err != nil {
			return err
		}
		if _, err := w.Write(append(line, '\n')); err != nil {
			return fmt.Errorf("write checkpoints: %w", err)
		}
	}
	return nil
}

// checkOut tells, before anything is read, why path cannot be written.
func checkOut(path string, force bool) error {
	dir := filepath.Dir(path)
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return fmt.Errorf("--out %s: the directory %s does not exist: nothing exported", path, dir)
	}
	if info, err := os.Stat(path); err == nil {
		if info.IsDir() {
			return fmt.Errorf("--out %s is a directory: name a file; nothing exported", path)
		}
		if !force {
			return fmt.Errorf("--out %s already exists: nothing exported (--force replaces it)", path)
		}
	}
	return nil
}

// writeNew writes path whole or not at all: into a temporary file beside it, synced,
// then linked into place (which fails if path appeared meanwhile) or, with force,
// renamed over it.
func writeNew(path string, force bool, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("--out %s: %w", path, err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name()) // after a link or a rename: only the extra name goes
	}()
	if err := write(tmp); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("--out %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("--out %s: %w", path, err)
	}
	if force {
		if err := os.Rename(tmp.Name(), path); err != nil {
			return fmt.Errorf("--out %s: %w", path, err)
		}
		return nil
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("--out %s appeared meanwhile: nothing exported, the file left as it was", path)
	} else if err != nil {
		return fmt.Errorf("--out %s: %w", path, err)
	}
	return nil
}

// haveStore fails with a sentence when the data directory holds no embedded store
// (opening one where there is none would make an empty one).
func haveStore(sf storeFlags, what string) error {
	if sf.natsURL != "" {
		return nil
	}
	if _, err := os.Stat(filepath.Join(sf.dataDir, "jetstream")); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no event store in %s %s: point --data-dir (WAYMARK_DATA_DIR) at a data directory", sf.dataDir, what)
	}
	return nil
}

// openForAudit opens the event store and its access log for a command that owns the
// data directory.
func openForAudit(ctx context.Context, sf storeFlags, logger *slog.Logger) (*jetstream.Store, audit.AccessLog, func(), error) {
	cfg := sf.storeConfig("")
	cfg.Logger = logger
	store, err := jetstream.Open(ctx, cfg)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("open the event store: %w", err)
	}
	access, err := jsaccesslog.Open(ctx, store.Conn(), nil, store.Replicas())
	if err != nil {
		store.Close()
		return nil, nil, nil, fmt.Errorf("open the access log: %w", err)
	}
	return store, access, func() { store.Close() }, nil
}

package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/waymark-org/waymark/accesslog/jsaccesslog"
	"github.com/waymark-org/waymark/audit"
	"github.com/waymark-org/waymark/auth"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/jetstream"
)

// errBroken is a history that does not verify (exit status 1, with the first broken
// link in a sentence).
var errBroken = errors.New("verification failed")

// verify: waymark verify [--case ID | --all] [--checkpoints FILE] [--key AUDIT.pub.pem]
// (or verify --bundle FILE --key AUDIT.pub.pem: export_verify.go)
//
// It recomputes every chain (one case's, or the whole global log's and the access
// log's) and compares them with signed checkpoints: those in FILE (one JSON
// checkpoint a line, as an auditor keeps them) or, without it, those stored, each
// checked with the key the auditor pins (--key); without a key only the chains are
// checked, and it says so. It opens the data directory itself, under its lock: with a
// server running it refuses (ask the server with verifyCase instead).
func verify(ctx context.Context, args []string, out io.Writer, logger *slog.Logger) error {
	fset := flag.NewFlagSet("verify", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fset)
	caseID := fset.String("case", "", "verify this case's chain")
	all := fset.Bool("all", false, "verify every stream, the global log and the access log")
	file := fset.String("checkpoints", "", "compare with the checkpoints in this file (default: the stored ones)")
	keyFile := fset.String("key", "", "the audit public key (PEM) checkpoints must be signed with")
	bundleFile := fset.String("bundle", "", "check this exported bundle with --key alone (no data directory)")
	if err := parse(fset, args); err != nil {
		return err
	}
	if *bundleFile != "" {
		return verifyBundle(*bundleFile, *keyFile, *caseID != "" || *all || *file != "", out) // export_verify.go
	}
	if (*caseID == "") == !*all {
		return fmt.Errorf("%w: give exactly one of --case ID and --all", errUsage)
	}
	sf = sf.resolved()
	var pinned ed25519.PublicKey
	if *keyFile != "" {
		keys, err := auth.ReadPublicKeys(*keyFile)
		if err != nil || len(keys) != 1 {
			return fmt.Errorf("--key %s: not one Ed25519 public key: %v", *keyFile, err)
		}
		pinned = keys[0].Public
	}
	if sf.natsURL == "" {
		if _, err := os.Stat(filepath.Join(sf.dataDir, "jetstream")); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("no event store in %s to verify: point --data-dir at a data directory", sf.dataDir)
		}
	}
	locks, err := lockStore("verify", sf.dataDir, sf.keysDir)
	if err != nil {
		return fmt.Errorf("%w (verify opens the data directory itself: stop the server, or ask it with verifyCase)", err)
	}
	defer locks.Release()
	cfg := sf.storeConfig("")
	cfg.Logger = logger
	store, err := jetstream.Open(ctx, cfg)
	if err != nil {
		return fmt.Errorf("open the event store: %w", err)
	}
	defer store.Close()

	var checkpoints []audit.Checkpoint
	switch {
	case *file != "":
		if checkpoints, err = readCheckpoints(*file); err != nil {
			return err
		}
	case pinned != nil:
		if checkpoints, err = audit.StoredCheckpoints(ctx, store); err != nil {
			return err
		}
	}
	if len(checkpoints) > 0 && pinned == nil {
		return fmt.Errorf("%w: checkpoints are only trusted with the key you pin: give --key", errUsage)
	}
	note := ""
	if pinned == nil {
		note = " (no --key: chains only, no checkpoints compared)"
	}
	if *caseID != "" {
		stream := eventstore.StreamName(eventstore.KindCase, *caseID)
		head, covered, err := audit.VerifyStream(ctx, store, stream, checkpoints, pinned)
		if errors.Is(err, eventstore.ErrStreamNotFound) {
			return fmt.Errorf("no case %q in %s", *caseID, sf.dataDir)
		}
		if err != nil {
			return fmt.Errorf("%w: %w", errBroken, err)
		}
		fmt.Fprintf(out, "case %s verified: %d events, head %s, %d checkpoints agree%s\n", *caseID, head.Revision+1, head.Hash, covered, note)
		return nil
	}
	access, err := jsaccesslog.Open(ctx, store.Conn(), nil)
	if err != nil {
		return err
	}
	r, err := audit.VerifyAll(ctx, store, access, checkpoints, pinned)
	if err != nil {
		return fmt.Errorf("%w: %w", errBroken, err)
	}
	fmt.Fprintf(out, "verified: %d streams, %d events, %d access-log entries, %d checkpoints agree%s\n", r.Streams, r.Events, r.AccessEntries, r.Checkpoints, note)
	return nil
}

// readCheckpoints reads a checkpoint file: one JSON checkpoint a line, oldest first.
func readCheckpoints(path string) ([]audit.Checkpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	defer f.Close()
	var out []audit.Checkpoint
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for line := 1; sc.Scan(); line++ {
		var c audit.Checkpoint
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("checkpoints %s line %d: not a checkpoint: %v", path, line, err)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("checkpoints %s: %w", path, err)
	}
	return out, nil
}

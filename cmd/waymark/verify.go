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
	"log/slog"
	"os"
	"path/filepath"

	"github.com/waymark-org/waymark/accesslog/jsaccesslog"
	"github.com/waymark-org/waymark/admin"
	"github.com/waymark-org/waymark/audit"
	"github.com/waymark-org/waymark/auth"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/eventstore/kurrentdb"
)

// errBroken is a history that does not verify (exit status 1, with the first broken
// link in a sentence).
var errBroken = errors.New("verification failed")

// errUnknownCase: the case to verify has no stream.
var errUnknownCase = errors.New("no case")

// verify: waymark verify [--case ID | --all] [--checkpoints FILE] [--key AUDIT.pub.pem]
// (or verify --bundle FILE --key AUDIT.pub.pem: export_verify.go)
//
// It recomputes every chain (one case's, or the whole global log's and the access
// log's) and compares them with signed checkpoints: those in FILE (one JSON
// checkpoint a line, as an auditor keeps them) or, without it, those stored, each
// checked with the key the auditor pins (--key); without a key only the chains are
// checked, and it says so. With no server running it opens the data directory itself,
// under its lock; when a server owns the directory it asks that server, on its admin
// socket, to run the same verification on its own store (and says so).
func verify(ctx context.Context, args []string, out io.Writer, logger *slog.Logger) error {
	fset := flag.NewFlagSet("verify", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fset)
	sf.events.register(fset) // kurrentdb.go: the events may be in KurrentDB
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
	if err := sf.events.check(); err != nil {
		return err
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
	// The file is read here first, whoever verifies: a file that does not read is this
	// command's mistake, told before anything is opened.
	var checkpoints []audit.Checkpoint
	if *file != "" {
		var err error
		if checkpoints, err = readCheckpoints(*file); err != nil {
			return err
		}
		if pinned == nil {
			return fmt.Errorf("%w: checkpoints are only trusted with the key you pin: give --key", errUsage)
		}
	}
	if err := sf.requireStore(" to verify"); err != nil {
		return err
	}
	note := ""
	if pinned == nil {
		note = " (no --key: chains only, no checkpoints compared)"
	}
	own, err := ownOrAsk(ctx, "verify", sf.dataDir, sf.keysDir)
	if err != nil {
		return err
	}
	if own.server != nil {
		return verifyOnServer(ctx, own, out, *caseID, *file, pinned, note)
	}
	defer own.locks.Release()
	cfg := sf.storeConfig("")
	cfg.Logger = logger
	store, err := jetstream.Open(ctx, cfg)
	if err != nil {
		return fmt.Errorf("open the event store: %w", err)
	}
	defer store.Close()
	var events eventstore.Store = store
	if sf.events.kurrentDB() {
		// The events in KurrentDB; the access log stays on NATS, in the data directory.
		k, err := kurrentdb.Open(ctx, sf.events.config(logger))
		if err != nil {
			return fmt.Errorf("open the event store: %w", err)
		}
		defer k.Close()
		events = k
	}
	var access audit.AccessLog
	if *all {
		if access, err = jsaccesslog.Open(ctx, store.Conn(), nil, store.Replicas()); err != nil {
			return err
		}
	}
	rep, err := runVerify(ctx, events, access, *caseID, *file != "", checkpoints, pinned)
	if errors.Is(err, errUnknownCase) {
		return fmt.Errorf("%w in %s", err, sf.dataDir)
	}
	if err != nil {
		return err
	}
	return report(out, rep, note, "")
}

// verifyOnServer has the server owning the data directory verify its own store.
func verifyOnServer(ctx context.Context, own storeAccess, out io.Writer, caseID, file string, pinned ed25519.PublicKey, note string) error {
	st := own.status
	req := admin.VerifyRequest{Case: caseID, Key: pinned}
	if file != "" {
		abs, err := filepath.Abs(file)
		if err != nil {
			return fmt.Errorf("checkpoints %s: %w", file, err)
		}
		req.CheckpointsFile = abs
	}
	rep, err := own.server.Verify(ctx, req)
	if errors.Is(err, admin.ErrNotFound) {
		return fmt.Errorf("%w %q in %s (asked the server owning it, PID %d)", errUnknownCase, caseID, st.DataDir, st.PID)
	}
	if err != nil {
		return fmt.Errorf("the server owning %s (PID %d) did not verify: %w", st.DataDir, st.PID, err)
	}
	return report(out, rep, note, fmt.Sprintf(" by the server owning %s (PID %d)", st.DataDir, st.PID))
}

// runVerify is the one verification, run by verify on a store it opened and by a
// server asked on its admin socket: a case's chain (caseID) or every chain, the global
// log and (with access) the access log, compared with checkpoints — those given when
// fromFile, otherwise the stored ones when a key is pinned. A history that does not
// verify is a report with its Failure; an unknown case is errUnknownCase.
func runVerify(ctx context.Context, store eventstore.Store, access audit.AccessLog, caseID string, fromFile bool, checkpoints []audit.Checkpoint, pinned ed25519.PublicKey) (admin.VerifyReport, error) {
	if !fromFile && pinned != nil {
		var err error
		if checkpoints, err = audit.StoredCheckpoints(ctx, store); err != nil {
			return admin.VerifyReport{}, err
		}
	}
	rep := admin.VerifyReport{Case: caseID, Signed: pinned != nil}
	var err error
	if caseID != "" {
		stream := eventstore.StreamName(eventstore.KindCase, caseID)
		if eventstore.ValidateStreamName(stream) != nil {
			return admin.VerifyReport{}, fmt.Errorf("%w %q", errUnknownCase, caseID)
		}
		var head audit.Head
		head, rep.Checkpoints, err = audit.VerifyStream(ctx, store, stream, checkpoints, pinned)
		if errors.Is(err, eventstore.ErrStreamNotFound) {
			return admin.VerifyReport{}, fmt.Errorf("%w %q", errUnknownCase, caseID)
		}
		if err == nil {
			rep.Streams, rep.Events, rep.HeadHash = 1, head.Revision+1, head.Hash
		}
	} else {
		var r audit.Report
		r, err = audit.VerifyAll(ctx, store, access, checkpoints, pinned)
		rep.Streams, rep.Events, rep.AccessEntries, rep.Checkpoints = r.Streams, r.Events, r.AccessEntries, r.Checkpoints
	}
	var b *audit.Break
	switch {
	case errors.As(err, &b):
		rep.Failure, rep.Break = err.Error(), b
	case errors.Is(err, audit.ErrSignature):
		rep.Failure = err.Error()
	case err != nil:
		return admin.VerifyReport{}, err
	}
	return rep, nil
}

// report prints what was verified, or returns the failure (errBroken: exit status 1).
func report(out io.Writer, rep admin.VerifyReport, note, by string) error {
	if rep.Failure != "" {
		return fmt.Errorf("%w%s: %s", errBroken, by, rep.Failure)
	}
	if rep.Case != "" {
		fmt.Fprintf(out, "case %s verified%s: %d events, head %s, %d checkpoints agree%s\n", rep.Case, by, rep.Events, rep.HeadHash, rep.Checkpoints, note)
		return nil
	}
	fmt.Fprintf(out, "verified%s: %d streams, %d events, %d access-log entries, %d checkpoints agree%s\n", by, rep.Streams, rep.Events, rep.AccessEntries, rep.Checkpoints, note)
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

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/waymark-org/waymark/admin"
	"github.com/waymark-org/waymark/auth"
)

// export: waymark export --case ID --out FILE [--for-survivor [--request ID]] [--audit-pub AUDIT.pub.pem]
//
// Without --for-survivor it writes the case's audit bundle (package bundle): its
// events as stored, a manifest of their hashes and the signed checkpoints that cover
// them, which 'waymark verify --bundle' checks on another machine with a pinned key.
// With --for-survivor it writes the survivor's own record (app.SubjectAccessExport)
// on a subject-access request the owning caseworker recorded: her personal data
// decrypted (recorded in the access log first, under that caseworker), her journey,
// and who read her record. It writes only to FILE (0600, never an existing file):
// nothing is sent anywhere; the caseworker hands it over.
//
// The server that owns the data directory builds it on its own stores, asked on its
// admin socket; with no server running, this command opens the directory itself,
// under its lock.
func export(ctx context.Context, args []string, out io.Writer, logger *slog.Logger) error {
	fset := flag.NewFlagSet("export", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fset)
	caseID := fset.String("case", "", "the case to export (required)")
	outFile := fset.String("out", "", "the file to write (required; never overwritten; made 0600)")
	forSurvivor := fset.Bool("for-survivor", false, "the survivor's own record, on her recorded subject-access request, instead of the audit bundle")
	request := fset.String("request", "", "with --for-survivor: the subject-access request to answer (default: the latest recorded)")
	// Not --audit-key: serve's --audit-key (WAYMARK_AUDIT_KEY) is the private key.
	auditPub := fset.String("audit-pub", "", "the audit public key (PEM) to put in the bundle, for information only (default <secrets-dir>/"+auditPubName+" when it exists)")
	if err := parse(fset, args); err != nil {
		return err
	}
	switch {
	case *caseID == "" || *outFile == "":
		return fmt.Errorf("%w: export needs --case ID and --out FILE", errUsage)
	case *request != "" && !*forSurvivor:
		return fmt.Errorf("%w: --request names a subject-access request: it goes with --for-survivor", errUsage)
	case *auditPub != "" && *forSurvivor:
		return fmt.Errorf("%w: --audit-pub goes in an audit bundle, not in a survivor's record", errUsage)
	}
	sf = sf.resolved()
	req := admin.ExportRequest{CaseID: *caseID, ForSurvivor: *forSurvivor, RequestID: *request}
	if *auditPub == "" && !*forSurvivor {
		if def := filepath.Join(sf.secrets.dir, auditPubName); fileExists(def) {
			*auditPub = def
		}
	}
	if *auditPub != "" {
		keys, err := auth.ReadPublicKeys(*auditPub)
		if err != nil || len(keys) != 1 {
			return fmt.Errorf("--audit-pub %s: not one Ed25519 public key: %v", *auditPub, err)
		}
		if req.AuditKeyPEM, err = os.ReadFile(*auditPub); err != nil {
			return fmt.Errorf("--audit-pub: %w", err)
		}
	}
	if _, err := os.Lstat(*outFile); err == nil {
		return fmt.Errorf("%s already exists: export never overwrites a file; choose another --out", *outFile)
	}
	if err := sf.requireStore(" to export from"); err != nil {
		return err
	}
	own, err := ownOrAsk(ctx, "export", sf.dataDir, sf.keysDir)
	if err != nil {
		return err
	}
	by := "this command, owning " + sf.dataDir
	err = writeNew(*outFile, false, func(w io.Writer) error {
		if own.server != nil {
			by = fmt.Sprintf("the server owning %s (PID %d)", own.status.DataDir, own.status.PID)
			return own.server.Export(ctx, req, w)
		}
		defer own.locks.Release()
		return exportOffline(ctx, sf, req, w, logger)
	})
	if err != nil {
		return err
	}
	what := "audit bundle of case " + *caseID
	if *forSurvivor {
		what = "survivor's own record of case " + *caseID + " (hand it to her in person; its reading is in the access log)"
	}
	fmt.Fprintf(out, "wrote %s to %s, made by %s\n", what, *outFile, by)
	return nil
}

// auditPubName is the audit public key's file in the secrets directory, where keys
// generate puts it for auditors.
const auditPubName = "audit.pub.pem"

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

package main

import (
	"crypto/ed25519"
	"fmt"
	"io"
	"os"

	"github.com/waymark-org/waymark/auth"
	"github.com/waymark-org/waymark/bundle"
)

// verifyBundle: waymark verify --bundle FILE --key AUDIT.pub.pem
//
// It checks an exported bundle with nothing but its bytes and the audit key the
// auditor pins (package bundle): no data directory, no server. The key inside the
// bundle is only compared with the pinned one and reported. A bundle that does not
// verify is errBroken (exit status 1) with one sentence naming what failed.
func verifyBundle(path, keyFile string, storeFlagsGiven bool, out io.Writer) error {
	if storeFlagsGiven {
		return fmt.Errorf("%w: --bundle is checked on its own: leave out --case, --all and --checkpoints", errUsage)
	}
	if keyFile == "" {
		return fmt.Errorf("%w: verify --bundle needs --key AUDIT.pub.pem: a bundle is trusted only with the audit key you pin (the one inside it is informative)", errUsage)
	}
	keys, err := auth.ReadPublicKeys(keyFile)
	if err != nil || len(keys) != 1 {
		return fmt.Errorf("--key %s: not one Ed25519 public key: %v", keyFile, err)
	}
	pinned := ed25519.PublicKey(keys[0].Public)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	defer f.Close()
	b, err := bundle.Read(f)
	if err != nil {
		return fmt.Errorf("%w: bundle %s: %w", errBroken, path, err)
	}
	r, err := bundle.Verify(b, pinned)
	if err != nil {
		return fmt.Errorf("%w: bundle %s: %w", errBroken, path, err)
	}
	note := "it carries no audit key"
	switch {
	case r.KeyInBundle && r.KeyMatches:
		note = "the audit key it carries is the pinned one"
	case r.KeyInBundle:
		note = "the audit key it carries is NOT the pinned one (informative only: the pinned key was used)"
	}
	tail := ""
	if uint64(r.Events) > r.Covered {
		tail = fmt.Sprintf("; revisions %d to %d come after the last checkpoint that names the case: chained, not yet signed", r.Covered, r.Head.Revision)
	}
	fmt.Fprintf(out, "bundle %s verified: case %s, %d events, head %s, %d checkpoints signed by the pinned key, %d events covered%s; %s\n",
		path, r.CaseID, r.Events, r.Head.Hash, r.Checkpoints, r.Covered, tail, note)
	return nil
}

// Package bundle writes and checks a case's audit bundle: everything an auditor needs
// to prove, on another machine and with nothing else, that a case's history is what
// Waymark recorded. A bundle is one uncompressed tar file holding
//
//	manifest.json       format version, case, each event's revision and hash, the
//	                    head, and the SHA-256 of every other member
//	events.ndjson       the case's events exactly as stored, one a line (personal
//	                    parts as ciphertext: the hashes cover the ciphertext)
//	checkpoints.ndjson  the signed checkpoints that cover the case: every stored one
//	                    from the first whose heads name the case's stream (each names
//	                    the previous, so the run must be whole)
//	audit.pub.pem       the audit public key, informative only (optional)
//
// Verification trusts only the key the auditor pins: the key inside a bundle could
// have been put there by whoever forged it. The manifest is not signed either; what
// it says is checked against the members, the chain and the checkpoints.
//
// The package is pure apart from Build, which reads a store.
package bundle

import (
	"errors"
	"time"

	"github.com/waymark-org/waymark/audit"
)

// The bundle's format and the names of its members.
const (
	Format          = "waymark-case-bundle"
	FormatVersion   = 1
	ManifestName    = "manifest.json"
	EventsName      = "events.ndjson"
	CheckpointsName = "checkpoints.ndjson"
	KeyName         = "audit.pub.pem"
)

// Manifest describes a bundle.
type Manifest struct {
	Format    string       `json:"format"`
	Version   int          `json:"version"`
	CaseID    string       `json:"caseId"`
	Stream    string       `json:"stream"`
	CreatedAt time.Time    `json:"createdAt"`
	Events    []EventEntry `json:"events"`
	Head      audit.Head   `json:"head"`
	Members   []Member     `json:"members"`
}

// EventEntry is one event as the manifest lists it.
type EventEntry struct {
	Revision uint64 `json:"revision"`
	Hash     string `json:"hash"`
}

// Member is one member of the bundle besides the manifest, with its digest.
type Member struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
	// Informative: not relied on by verification (the audit key in the bundle).
	Informative bool `json:"informative,omitempty"`
}

// Errors callers branch on; every error from Read and Verify wraps one of these, or
// audit.ErrBroken / audit.ErrSignature.
var (
	// ErrUnreadable: not a bundle, or truncated or damaged (the tar does not read).
	ErrUnreadable = errors.New("the bundle cannot be read")
	// ErrDigest: a member's bytes differ from the digest the manifest gives.
	ErrDigest = errors.New("a member of the bundle differs from its digest in the manifest")
	// ErrManifest: the manifest does not describe the members (edited, or of an
	// unknown format).
	ErrManifest = errors.New("the manifest does not match the bundle")
	// ErrUncovered: no checkpoint in the bundle covers the case's events, so nothing
	// but a recomputable chain vouches for them.
	ErrUncovered = errors.New("no signed checkpoint covers the case")
)

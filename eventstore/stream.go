package eventstore

import (
	"fmt"
	"strings"
)

// Stream kinds. A stream name is "<kind>-<id>"; backends map it to their own naming
// (JetStream: one subject per stream, waymark.events.<stream>).
const (
	KindCase         = "case"
	KindOrganisation = "organisation"
	// KindCommand streams held command-id claims until commands carried their own
	// fingerprints (eventstore.Metadata); nothing writes them now, and older data
	// directories still have them: readers skip them.
	KindCommand = "command"
	// KindRevocation streams revoke access tokens: revocation-token_<jti> and
	// revocation-subject_<sub>.
	KindRevocation = "revocation"
	// KindAudit is the audit log's own stream: audit-checkpoints (audit.CheckpointStream).
	KindAudit = "audit"
)

// Kinds returns every stream kind Waymark writes or has written. A backend that must
// name the streams it follows (KurrentDB's server-side filter on $all) follows these;
// adding a kind means adding it here.
func Kinds() []string {
	return []string{KindCase, KindOrganisation, KindCommand, KindRevocation, KindAudit}
}

// StreamName joins a kind and an id.
func StreamName(kind, id string) string { return kind + "-" + id }

// SplitStreamName returns a stream's kind and id.
func SplitStreamName(stream string) (kind, id string, ok bool) {
	return strings.Cut(stream, "-")
}

// ValidateStreamName accepts "<kind>-<id>" made of letters, digits, '-' and '_' only,
// so that every backend can use it as a subject token or stream id unchanged.
func ValidateStreamName(stream string) error {
	kind, id, ok := SplitStreamName(stream)
	if !ok || kind == "" || id == "" || len(stream) > 200 {
		return fmt.Errorf("%w: %q", ErrInvalidStreamName, stream)
	}
	for _, r := range stream {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return fmt.Errorf("%w: %q", ErrInvalidStreamName, stream)
		}
	}
	return nil
}

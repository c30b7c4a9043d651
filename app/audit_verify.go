package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/waymark-org/waymark/audit"
	"github.com/waymark-org/waymark/eventstore"
)

// Verification is a case's hash chain recomputed and compared with the signed
// checkpoints that cover it.
type Verification struct {
	OK          bool
	Events      int
	HeadHash    string
	Checkpoints int          // checkpoints that list the case and were compared
	Signed      bool         // the checkpoints were checked with the audit key (false: none configured)
	Break       *audit.Break // the first broken link, when not OK
}

// VerifyCase recomputes a case's hash chain and compares it with every stored
// checkpoint that lists it, their signatures checked with the service's audit public
// key (Config.AuditKey). A broken chain is a result, not an error: the caller is told
// where it broke.
func (s *Service) VerifyCase(ctx context.Context, actor Actor, id string) (Verification, error) {
	if _, err := s.auditCase(actor, id); err != nil {
		return Verification{}, err
	}
	var cps []audit.Checkpoint
	if s.auditKey != nil {
		var err error
		if cps, err = audit.StoredCheckpoints(ctx, s.store); err != nil {
			return Verification{}, err
		}
	}
	stream := eventstore.StreamName(eventstore.KindCase, id)
	head, covered, err := audit.VerifyStream(ctx, s.store, stream, cps, s.auditKey)
	var b *audit.Break
	switch {
	case errors.As(err, &b):
		return Verification{Break: b, Signed: s.auditKey != nil}, nil
	case errors.Is(err, audit.ErrSignature):
		return Verification{Signed: true, Break: &audit.Break{Stream: audit.CheckpointStream, Problem: err.Error(),
			Expected: "a signature by the audit key", Found: "another signature"}}, nil
	case err != nil:
		return Verification{}, fmt.Errorf("verify case %s: %w", id, err)
	}
	return Verification{OK: true, Events: int(head.Revision) + 1, HeadHash: head.Hash, Checkpoints: covered, Signed: s.auditKey != nil}, nil
}

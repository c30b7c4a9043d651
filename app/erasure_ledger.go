package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/sealing"
)

// Erasure outlives backups. Every erasure (a caseworker's, an administrator's or the
// retention policy's) is written to the erasure ledger (Config.Erasures: a file beside
// the key store, never in a backup) before the case key is destroyed, and the key
// before the SurvivorDataErased event is appended. In that order, whatever stops the
// process part-way leaves the ledger saying at least as much as the keys and the log:
//   - ledger written, key not destroyed: the command failed and its retry finishes it;
//     a restore, which applies the ledger, erases the case (the side of caution);
//   - key destroyed, event not appended: the data can no longer be opened; the retry
//     appends the event; a restore appends it from the ledger.
//
// Restoring a backup taken before an erasure brings the case's events back, and with
// a key store restored from the same backup its key too. ReapplyErasure, run by the
// restore for every line of the ledger, destroys the key again and appends the
// erasure the restored log lacks, so that every read model, the analytics feed and
// retention see the case as erased, as they did before.

// LedgerActorID performs the erasures a restore applies again from the erasure
// ledger. Like retention's, it is never authorised through access: the ledger is its
// authority.
const LedgerActorID = "erasure-ledger"

var ledgerActor = Actor{ID: LedgerActorID, Role: SystemRole}

// ledgerCommandPrefix + the ledger's event id is the command id of an erasure applied
// again: a second application of the same line is a retry and appends nothing.
const ledgerCommandPrefix = "erasure-ledger-"

// destroyCaseKey is an erasure's step before its event is appended (data: the events
// about to be): the ledger records it, then the case key is destroyed.
func (s *Service) destroyCaseKey(ctx context.Context, caseID string, reason domain.ErasureReason, data []eventstore.EventData) error {
	if s.erasures != nil {
		e := sealing.Erasure{At: s.clock.Now().UTC(), CaseID: caseID, Reason: string(reason)}
		for _, d := range data {
			if d.Type == (domain.SurvivorDataErased{}).EventType() {
				e.EventID, e.At = d.ID, d.Metadata.RecordedAt.UTC()
			}
		}
		if err := s.erasures.RecordErasure(ctx, e); err != nil {
			return fmt.Errorf("erasure of case %s not recorded, nothing erased: %w", caseID, err)
		}
	}
	s.noteTexts.drop(caseID) // ciphertext whose key goes: nothing to keep
	return s.vault.Destroy(ctx, caseID)
}

// Reapplied is what ReapplyErasure did for a line of the ledger.
type Reapplied string

const (
	// ReappliedErased: the log lacked the erasure; SurvivorDataErased was appended.
	ReappliedErased Reapplied = "erased again"
	// ReappliedAlready: the log has the erasure (the backup was taken after it).
	ReappliedAlready Reapplied = "already erased"
	// ReappliedNoCase: the case is not in the log (referred after the backup).
	ReappliedNoCase Reapplied = "not in this store"
)

// ReapplyErasure makes a case of the ledger erased in this store: its key destroyed
// (again: a key store restored from a backup holds it again) and, when the log lacks
// the erasure, SurvivorDataErased appended by LedgerActorID under the command id
// "erasure-ledger-<the ledger's event id>", with the ledger's reason code. A case the
// log does not hold is left alone.
func (s *Service) ReapplyErasure(ctx context.Context, e sealing.Erasure) (Reapplied, error) {
	stream := eventstore.StreamName(eventstore.KindCase, e.CaseID)
	if eventstore.ValidateStreamName(stream) != nil {
		return "", fmt.Errorf("erasure ledger: case %q: %w", e.CaseID, ErrBadInput)
	}
	commandID := ledgerCommandPrefix + e.EventID
	if err := validateCommandID(commandID); err != nil {
		return "", fmt.Errorf("erasure ledger: case %s: event id %q: %w", e.CaseID, e.EventID, err)
	}
	a, err := s.load(ctx, stream, foldCaseEvent, true)
	if err != nil {
		return "", err
	}
	state := caseState(a)
	if !state.Referred {
		return ReappliedNoCase, nil
	}
	s.noteTexts.drop(e.CaseID)
	if err := s.vault.Destroy(ctx, e.CaseID); err != nil {
		return "", err
	}
	if state.Erased {
		return ReappliedAlready, nil
	}
	reason := domain.ErasureReason(e.Reason)
	if !slices.Contains(domain.AllErasureReason(), reason) {
		reason = domain.ErasureOther
	}
	cmd := domain.EraseSurvivorData{ReasonCode: reason}
	input, err := commandInput(cmd.CommandType(), e.CaseID, nil, ledgerActor, cmd)
	if err != nil {
		return "", err
	}
	_, err = s.execute(ctx, request{
		actor: ledgerActor, commandID: commandID, cmdType: cmd.CommandType(), stream: stream,
		// Keyed with the service's key, not the case's: the case key is gone already.
		fingerprint: s.plainFingerprint(input), fold: foldCaseEvent,
		authorize: func(a aggregate) error {
			if !caseState(a).Referred {
				return fmt.Errorf("case %s: %w", e.CaseID, ErrNotFound)
			}
			return nil
		},
		decide: func(_ context.Context, a aggregate, now time.Time) ([]domain.Event, error) {
			return domain.Decide(caseState(a), cmd, now)
		},
	})
	if err != nil {
		return "", fmt.Errorf("erasure ledger: case %s: %w", e.CaseID, err)
	}
	return ReappliedErased, nil
}

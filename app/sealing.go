package app

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/accesslog"
	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/projections"
	"github.com/waymark-org/waymark/sealing"
)

// encode renders domain events for stream. A case's personal sub-objects are sealed
// with its data key (made for the referral, before its fingerprint: execute), and its
// searchable personal values are added as keyed hashes (the blind index), never as
// plaintext.
func (s *Service) encode(ctx context.Context, stream string, events []domain.Event, md eventstore.Metadata) ([]eventstore.EventData, error) {
	kind, caseID, _ := eventstore.SplitStreamName(stream)
	var seal codec.Sealer
	if kind == eventstore.KindCase {
		seal = func(eventID string, schemaVersion int, plaintext []byte) (json.RawMessage, error) {
			return s.vault.Seal(ctx, caseID, eventID, schemaVersion, plaintext)
		}
	}
	out := make([]eventstore.EventData, len(events))
	for i, e := range events {
		data, err := codec.Encode(e, s.ids.NewID(), md, seal, s.blindIndex(e))
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

func (s *Service) blindIndex(e domain.Event) []string {
	switch e := e.(type) {
	case domain.SurvivorReferred:
		if e.Personal == nil {
			return nil
		}
		var out []string
		for _, name := range append([]string{e.Personal.FullName}, e.Personal.Aliases...) {
			if token := s.vault.BlindIndex(sealing.KindName, name); token != "" {
				out = append(out, token)
			}
		}
		return out
	case domain.IDDocumentObtained:
		if e.Personal == nil {
			return nil
		}
		if token := s.vault.BlindIndex(sealing.KindDocument, e.Personal.DocumentNumber); token != "" {
			return []string{token}
		}
	}
	return nil
}

// searchTokens returns the blind index tokens for a search by name or document number
// (a case matches either). A value with no letters or digits finds nothing: refused.
func (s *Service) searchTokens(name, documentNumber string) ([]string, error) {
	var out []string
	for _, term := range []struct{ kind, value, field string }{
		{sealing.KindName, name, "survivorName"}, {sealing.KindDocument, documentNumber, "documentNumber"},
	} {
		if term.value == "" {
			continue
		}
		token := s.vault.BlindIndex(term.kind, term.value)
		if token == "" {
			return nil, fmt.Errorf("%s has no letters or digits to search for: %w", term.field, ErrBadInput)
		}
		out = append(out, token)
	}
	return out, nil
}

// recordSearch records that a search by name or document number disclosed cases.
func (s *Service) recordSearch(ctx context.Context, actor Actor, found []*projections.CaseView) error {
	entries := make([]accesslog.Entry, len(found))
	for i, v := range found {
		entries[i] = s.accessEntry(ctx, actor, v.ID, string(access.GroupIdentity), false)
	}
	if err := s.recordAccess(ctx, entries, true); err != nil {
		return fmt.Errorf("record a search by personal data: %w", err)
	}
	return nil
}

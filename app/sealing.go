package app

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/waymark-org/waymark/accesslog"
	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// AccessLog is where reads of personal data are recorded before the data leaves.
type AccessLog interface {
	Record(ctx context.Context, entries ...accesslog.Entry) error
	ForCase(ctx context.Context, caseID string) ([]accesslog.Entry, error)
}

// Blind index kinds: what a keyed hash was made of.
const (
	indexName     = "name"
	indexDocument = "document"
)

// encode renders domain events for stream. A case's personal sub-objects are sealed
// with its data key (made with the referral), and its searchable personal values are
// added as keyed hashes (the blind index), never as plaintext.
func (s *Service) encode(ctx context.Context, stream string, events []domain.Event, md eventstore.Metadata) ([]eventstore.EventData, error) {
	kind, caseID, _ := eventstore.SplitStreamName(stream)
	var seal codec.Sealer
	if kind == eventstore.KindCase {
		if _, referral := events[0].(domain.SurvivorReferred); referral {
			if err := s.vault.EnsureCaseKey(ctx, caseID); err != nil {
				return nil, fmt.Errorf("make the key of case %s: %w", caseID, err)
			}
		}
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
		out := []string{s.vault.BlindIndex(indexName, e.Personal.FullName)}
		for _, alias := range e.Personal.Aliases {
			out = append(out, s.vault.BlindIndex(indexName, alias))
		}
		return out
	case domain.IDDocumentObtained:
		if e.Personal == nil {
			return nil
		}
		return []string{s.vault.BlindIndex(indexDocument, e.Personal.DocumentNumber)}
	}
	return nil
}

// searchTokens returns the blind index tokens for a search by name or document number.
func (s *Service) searchTokens(name, documentNumber string) []string {
	var out []string
	if name != "" {
		out = append(out, s.vault.BlindIndex(indexName, name))
	}
	if documentNumber != "" {
		out = append(out, s.vault.BlindIndex(indexDocument, documentNumber))
	}
	return out
}

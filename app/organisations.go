package app

import (
	"context"
	"fmt"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/projections"
)

// Organisation is one organisation of the directory, as callers see it. Its name is
// public; it holds no personal data.
type Organisation struct {
	ID           string
	Name         string
	Kind         domain.OrganisationKind
	Jurisdiction string
	Services     []domain.Service
	Programmes   []domain.Programme
	// Active is false once the organisation was deactivated: its staff's tokens are
	// refused and no new command may name it.
	Active bool
}

func organisationOf(v *projections.OrganisationView) Organisation {
	return Organisation{
		ID: v.ID, Name: v.Name, Kind: v.Kind, Jurisdiction: v.Jurisdiction,
		Services: v.Services, Programmes: v.Programmes, Active: v.Active,
	}
}

// Organisations lists the directory, by name.
func (s *Service) Organisations(ctx context.Context, actor Actor, jurisdiction string, kind domain.OrganisationKind, minPosition string) ([]Organisation, error) {
	if err := access.Authorize(access.Request{Actor: actor, Action: access.ActionReadDirectory, Now: s.Now()}).Err(); err != nil {
		return nil, err
	}
	if err := s.WaitFor(ctx, minPosition); err != nil {
		return nil, err
	}
	views := s.orgs.List(jurisdiction, kind)
	out := make([]Organisation, len(views))
	for i, v := range views {
		out[i] = organisationOf(v)
	}
	return out, nil
}

// Organisation returns one organisation of the directory.
func (s *Service) Organisation(ctx context.Context, actor Actor, id, minPosition string) (*Organisation, error) {
	if err := access.Authorize(access.Request{Actor: actor, Action: access.ActionReadDirectory, Now: s.Now()}).Err(); err != nil {
		return nil, err
	}
	if err := s.WaitFor(ctx, minPosition); err != nil {
		return nil, err
	}
	o, ok := s.orgs.Get(id)
	if !ok {
		return nil, fmt.Errorf("organisation %q: %w", id, ErrNotFound)
	}
	org := organisationOf(o)
	return &org, nil
}

// organisationRef returns the directory entry for id, or a stub naming only the id
// (for an organisation that is not in the read model yet). It renders the
// organisations a case refers to, for a caller who may see that case.
func (s *Service) organisationRef(id string) Organisation {
	if o, ok := s.orgs.Get(id); ok {
		return organisationOf(o)
	}
	return Organisation{ID: id, Name: id}
}

package app

import (
	"context"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/domain"
)

// Summary is a case's summary group: where the journey stands, without personal
// data. Anyone who may see the case may read it.
type Summary struct {
	Stage        domain.Stage
	Status       domain.Status
	Jurisdiction string
	Owner        Organisation // the referring organisation
	ReferredAt   time.Time
	UpdatedAt    time.Time
	Needs        []domain.Need    // not yet met, in the order identified
	Barriers     []domain.Barrier // still active, in the order identified
}

// Summary returns the case's summary.
func (c *Case) Summary(ctx context.Context) (*Summary, error) {
	if err := c.authorize(ctx, access.GroupSummary); err != nil {
		return nil, err
	}
	st := c.v.State
	return &Summary{
		Stage: st.Stage, Status: st.Status, Jurisdiction: st.Jurisdiction, Owner: c.org(st.OwnerOrganisation),
		ReferredAt: c.v.ReferredAt, UpdatedAt: c.v.UpdatedAt, Needs: st.Needs, Barriers: st.Barriers,
	}, nil
}

// JourneyStep is one event of the case, without personal data.
type JourneyStep struct {
	Type     string
	At       time.Time
	Stage    domain.Stage
	Version  uint64
	Position string
	// ActorOrganisation is the organisation whose staff recorded it; "" when it was
	// another bank or bureau than the caller's.
	ActorOrganisation string
}

// Journey lists the case's steps in order (summary group). A bank or bureau sees the
// steps that concern it and the general ones, never another bank's or bureau's.
func (c *Case) Journey(ctx context.Context) ([]JourneyStep, error) {
	if err := c.authorize(ctx, access.GroupSummary); err != nil {
		return nil, err
	}
	out := make([]JourneyStep, 0, len(c.v.Journey))
	for _, s := range c.v.JourneySteps() {
		if s.Party != "" && !c.sees(s.Party) {
			continue
		}
		actorOrg := s.ActorOrganisation
		if actorOrg != c.v.OwningOrganisation() && !c.sees(actorOrg) {
			actorOrg = "" // another bank or bureau did it
		}
		out = append(out, JourneyStep{
			Type: s.Type, At: s.At, Stage: s.Stage, Version: s.Version,
			Position: s.Position.String(), ActorOrganisation: actorOrg,
		})
	}
	return out, nil
}

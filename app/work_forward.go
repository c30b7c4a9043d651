package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/projections"
)

// ErrWorkFeedEnded says ForwardWork stopped before its context ended: the read models
// it followed were retired (a rebuild swapped new ones in) or it fell behind. Forward
// again from the node's current service; what was missed is in myWork.
var ErrWorkFeedEnded = errors.New("work feed ended")

// ForwardWork hands every change of the work queues of the organisations wants
// accepts to deliver, as each organisation would see it on the workChanged
// subscription: an item added on a case the organisation may not see now is left out
// (removals always pass). It is what the webhooks are fed from. It returns when ctx
// ends (nil) or with ErrWorkFeedEnded.
func (s *Service) ForwardWork(ctx context.Context, wants func(org string) bool, deliver func(WorkChange)) error {
	if s.work == nil {
		return errNoWorkQueues
	}
	in, cancel, err := s.work.Broker().SubscribeAll()
	if err != nil {
		return fmt.Errorf("forward work: %w", err)
	}
	defer cancel()
	for {
		select {
		case <-ctx.Done():
			return nil
		case c, ok := <-in:
			if !ok {
				return ErrWorkFeedEnded
			}
			if !wants(c.Organisation) {
				continue
			}
			// A deactivated organisation hears nothing more, removals included; an
			// addition passes only on a case the organisation may see now.
			actor, ok := s.organisationActor(c.Organisation)
			if !ok || c.Added && !s.workVisible(actor, c.CaseID) {
				continue
			}
			deliver(workChangeOf(c))
		}
	}
}

// organisationActor is the organisation's staff in the role its kind holds a queue in
// (a bank's, a bureau's, a support organisation's caseworker): whom its webhook stands
// for. False for an unknown organisation or a kind without a queue.
func (s *Service) organisationActor(org string) (Actor, bool) {
	o, ok := s.orgs.Get(org)
	if !ok || !o.Active {
		return Actor{}, false
	}
	actor := Actor{ID: "webhook:" + org, Organisation: org}
	switch o.Kind {
	case domain.OrgBank:
		actor.Role = RoleBank
	case domain.OrgCreditBureau:
		actor.Role = RoleBureau
	case domain.OrgShelter, domain.OrgNGO, domain.OrgGovernment:
		actor.Role = RoleCaseworker
	default:
		return Actor{}, false
	}
	return actor, true
}

func workChangeOf(c projections.WorkChange) WorkChange {
	return WorkChange{Organisation: c.Organisation, Kind: WorkKind(c.Kind), CaseID: c.CaseID, ItemID: c.ItemID,
		Added: c.Added, Position: c.Position.String(), At: c.At}
}

package app

import (
	"context"
	"fmt"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// CaseCommand is a command on an existing case.
type CaseCommand struct {
	CommandID       string
	CaseID          string
	ExpectedVersion *uint64 // the version the caller last saw, if it wants the check
	Command         domain.Command
}

// ReferSurvivor opens a new case. Its id is derived from the caller's organisation
// and the commandId (derivedID): a retry lands on the same case and returns it.
func (s *Service) ReferSurvivor(ctx context.Context, actor Actor, commandID string, cmd domain.ReferSurvivor) (_ Result, err error) {
	defer s.counted(cmd.CommandType(), &err)
	err = access.Authorize(access.Request{Actor: actor, Action: access.ActionRefer, Target: cmd.ReferringOrganisation.ID, Now: s.Now()}).Err()
	if err != nil {
		return Result{}, err
	}
	if err := validateCommandID(commandID); err != nil {
		return Result{}, err
	}
	input, err := commandInput(cmd.CommandType(), "", nil, actor, cmd)
	if err != nil {
		return Result{}, err
	}
	if cmd.ReferringOrganisation, err = s.organisation(ctx, cmd.ReferringOrganisation.ID); err != nil {
		return Result{}, appError(err)
	}
	return s.execute(ctx, request{
		actor: actor, commandID: commandID, cmdType: cmd.CommandType(), fingerprint: s.caseFingerprint(input),
		stream:    eventstore.StreamName(eventstore.KindCase, s.derivedID("case", actor.Organisation, commandID)),
		fold:      foldCaseEvent,
		authorize: func(aggregate) error { return nil },
		decide: func(_ context.Context, a aggregate, now time.Time) ([]domain.Event, error) {
			return domain.Decide(caseState(a), cmd, now)
		},
	})
}

// ChangeCase runs any other case command.
func (s *Service) ChangeCase(ctx context.Context, actor Actor, in CaseCommand) (_ Result, err error) {
	if in.Command == nil {
		return Result{}, fmt.Errorf("no command: %w", ErrBadInput)
	}
	defer s.counted(in.Command.CommandType(), &err)
	if !actor.Authenticated() {
		return Result{}, ErrUnauthenticated
	}
	if err := validateCommandID(in.CommandID); err != nil {
		return Result{}, err
	}
	stream := eventstore.StreamName(eventstore.KindCase, in.CaseID)
	if eventstore.ValidateStreamName(stream) != nil {
		return Result{}, fmt.Errorf("case %q: %w", in.CaseID, ErrNotFound)
	}
	input, err := commandInput(in.Command.CommandType(), in.CaseID, in.ExpectedVersion, actor, in.Command)
	if err != nil {
		return Result{}, err
	}
	cmd := in.Command
	// What the service adds to the command (organisations resolved, new ids) is done
	// once, and only after the caller is authorised: an unknown bank id must not
	// answer before "no such case" does.
	var completed domain.Command
	req := request{
		actor: actor, commandID: in.CommandID, cmdType: cmd.CommandType(), stream: stream,
		expected: in.ExpectedVersion, fingerprint: s.caseFingerprint(input), fold: foldCaseEvent,
		authorize: func(a aggregate) error {
			state := caseState(a)
			if !state.Referred {
				return fmt.Errorf("case %s: %w", in.CaseID, ErrNotFound)
			}
			performer, _ := domain.PerformerOf(cmd, state) // not a case command: the owner's access, then refused as input
			action, target := accessFor(performer, actor)
			return access.Authorize(access.Request{Actor: actor, Action: action, Case: &state, Target: target, Now: s.Now()}).Err()
		},
		decide: func(ctx context.Context, a aggregate, now time.Time) ([]domain.Event, error) {
			if completed == nil {
				c, err := s.complete(ctx, actor, cmd)
				if err != nil {
					return nil, err
				}
				completed = c
			}
			dated, err := s.withDueDate(ctx, completed, caseState(a), now) // calendar.go
			if err != nil {
				return nil, err
			}
			return domain.Decide(caseState(a), dated, now)
		},
	}
	if erase, ok := cmd.(domain.EraseSurvivorData); ok {
		// The key goes before the event is written: once SurvivorDataErased is in the
		// log, nothing can open the survivor's data. A retry after a failed append
		// destroys nothing new (Destroy is idempotent). The erasure ledger has it
		// first (erasure_ledger.go).
		req.beforeAppend = func(ctx context.Context, data []eventstore.EventData) error {
			return s.destroyCaseKey(ctx, in.CaseID, erase.ReasonCode, data)
		}
	}
	return s.execute(ctx, req)
}

// accessFor turns who performs a case command, as the command declares it in the
// domain's table, into the access the caller needs and on what. Bank-side commands
// name the bank they are about; a bank's staff may only act for their own bank.
func accessFor(p domain.Performer, actor Actor) (access.Action, string) {
	switch p.By {
	case domain.ByBank:
		return access.ActionRecordBankOutcome, p.Target
	case domain.ByBureau:
		return access.ActionRecordDisputeOutcome, p.Target
	case domain.ByOwnerOrAdmin:
		return access.ActionErase, ""
	case domain.ByTransferRecipient:
		return access.ActionDecideTransfer, p.Target
	case domain.ByConcernParty:
		if actor.Role == access.RoleBank {
			return access.ActionRecordBankOutcome, actor.Organisation // the domain checks the bank is a party
		}
	}
	return access.ActionChange, ""
}

// RegisterOrganisation adds an organisation to the directory under id, a stable
// readable slug ("" for one derived from the commandId, so that a retry lands on the
// same organisation).
func (s *Service) RegisterOrganisation(ctx context.Context, actor Actor, commandID, id string, cmd domain.RegisterOrganisation) (_ Result, err error) {
	defer s.counted(cmd.CommandType(), &err)
	if err := access.Authorize(access.Request{Actor: actor, Action: access.ActionManageDirectory, Now: s.Now()}).Err(); err != nil {
		return Result{}, err
	}
	if err := validateCommandID(commandID); err != nil {
		return Result{}, err
	}
	if id != "" && !validSlug(id) {
		return Result{}, fmt.Errorf("organisation id %q: must be 3-64 of a-z, 0-9 and '-': %w", id, ErrBadInput)
	}
	input, err := commandInput(cmd.CommandType(), id, nil, actor, cmd)
	if err != nil {
		return Result{}, err
	}
	if id == "" {
		id = s.derivedID("organisation", actor.Organisation, commandID)
	}
	return s.execute(ctx, request{
		actor: actor, commandID: commandID, cmdType: cmd.CommandType(), fingerprint: s.plainFingerprint(input),
		stream:    eventstore.StreamName(eventstore.KindOrganisation, id),
		fold:      foldOrganisationEvent,
		authorize: func(aggregate) error { return nil },
		decide: func(_ context.Context, a aggregate, now time.Time) ([]domain.Event, error) {
			return domain.DecideOrganisation(organisationState(a), cmd, now)
		},
	})
}

// complete adds to a case command what its fields declare (domain.Complete): new ids,
// the organisations it names resolved from their own streams, the caller's own
// organisation. The one rule of the service's own is how long consent may last.
func (s *Service) complete(ctx context.Context, actor Actor, cmd domain.Command) (domain.Command, error) {
	if !domain.ChangesExistingCase(cmd) {
		return nil, fmt.Errorf("%s is not a change to an existing case: %w", cmd.CommandType(), ErrBadInput)
	}
	if c, ok := cmd.(domain.GrantConsent); ok {
		if limit := s.Now().Add(s.maxConsent); c.ExpiresAt.After(limit) {
			return nil, fmt.Errorf("expiresAt: consent may be granted for at most %s, until %s; ask again when it ends: %w",
				formatDuration(s.maxConsent), limit.Format(time.DateOnly), ErrBadInput)
		}
	}
	return domain.Complete(cmd, domain.Completion{
		NewID:             s.ids.NewID,
		Organisation:      func(id string) (domain.OrgRef, error) { return s.organisation(ctx, id) },
		ActorOrganisation: actor.Organisation,
	})
}

// organisation resolves an organisation id from its own stream (not the directory read
// model, which may lag a registration that just happened).
func (s *Service) organisation(ctx context.Context, id string) (domain.OrgRef, error) {
	stream := eventstore.StreamName(eventstore.KindOrganisation, id)
	if eventstore.ValidateStreamName(stream) != nil {
		return domain.OrgRef{}, fmt.Errorf("organisation %q: %w", id, domain.ErrUnknownOrganisation)
	}
	a, err := s.load(ctx, stream, foldOrganisationEvent, false)
	if err != nil {
		return domain.OrgRef{}, err
	}
	org := organisationState(a)
	if !org.Registered {
		return domain.OrgRef{}, fmt.Errorf("organisation %q: %w", id, domain.ErrUnknownOrganisation)
	}
	if !org.Active {
		return domain.OrgRef{}, fmt.Errorf("organisation %q was deactivated: %w", id, ErrOrganisationDeactivated)
	}
	return domain.OrgRef{ID: id, Kind: org.Kind, Jurisdiction: org.Jurisdiction}, nil
}

// UpdateOrganisation changes an organisation's services and programmes.
func (s *Service) UpdateOrganisation(ctx context.Context, actor Actor, commandID, id string, cmd domain.UpdateOrganisationProfile) (Result, error) {
	return s.changeOrganisation(ctx, actor, commandID, id, cmd)
}

// DeactivateOrganisation takes an organisation out of service: its staff's tokens are
// refused from then on and no new command may name it; its history stays.
func (s *Service) DeactivateOrganisation(ctx context.Context, actor Actor, commandID, id string) (Result, error) {
	return s.changeOrganisation(ctx, actor, commandID, id, domain.DeactivateOrganisation{})
}

// ReactivateOrganisation puts a deactivated organisation back in service.
func (s *Service) ReactivateOrganisation(ctx context.Context, actor Actor, commandID, id string) (Result, error) {
	return s.changeOrganisation(ctx, actor, commandID, id, domain.ReactivateOrganisation{})
}

// changeOrganisation runs a command on a registered organisation (admins only).
func (s *Service) changeOrganisation(ctx context.Context, actor Actor, commandID, id string, cmd domain.Command) (_ Result, err error) {
	defer s.counted(cmd.CommandType(), &err)
	if err := access.Authorize(access.Request{Actor: actor, Action: access.ActionManageDirectory, Now: s.Now()}).Err(); err != nil {
		return Result{}, err
	}
	return s.organisationCommand(ctx, actor, commandID, id, cmd)
}

// organisationCommand decides cmd on the registered organisation id and appends its
// events, for a caller already authorised.
func (s *Service) organisationCommand(ctx context.Context, actor Actor, commandID, id string, cmd domain.Command) (Result, error) {
	if err := validateCommandID(commandID); err != nil {
		return Result{}, err
	}
	stream := eventstore.StreamName(eventstore.KindOrganisation, id)
	if eventstore.ValidateStreamName(stream) != nil {
		return Result{}, fmt.Errorf("organisation %q: %w", id, ErrNotFound)
	}
	input, err := commandInput(cmd.CommandType(), id, nil, actor, cmd)
	if err != nil {
		return Result{}, err
	}
	return s.execute(ctx, request{
		actor: actor, commandID: commandID, cmdType: cmd.CommandType(), fingerprint: s.plainFingerprint(input), stream: stream,
		fold: foldOrganisationEvent,
		authorize: func(a aggregate) error {
			if !organisationState(a).Registered {
				return fmt.Errorf("organisation %q: %w", id, ErrNotFound)
			}
			return nil
		},
		decide: func(_ context.Context, a aggregate, now time.Time) ([]domain.Event, error) {
			return domain.DecideOrganisation(organisationState(a), cmd, now)
		},
	})
}

func validSlug(id string) bool {
	if len(id) < 3 || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// Now is the service's clock, for callers that judge grants in force.
func (s *Service) Now() time.Time { return s.clock.Now() }

// LoadCase folds a case's whole history straight from the store (no read model), for
// a caller allowed to change it. The demo seeder uses it to learn the ids it was given.
func (s *Service) LoadCase(ctx context.Context, actor Actor, caseID string) (domain.Case, error) {
	stream := eventstore.StreamName(eventstore.KindCase, caseID)
	if eventstore.ValidateStreamName(stream) != nil {
		return domain.Case{}, fmt.Errorf("case %q: %w", caseID, ErrNotFound)
	}
	a, err := s.load(ctx, stream, foldCaseEvent, true)
	if err != nil {
		return domain.Case{}, err
	}
	state := caseState(a)
	if !state.Referred {
		return domain.Case{}, fmt.Errorf("case %q: %w", caseID, ErrNotFound)
	}
	if err := access.Authorize(access.Request{Actor: actor, Action: access.ActionChange, Case: &state, Now: s.Now()}).Err(); err != nil {
		return domain.Case{}, err
	}
	return state, nil
}

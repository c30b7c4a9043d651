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

// ReferSurvivor opens a new case. A retry with the same commandId returns the same case.
func (s *Service) ReferSurvivor(ctx context.Context, actor Actor, commandID string, cmd domain.ReferSurvivor) (Result, error) {
	err := access.Authorize(access.Request{Actor: actor, Action: access.ActionRefer, Target: cmd.ReferringOrganisation.ID, Now: s.Now()}).Err()
	if err != nil {
		return Result{}, err
	}
	if err := validateCommandID(commandID); err != nil {
		return Result{}, err
	}
	hash, err := s.inputHash(cmd.CommandType(), "", nil, actor, cmd)
	if err != nil {
		return Result{}, err
	}
	if cmd.ReferringOrganisation, err = s.organisation(ctx, cmd.ReferringOrganisation.ID); err != nil {
		return Result{}, err
	}
	return s.execute(ctx, request{
		actor: actor, commandID: commandID, cmdType: cmd.CommandType(), hash: hash,
		stream:    eventstore.StreamName(eventstore.KindCase, s.ids.NewID()),
		fold:      foldCaseEvent,
		authorize: func(aggregate) error { return nil },
		decide: func(a aggregate, now time.Time) ([]domain.Event, error) {
			return domain.Decide(caseState(a), cmd, now)
		},
	})
}

// ChangeCase runs any other case command.
func (s *Service) ChangeCase(ctx context.Context, actor Actor, in CaseCommand) (Result, error) {
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
	hash, err := s.inputHash(in.Command.CommandType(), in.CaseID, in.ExpectedVersion, actor, in.Command)
	if err != nil {
		return Result{}, err
	}
	cmd, err := s.complete(ctx, in.Command)
	if err != nil {
		return Result{}, err
	}
	action, target := actionOf(cmd)
	req := request{
		actor: actor, commandID: in.CommandID, cmdType: cmd.CommandType(), stream: stream,
		expected: in.ExpectedVersion, hash: hash, fold: foldCaseEvent,
		authorize: func(a aggregate) error {
			state := caseState(a)
			if !state.Referred {
				return fmt.Errorf("case %s: %w", in.CaseID, ErrNotFound)
			}
			return access.Authorize(access.Request{Actor: actor, Action: action, Case: &state, Target: target, Now: s.Now()}).Err()
		},
		decide: func(a aggregate, now time.Time) ([]domain.Event, error) {
			return domain.Decide(caseState(a), cmd, now)
		},
	}
	if _, ok := cmd.(domain.EraseSurvivorData); ok {
		// The key goes before the event is written: once SurvivorDataErased is in the
		// log, nothing can open the survivor's data. A retry after a failed append
		// destroys nothing new (Destroy is idempotent).
		req.beforeAppend = func(ctx context.Context) error { return s.vault.Destroy(ctx, in.CaseID) }
	}
	return s.execute(ctx, req)
}

// actionOf says which access a case command needs, and on what.
func actionOf(cmd domain.Command) (access.Action, string) {
	switch c := cmd.(type) {
	case domain.RecordAccountOpened:
		return access.ActionRecordBankOutcome, c.Bank.ID
	case domain.RecordAccountDeclined:
		return access.ActionRecordBankOutcome, c.Bank.ID
	case domain.RecordCreditDisputeOutcome:
		return access.ActionRecordDisputeOutcome, c.DisputeID
	case domain.EraseSurvivorData:
		return access.ActionErase, ""
	}
	return access.ActionChange, ""
}

// RegisterOrganisation adds an organisation to the directory under id, a stable
// readable slug ("" to generate one).
func (s *Service) RegisterOrganisation(ctx context.Context, actor Actor, commandID, id string, cmd domain.RegisterOrganisation) (Result, error) {
	if err := access.Authorize(access.Request{Actor: actor, Action: access.ActionManageDirectory, Now: s.Now()}).Err(); err != nil {
		return Result{}, err
	}
	if err := validateCommandID(commandID); err != nil {
		return Result{}, err
	}
	if id != "" && !validSlug(id) {
		return Result{}, fmt.Errorf("organisation id %q: must be 3-64 of a-z, 0-9 and '-': %w", id, ErrBadInput)
	}
	hash, err := s.inputHash(cmd.CommandType(), id, nil, actor, cmd)
	if err != nil {
		return Result{}, err
	}
	if id == "" {
		id = s.ids.NewID()
	}
	return s.execute(ctx, request{
		actor: actor, commandID: commandID, cmdType: cmd.CommandType(), hash: hash,
		stream:    eventstore.StreamName(eventstore.KindOrganisation, id),
		fold:      foldOrganisationEvent,
		authorize: func(aggregate) error { return nil },
		decide: func(a aggregate, now time.Time) ([]domain.Event, error) {
			return domain.DecideOrganisation(organisationState(a), cmd, now)
		},
	})
}

func (s *Service) complete(ctx context.Context, cmd domain.Command) (domain.Command, error) {
	var err error
	switch c := cmd.(type) {
	case domain.GrantConsent:
		c.GrantID = s.ids.NewID()
		c.Recipient, err = s.organisation(ctx, c.Recipient.ID)
		return c, err
	case domain.RequestIDDocument:
		c.DocumentID = s.ids.NewID()
		return c, nil
	case domain.ReferToBank:
		c.Bank, err = s.organisation(ctx, c.Bank.ID)
		return c, err
	case domain.SubmitAccountApplication:
		c.Bank, err = s.organisation(ctx, c.Bank.ID)
		return c, err
	case domain.RecordAccountOpened:
		c.Bank, err = s.organisation(ctx, c.Bank.ID)
		return c, err
	case domain.RecordAccountDeclined:
		c.Bank, err = s.organisation(ctx, c.Bank.ID)
		return c, err
	case domain.FileCreditDispute:
		c.DisputeID = s.ids.NewID()
		c.Bureau, err = s.organisation(ctx, c.Bureau.ID)
		return c, err
	case domain.AddCaseNote:
		c.NoteID = s.ids.NewID()
		return c, nil
	case domain.ReferSurvivor, domain.RegisterOrganisation:
		return nil, fmt.Errorf("%s is not a change to an existing case: %w", cmd.CommandType(), ErrBadInput)
	}
	return cmd, nil
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
	return domain.OrgRef{ID: id, Kind: org.Kind, Jurisdiction: org.Jurisdiction}, nil
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
// a caller allowed to change it. The CLI and the demo seeder use it.
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

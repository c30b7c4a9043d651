package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/waymark-org/waymark/accesslog"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/paging"
	"github.com/waymark-org/waymark/projections"
	"github.com/waymark-org/waymark/retention"
)

// What a retention erasure is recorded as: the retention policy, never a person. The
// role "system" is no token's role (access.Roles), so no user can pass for it, as no
// user can pass for the "waymark"/"system" that signs checkpoints.
const (
	RetentionActorID = "retention-policy"
	SystemRole       = "system"
)

// retentionActor performs retention erasures. It is never authorised through access:
// the operator's policy file is its authority, and eraseForRetention checks the case
// against it.
var retentionActor = Actor{ID: RetentionActorID, Role: SystemRole}

// RetentionCase is a case due for erasure under its jurisdiction's policy. No
// personal data: ids, a code, a date and the policy.
type RetentionCase struct {
	CaseID       string           `json:"caseId"`
	Jurisdiction string           `json:"jurisdiction"`
	ClosedAt     time.Time        `json:"closedAt"`
	Policy       retention.Policy `json:"policy"`
	Version      uint64           `json:"version"` // the case's version when judged: erased only if still there
}

// RetentionPlan is what retention would do at At.
type RetentionPlan struct {
	At    time.Time       `json:"at"`
	Erase []RetentionCase `json:"erase"` // at most a batch, longest closed first
	// MoreDue counts the cases due beyond the batch (the next runs take them).
	MoreDue int `json:"moreDue"`
	// AccessLogDropped counts the access-log entries the read model would drop now.
	AccessLogDropped int               `json:"accessLogDropped"`
	AccessHorizon    accesslog.Horizon `json:"accessHorizon"`
}

// RetentionSkip is a due case a run did not erase, and why (a sentence without
// personal data).
type RetentionSkip struct {
	CaseID string `json:"caseId"`
	Reason string `json:"reason"`
}

// RetentionReport is what a run did.
type RetentionReport struct {
	RetentionPlan
	Erased  []RetentionCase `json:"erased"`
	Skipped []RetentionSkip `json:"skipped,omitempty"`
}

// accessPruner is the access log retention prunes (accesslog.Log).
type accessPruner interface {
	Horizon(ctx context.Context) (accesslog.Horizon, error)
	Prune(ctx context.Context, next accesslog.Horizon) (accesslog.Horizon, error)
	CountDropped(ctx context.Context, next accesslog.Horizon, jurisdiction func(caseID string) string) (int, error)
}

// PlanRetention lists what retention would do now under policies — at most batch
// cases to erase (0: no limit), the longest closed first — and changes nothing.
func (s *Service) PlanRetention(ctx context.Context, policies retention.Policies, batch int) (RetentionPlan, error) {
	now := s.Now()
	plan := RetentionPlan{At: now, Erase: []RetentionCase{}, AccessHorizon: accessHorizon(policies, now)}
	due := s.dueForErasure(policies, now)
	if batch > 0 && len(due) > batch {
		plan.MoreDue = len(due) - batch
		due = due[:batch]
	}
	plan.Erase = append(plan.Erase, due...)
	if p, ok := s.pruner(); ok && !plan.AccessHorizon.IsZero() {
		n, err := p.CountDropped(ctx, plan.AccessHorizon, s.jurisdictionOf)
		if err != nil {
			return RetentionPlan{}, fmt.Errorf("retention: count the access log's entries to drop: %w", err)
		}
		plan.AccessLogDropped = n
	}
	return plan, nil
}

// ApplyRetention does what PlanRetention lists: erases each case through the erasure
// command (reason retention_policy, recorded as done by the retention policy) and
// moves the access log's horizon forward. A case that changed since it was judged — a
// reopening, a new note — is skipped and judged again by the next run.
func (s *Service) ApplyRetention(ctx context.Context, policies retention.Policies, batch int) (RetentionReport, error) {
	plan, err := s.PlanRetention(ctx, policies, batch)
	if err != nil {
		return RetentionReport{}, err
	}
	rep := RetentionReport{RetentionPlan: plan, Erased: []RetentionCase{}}
	for _, c := range plan.Erase {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		_, err := s.eraseForRetention(ctx, c)
		var conflict *ConflictError
		switch {
		case err == nil:
			rep.Erased = append(rep.Erased, c)
		case errors.As(err, &conflict), errors.Is(err, ErrRetentionNotDue), errors.Is(err, ErrInvalidTransition):
			rep.Skipped = append(rep.Skipped, RetentionSkip{CaseID: c.CaseID, Reason: skipReason(err)})
		default:
			return rep, fmt.Errorf("retention: erase case %s: %w", c.CaseID, err)
		}
	}
	if p, ok := s.pruner(); ok && !plan.AccessHorizon.IsZero() {
		if _, err := p.Prune(ctx, plan.AccessHorizon); err != nil {
			return rep, fmt.Errorf("retention: %w", err)
		}
	}
	return rep, nil
}

func skipReason(err error) string {
	var conflict *ConflictError
	switch {
	case errors.As(err, &conflict):
		return "the case changed since it was judged; the next run judges it again"
	case errors.Is(err, ErrRetentionNotDue):
		return "the case is no longer closed"
	}
	return "the survivor's data was already erased"
}

// ErrRetentionNotDue is a case retention may not erase (any more): not closed.
var ErrRetentionNotDue = errors.New("not due for erasure under the retention policy")

// dueForErasure lists the cases closed longer ago than their jurisdiction's policy
// allows and not yet erased, longest closed first.
func (s *Service) dueForErasure(policies retention.Policies, now time.Time) []RetentionCase {
	if s.cases == nil {
		return nil
	}
	var due []RetentionCase
	// The filter's callback visits every closed case under the read model's lock and
	// collects: no page is built.
	s.cases.List(projections.CaseFilter{Status: domain.StatusClosed, Visible: func(v *projections.CaseView) bool {
		if v.State.Erased || v.Closure == nil {
			return false
		}
		p := policies.For(v.State.Jurisdiction)
		if cut, ok := p.EraseBefore(now); ok && v.Closure.At.Before(cut) {
			due = append(due, RetentionCase{CaseID: v.ID, Jurisdiction: v.State.Jurisdiction, ClosedAt: v.Closure.At, Policy: p, Version: v.State.Version})
		}
		return false
	}}, paging.Window{}, eventstore.Start)
	slices.SortFunc(due, func(a, b RetentionCase) int {
		return cmp.Or(a.ClosedAt.Compare(b.ClosedAt), cmp.Compare(a.CaseID, b.CaseID))
	})
	return due
}

// accessHorizon is the access log's horizon the policies set at now.
func accessHorizon(policies retention.Policies, now time.Time) accesslog.Horizon {
	cut := func(p retention.Policy) time.Time {
		t, _ := p.DropAccessBefore(now) // zero: kept
		return t
	}
	h := accesslog.Horizon{Default: cut(policies.Default), Jurisdictions: map[string]time.Time{}}
	for j, p := range policies.ByJurisdiction {
		h.Jurisdictions[j] = cut(p)
	}
	return h
}

// RetentionCommandID is the command id of a case's retention erasure: derived from
// the case and the policy, so a run repeated, or two servers running at once, erase
// once and agree on the result.
func RetentionCommandID(c RetentionCase) string {
	j := c.Policy.Jurisdiction
	if j == "" {
		j = "default"
	}
	return fmt.Sprintf("retention-%s-%s-%dy", c.CaseID, j, c.Policy.ErasePersonalAfterClosedYears)
}

// eraseForRetention runs the erasure command on a due case, on the path every command
// takes (execute: command id, decide, append with the expected revision), with the
// erasure's own step: the case key destroyed before the event is written. Instead of
// a caller's authorisation, the case is checked against the policy: still closed, and
// at the version it was judged at (anything since — a reopening — is a conflict).
func (s *Service) eraseForRetention(ctx context.Context, c RetentionCase) (_ Result, err error) {
	cmd := domain.EraseSurvivorData{ReasonCode: domain.ErasureRetentionPolicy}
	defer s.counted(cmd.CommandType(), &err)
	commandID := RetentionCommandID(c)
	if err := validateCommandID(commandID); err != nil {
		return Result{}, fmt.Errorf("case %s: %w", c.CaseID, err)
	}
	stream := eventstore.StreamName(eventstore.KindCase, c.CaseID)
	if eventstore.ValidateStreamName(stream) != nil {
		return Result{}, fmt.Errorf("case %q: %w", c.CaseID, ErrNotFound)
	}
	expected := c.Version
	// The version is left out of the input: a run that judged the case at another
	// version, after this erasure was recorded, gets the recorded result.
	input, err := commandInput(cmd.CommandType(), c.CaseID, nil, retentionActor, cmd)
	if err != nil {
		return Result{}, err
	}
	destroyed := false
	return s.execute(ctx, request{
		actor: retentionActor, commandID: commandID, cmdType: cmd.CommandType(), stream: stream,
		expected: &expected, fingerprint: s.caseFingerprint(input), fold: foldCaseEvent,
		authorize: func(a aggregate) error {
			state := caseState(a)
			switch {
			case !state.Referred:
				return fmt.Errorf("case %s: %w", c.CaseID, ErrNotFound)
			case destroyed:
				return nil // the key is gone: the erasure must now be recorded, whatever happened since
			case state.Status != domain.StatusClosed:
				return fmt.Errorf("case %s: %w", c.CaseID, ErrRetentionNotDue)
			}
			return nil
		},
		decide: func(_ context.Context, a aggregate, now time.Time) ([]domain.Event, error) {
			return domain.Decide(caseState(a), cmd, now)
		},
		// As ChangeCase's erasure: the key goes before the event is written.
		beforeAppend: func(ctx context.Context, data []eventstore.EventData) error {
			destroyed = true
			return s.destroyCaseKey(ctx, c.CaseID, cmd.ReasonCode, data)
		},
	})
}

func (s *Service) pruner() (accessPruner, bool) {
	if l, ok := s.accessLog.(retainedLog); ok {
		p, ok := l.AccessLog.(accessPruner)
		return p, ok
	}
	p, ok := s.accessLog.(accessPruner)
	return p, ok
}

// jurisdictionOf is a case's jurisdiction in the read model ("" for one it does not
// hold: the default policy).
func (s *Service) jurisdictionOf(caseID string) string {
	if s.cases == nil {
		return ""
	}
	if v, ok := s.cases.Get(caseID); ok {
		return v.State.Jurisdiction
	}
	return ""
}

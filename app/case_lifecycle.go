package app

import (
	"context"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/domain"
)

// Closure is how and when a case was closed.
type Closure struct {
	Outcome domain.ClosureOutcome
	// Reason is the caseworker's text beside the outcome (personal): opened only when
	// asked for, for callers who may read the case's notes.
	Reason string
	At     time.Time
	// Withheld: personal fields left empty for want of a stated reason.
	Withheld Withheld
}

// Closure returns how the case was closed (summary group), or nil while it is open;
// withReason opens the caseworker's text.
func (c *Case) Closure(ctx context.Context, withReason bool) (*Closure, error) {
	if err := c.authorize(ctx, access.GroupSummary); err != nil {
		return nil, err
	}
	if c.v.Closure == nil {
		return nil, nil
	}
	// The reason is a caseworker's free text, which may say more about the survivor
	// than a bank or an auditor should read: it goes with the notes.
	notes, err := c.notesOpener(ctx, withReason)
	if err != nil {
		return nil, err
	}
	out := &Closure{Outcome: c.v.Closure.Outcome, At: c.v.Closure.At}
	out.Reason, err = text(ctx, notes, c.v.Closure.Reason)
	if err := withhold(&out.Withheld, "Reason", err); err != nil {
		return nil, err
	}
	return out, nil
}

// Reopening is one reopening of the case.
type Reopening struct {
	ReasonCode domain.ReopenReason
	Reason     string // the caseworker's text (personal), as Closure.Reason
	At         time.Time
	// Withheld: personal fields left empty for want of a stated reason.
	Withheld Withheld
}

// Reopenings lists when the case was reopened and why, oldest first (summary group);
// withReasons opens the caseworker's texts.
func (c *Case) Reopenings(ctx context.Context, withReasons bool) ([]Reopening, error) {
	if err := c.authorize(ctx, access.GroupSummary); err != nil {
		return nil, err
	}
	notes, err := c.notesOpener(ctx, withReasons)
	if err != nil {
		return nil, err
	}
	out := make([]Reopening, len(c.v.Reopenings))
	for i, ro := range c.v.Reopenings {
		out[i] = Reopening{ReasonCode: ro.ReasonCode, At: ro.At}
		out[i].Reason, err = text(ctx, notes, ro.Reason)
		if err := withhold(&out[i].Withheld, "Reason", err); err != nil {
			return nil, err
		}
	}
	return out, nil
}

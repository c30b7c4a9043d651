package app

import (
	"context"
	"errors"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/domain"
)

// Note is a case note.
type Note struct {
	ID                 string
	Text               string // personal: only when opened; "" once erased
	AuthorOrganisation string
	At                 time.Time
}

// Notes lists the case's notes, oldest first (notes group). withText opens their
// text, recording the access first; once erased, the notes stay listed without it.
func (c *Case) Notes(ctx context.Context, withText bool) ([]Note, error) {
	if err := c.authorize(ctx, access.GroupNotes); err != nil {
		return nil, err
	}
	out := make([]Note, len(c.v.Notes))
	for i, n := range c.v.Notes {
		out[i] = Note{ID: n.ID(), AuthorOrganisation: n.AuthorOrganisation(), At: n.At()}
	}
	if c.decisionView().State.Erased {
		c.s.noteTexts.drop(c.v.ID)
		return out, nil
	}
	if !withText {
		return out, nil
	}
	o, err := c.s.OpenGroup(ctx, c.actor, c.decisionView(), access.GroupNotes)
	if errors.Is(err, ErrErased) {
		c.s.noteTexts.drop(c.v.ID)
		return out, nil // the notes stay listed; their text is gone
	}
	if err != nil {
		return nil, err
	}
	texts, err := c.s.noteTexts.get(ctx, c.s.store, c.v) // the read model keeps no texts
	if err != nil {
		return nil, err
	}
	for i, text := range texts {
		var details domain.NoteDetails
		if err := o.Open(ctx, text, &details); err != nil {
			return nil, err
		}
		out[i].Text = details.Text
	}
	return out, nil
}

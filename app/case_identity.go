package app

import (
	"context"
	"errors"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/projections"
)

// Identity is the survivor's personal data. Only Erased and the documents'
// non-personal parts are set unless it was opened (Case.Identity).
type Identity struct {
	// Erased: the survivor's data was erased; every personal field is empty for ever.
	Erased      bool
	FullName    string
	Aliases     []string
	DateOfBirth string
	Phone       string
	Email       string
	Address     string
	Documents   []IDDocument // oldest request first
}

// IDDocument is one requested identity document.
type IDDocument struct {
	ID     string
	Kind   domain.DocumentKind
	Status domain.DocumentStatus
	// IssuingOrganisation is the directory's ID office or government body that issues
	// it; nil when the authority was named in free text.
	IssuingOrganisation *Organisation
	// IssuingAuthority is IssuingOrganisation's name, or the free text the authority
	// was named with (personal: only when opened).
	IssuingAuthority string
	DocumentNumber   string               // personal; set once obtained
	ReasonCode       domain.RefusalReason // why it was refused
	Reason           string               // personal: the text beside ReasonCode
	RequestedAt      time.Time
	UpdatedAt        time.Time
}

// Identity returns the survivor's identity (identity group). open decrypts her
// details and the documents' numbers, authorities and refusal texts, recording the
// access first; without it, or once erased, nothing personal is read or recorded.
func (c *Case) Identity(ctx context.Context, open bool) (*Identity, error) {
	if err := c.authorize(ctx, access.GroupIdentity); err != nil {
		return nil, err
	}
	state := c.v.State
	docs := sortedBy(state.Documents, func(d domain.IDDocument) time.Time { return d.RequestedAt }, func(d domain.IDDocument) string { return d.ID })
	id := &Identity{Erased: state.Erased, Documents: make([]IDDocument, len(docs))}
	for i, d := range docs {
		id.Documents[i] = IDDocument{
			ID: d.ID, Kind: d.Kind, Status: d.Status, ReasonCode: d.ReasonCode,
			RequestedAt: d.RequestedAt, UpdatedAt: d.UpdatedAt,
		}
		if d.IssuingOrganisation != "" {
			org := c.org(d.IssuingOrganisation)
			id.Documents[i].IssuingOrganisation, id.Documents[i].IssuingAuthority = &org, org.Name
		}
	}
	if id.Erased || !open {
		return id, nil // nothing personal to open (or nothing left): no access to record
	}
	o, err := c.s.OpenGroup(ctx, c.actor, c.decisionView(), access.GroupIdentity)
	if errors.Is(err, ErrErased) {
		id.Erased = true
		return id, nil
	}
	if err != nil {
		return nil, err
	}
	var s domain.SurvivorDetails
	if err := o.Open(ctx, c.v.Survivor, &s); err != nil {
		return nil, err
	}
	id.FullName, id.Aliases, id.DateOfBirth = s.FullName, s.Aliases, s.DateOfBirth
	id.Phone, id.Email, id.Address = s.Phone, s.Email, s.Address
	for i := range id.Documents {
		d := &id.Documents[i]
		var details domain.DocumentDetails
		if err := o.Open(ctx, c.v.Sealed[projections.SealedDocument(d.ID)], &details); err != nil {
			return nil, err
		}
		d.DocumentNumber = details.DocumentNumber
		var authority domain.AuthorityDetails
		if err := o.Open(ctx, c.v.Sealed[projections.SealedAuthority(d.ID)], &authority); err != nil {
			return nil, err
		}
		if authority.IssuingAuthority != "" {
			d.IssuingAuthority = authority.IssuingAuthority
		}
		if d.Reason, err = text(ctx, o, c.v.Sealed[projections.SealedRefusal(d.ID)]); err != nil {
			return nil, err
		}
	}
	return id, nil
}

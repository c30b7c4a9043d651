package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/accesslog"
	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/projections"
	"github.com/waymark-org/waymark/sealing"
)

type reasonKey struct{}

// WithAccessReason returns ctx carrying the reason the caller stated for reading
// personal data (break-glass for auditors); it is recorded in the access log.
func WithAccessReason(ctx context.Context, reason string) context.Context {
	return context.WithValue(ctx, reasonKey{}, reason)
}

// AccessReason returns the reason carried by ctx, or "".
func AccessReason(ctx context.Context) string {
	r, _ := ctx.Value(reasonKey{}).(string)
	return r
}

// decideRead is the access decision for reading group of case v; sealed marks a read
// that decrypts sealed personal data.
func (s *Service) decideRead(ctx context.Context, actor Actor, v *projections.CaseView, group access.Group, sealed bool) access.Decision {
	state := v.State
	return access.Authorize(access.Request{
		Actor: actor, Action: access.ActionRead, Group: group, Case: &state,
		Reason: AccessReason(ctx), Now: s.Now(), Sealed: sealed,
	})
}

// Opener decrypts the personal data of one case for one request.
type Opener struct {
	vault  *sealing.Vault
	caseID string
	// withheld, when set, is why nothing may be opened (ErrReasonRequired): every
	// sealed value that exists fails with it, and nothing is decrypted.
	withheld error
}

// withheldOpener opens nothing: each sealed value fails with err.
func withheldOpener(err error) *Opener { return &Opener{withheld: err} }

// OpenGroup lets actor read the sealed personal data of a group of case v (identity
// and notes, and the sealed parts of banking, credit, safeguarding and contact).
// The access is recorded in the access log before anything is decrypted — or, in a
// request with an AccessCollector, noted there to be recorded before the response
// leaves (accessread.go) — and a read that cannot be recorded fails: personal data
// never leaves unrecorded. A read past the request's limit of cases is
// ErrPersonalDataLimit; an erased case's data is ErrErased.
func (s *Service) OpenGroup(ctx context.Context, actor Actor, v *projections.CaseView, group access.Group) (*Opener, error) {
	d := s.decideRead(ctx, actor, v, group, true)
	if err := d.Err(); err != nil {
		return nil, err
	}
	if v.State.Erased {
		return nil, ErrErased
	}
	entry := s.accessEntry(ctx, actor, v.ID, string(group), d.BreakGlass)
	if err := s.recordAccess(ctx, []accesslog.Entry{entry}, false); err != nil {
		return nil, fmt.Errorf("record access to case %s: %w", v.ID, err)
	}
	return &Opener{vault: s.vault, caseID: v.ID}, nil
}

// Open decrypts one personal sub-object into dst (nothing for an empty one). A
// destroyed key is ErrErased; bytes that fail their integrity check, ErrTampered.
func (o *Opener) Open(ctx context.Context, p codec.Personal, dst any) error {
	if p.IsZero() {
		return nil
	}
	if o.withheld != nil {
		return o.withheld
	}
	plain, err := o.vault.Open(ctx, o.caseID, p.EventID, p.SchemaVersion, p.Data)
	if errors.Is(err, sealing.ErrKeyDestroyed) {
		return ErrErased
	}
	if err != nil {
		return appError(fmt.Errorf("open personal data of case %s: %w", o.caseID, err))
	}
	if err := json.Unmarshal(plain, dst); err != nil {
		return fmt.Errorf("decode personal data of case %s: %w", o.caseID, err)
	}
	return nil
}

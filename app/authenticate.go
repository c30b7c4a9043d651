package app

import (
	"errors"
	"fmt"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/domain"
)

// Credentials are what a verified token says about its bearer.
type Credentials struct {
	Subject      string // an opaque user id, never a name
	Role         string
	Organisation string
	TokenID      string // the token's "jti"
	IssuedAt     time.Time
}

// ErrRevoked is a token revoked by id or by subject.
var ErrRevoked = errors.New("token revoked")

// Authenticate turns a verified token's credentials into the actor of a request. A
// valid signature is not enough: the role must be one Waymark knows, the subject an
// opaque id, the organisation in the directory, active, and of a kind that can hold
// the role (a caseworker token for a bank would turn the bank into a shelter), and the
// token not revoked. Every refusal wraps ErrUnauthenticated and says why.
func (s *Service) Authenticate(c Credentials) (Actor, error) {
	refuse := func(format string, args ...any) (Actor, error) {
		return Actor{}, fmt.Errorf("%w: %s", ErrUnauthenticated, fmt.Sprintf(format, args...))
	}
	role := access.Role(c.Role)
	if !role.Valid() {
		return refuse("the token's role %q is not a Waymark role", clip(c.Role))
	}
	if err := domain.CheckID("sub", c.Subject); err != nil {
		return refuse("the token's subject must be an opaque user id (letters, digits, '-' and '_'), never a name")
	}
	actor := Actor{ID: c.Subject, Role: role, Organisation: c.Organisation}
	switch {
	case c.Organisation == "" && access.NeedsOrganisation(role):
		return refuse("a %s token names the organisation its holder acts for", role)
	case c.Organisation != "":
		org, ok := s.orgs.Get(c.Organisation)
		if !ok {
			return refuse("organisation %q is not in the directory", clip(c.Organisation))
		}
		if !org.Active {
			return refuse("organisation %s was deactivated", org.ID)
		}
		if err := access.CheckRoleKind(role, org.Kind); err != nil {
			return refuse("%v", err)
		}
		actor.Kind = org.Kind
	}
	if s.revocations.Revoked(c.TokenID, c.Subject, c.IssuedAt) {
		return Actor{}, fmt.Errorf("%w: %w", ErrUnauthenticated, ErrRevoked)
	}
	return actor, nil
}

// clip bounds a caller's value quoted back in an error.
func clip(s string) string {
	if r := []rune(s); len(r) > 64 {
		return string(r[:64]) + "…"
	}
	return s
}

package auth

import (
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// RoleAdmin is the one role whose tokens may carry no organisation: coalition
// administrators act across organisations. Every other role value is opaque here;
// the authorisation layer decides what it means and rejects the ones it does not know.
const RoleAdmin = "admin"

// Claims of a Waymark access token.
type Claims struct {
	Subject      string // sub: the user id
	Organisation string // org: the user's organisation id; empty only for RoleAdmin
	Role         string // role: not validated here
	IssuedAt     time.Time
	ExpiresAt    time.Time
	ID           string // jti: random, unique per token
	KeyID        string // kid header: the signing key's id
}

// wireClaims is the JSON payload of a token: the registered claims plus Waymark's
// private "org" and "role".
type wireClaims struct {
	Organisation string `json:"org,omitempty"`
	Role         string `json:"role"`
	jwt.RegisteredClaims
}

// checkIdentity holds the rules on sub, role and org shared by Issue (so it never
// mints a token Verify would refuse) and Verify.
func checkIdentity(subject, organisation, role string) error {
	switch {
	case strings.TrimSpace(subject) == "":
		return fmt.Errorf("subject is required")
	case strings.TrimSpace(role) == "":
		return fmt.Errorf("role is required")
	case strings.TrimSpace(organisation) == "" && role != RoleAdmin:
		return fmt.Errorf("organisation is required for role %q", role)
	}
	return nil
}

// claims converts a verified payload and its kid into Claims. Times are UTC.
func (w *wireClaims) claims(kid string) Claims {
	c := Claims{
		Subject:      w.Subject,
		Organisation: w.Organisation,
		Role:         w.Role,
		ID:           w.ID,
		KeyID:        kid,
	}
	if w.IssuedAt != nil {
		c.IssuedAt = w.IssuedAt.UTC()
	}
	if w.ExpiresAt != nil {
		c.ExpiresAt = w.ExpiresAt.UTC()
	}
	return c
}

package app

import "github.com/waymark-org/waymark/access"

// Actor is the authenticated caller; access decides what it may do.
type Actor = access.Actor

// Role is what an actor does in the coalition.
type Role = access.Role

// The roles, re-exported for callers of the application layer.
const (
	RoleCaseworker = access.RoleCaseworker
	RoleBank       = access.RoleBank
	RoleBureau     = access.RoleBureau
	RoleAuditor    = access.RoleAuditor
	RoleAnalyst    = access.RoleAnalyst
	RoleAdmin      = access.RoleAdmin
)

// Roles lists every role, in a fixed order.
func Roles() []Role { return access.Roles() }

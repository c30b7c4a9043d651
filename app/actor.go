package app

// Role is what an actor does in the coalition.
type Role string

// The roles of DESIGN.md. Step 1 decides with a simple policy (policy.go); Step 2
// replaces it with the full authorisation decision.
const (
	RoleCaseworker Role = "caseworker"
	RoleBank       Role = "bank"
	RoleBureau     Role = "bureau"
	RoleAuditor    Role = "auditor"
	RoleAnalyst    Role = "analyst"
	RoleAdmin      Role = "admin"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleCaseworker, RoleBank, RoleBureau, RoleAuditor, RoleAnalyst, RoleAdmin:
		return true
	}
	return false
}

// Actor is the authenticated caller: a user of an organisation acting in a role.
type Actor struct {
	ID           string
	Role         Role
	Organisation string
}

// Authenticated reports whether a is a real caller.
func (a Actor) Authenticated() bool { return a.ID != "" && a.Role.Valid() }

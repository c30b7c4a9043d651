package app

import "github.com/waymark-org/waymark/access"

// Group is a field group of a case: its fields are authorised together (access
// decides per group), and the access log lists the groups a caller read. It is app's
// own type, not an alias of access.Group, so that callers — the API and the code
// gqlgen generates for it — name app alone; the values are access's.
type Group string

// The field groups, in the order access lists them.
const (
	GroupSummary      = Group(access.GroupSummary)
	GroupIdentity     = Group(access.GroupIdentity)
	GroupConsent      = Group(access.GroupConsent)
	GroupBanking      = Group(access.GroupBanking)
	GroupCredit       = Group(access.GroupCredit)
	GroupNotes        = Group(access.GroupNotes)
	GroupSafeguarding = Group(access.GroupSafeguarding)
	GroupContact      = Group(access.GroupContact)
)

// Groups lists every field group in order; a fresh slice each call.
func Groups() []Group {
	var out []Group
	for _, g := range access.Groups() {
		out = append(out, Group(g))
	}
	return out
}

// Valid reports whether g is one of Groups.
func (g Group) Valid() bool {
	for _, x := range access.Groups() {
		if Group(x) == g {
			return true
		}
	}
	return false
}

// CheckAccessReason checks the reason a caller states for reading personal data (the
// break-glass X-Access-Reason header) and returns it trimmed: access's rule, for
// callers that carry it into WithAccessReason.
func CheckAccessReason(reason string) (string, error) { return access.CheckReason(reason) }

package projections

import "github.com/google/uuid"

// compactID is an id in 20 bytes without pointers: 16 when it is a UUID in
// canonical form (lower-case hex, 8-4-4-4-12), as the application draws the ids of
// what a case gathers many of (notes), in place of a 36-byte string behind a pointer
// — one object fewer per entry, and nothing in it for the collector to trace. Any
// other id (a fixture's, another writer's) is numbered in the process's symbol table
// (other is its number plus one), which holds it for the process's life: ids the
// application draws never go there.
type compactID struct {
	uuid  [16]byte
	other uint32
}

func newCompactID(s string) compactID {
	if u, ok := parseCanonicalUUID(s); ok {
		return compactID{uuid: u}
	}
	return compactID{other: symbols.id(s) + 1}
}

// compactIDFrom is newCompactID of b's string, without building the string when it
// is a UUID.
func compactIDFrom(b []byte) compactID {
	if u, ok := parseCanonicalUUID(b); ok {
		return compactID{uuid: u}
	}
	return compactID{other: symbols.id(string(b)) + 1}
}

// String is the id as it was given.
func (c compactID) String() string {
	if c.other != 0 {
		return symbols.name(c.other - 1)
	}
	return uuid.UUID(c.uuid).String() // canonical, lower case: what parseCanonicalUUID reads
}

// is says whether c is the id s, without building c's string.
func (c compactID) is(s string) bool {
	if c.other != 0 {
		return symbols.name(c.other-1) == s
	}
	u, ok := parseCanonicalUUID(s)
	return ok && u == c.uuid
}

// uuidDashes are where a canonical UUID's dashes are.
var uuidDashes = [4]int{8, 13, 18, 23}

// parseCanonicalUUID reads s if it is a UUID written exactly as uuid.UUID.String
// writes one (lower case; uuid.Parse also takes upper case, braces and URNs), so that
// the id reads back as the same string, without allocating.
func parseCanonicalUUID[T string | []byte](s T) ([16]byte, bool) {
	var u [16]byte
	if len(s) != 36 {
		return u, false
	}
	for _, at := range uuidDashes {
		if s[at] != '-' {
			return u, false
		}
	}
	j := 0
	for i := 0; i < 36; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i++
			continue
		}
		hi, ok1 := lowerHex(s[i])
		lo, ok2 := lowerHex(s[i+1])
		if !ok1 || !ok2 {
			return u, false
		}
		u[j] = hi<<4 | lo
		i, j = i+2, j+1
	}
	return u, true
}

func lowerHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

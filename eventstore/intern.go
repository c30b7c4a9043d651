package eventstore

import (
	"hash/maphash"
	"sync/atomic"
)

// Replay decodes millions of records whose event type, role, organisation, actor and
// command type are each one of a few values, and made a new string of every one: a
// rebuild's garbage. intern hands back the string made for the same bytes before, if
// it is still in the table: a fixed number of slots, each the last string that hashed
// to it, so the table never grows, whatever the log holds.

// internSlots is the table's size; internMax the longest string kept in it.
const (
	internSlots = 4096
	internMax   = 64
)

var (
	internTable [internSlots]atomic.Pointer[string]
	internSeed  = maphash.MakeSeed()
)

// intern returns string(b), made once for as long as its slot keeps it.
func intern(b []byte) string {
	if len(b) > internMax {
		return string(b)
	}
	slot := &internTable[maphash.Bytes(internSeed, b)%internSlots]
	if s := slot.Load(); s != nil && *s == string(b) {
		return *s
	}
	s := string(b)
	slot.Store(&s)
	return s
}

package projections

import (
	"maps"
	"strings"
	"sync"
	"sync/atomic"
)

// symbols numbers the few distinct strings a case's journey and notes repeat at every
// event — event types, stages, organisation ids — so that a step or a note holds small
// numbers instead of string headers and a copy of each string decoded from its event
// (TestPerEventEntriesHoldNoPointers). None of them is personal: types and stages are
// the domain's, organisations are the coalition's directory. There are a few hundred
// of them, for ever: the table only grows, and numbers are never reused. It also holds
// any note id that is not a UUID in canonical form (compactID): the application draws
// UUIDs, so only ids from other writers (tests' fixtures) come here; a store of many
// such ids would grow the table by one copy per id.
//
// Numbers are this process's own: a snapshot writes the strings (snapshot_cases.go).
// Lookups take no lock (every event's apply and every step of a loading snapshot,
// from several goroutines, makes them): the map and slice they see are never changed,
// only replaced by larger copies when a string is added, which happens a few hundred
// times in a process's life.
type symbolTable struct {
	mu    sync.Mutex // adders
	ids   atomic.Pointer[map[string]uint32]
	names atomic.Pointer[[]string]
}

// symbols is the process's one table. 0 is "".
var symbols = newSymbolTable()

func newSymbolTable() *symbolTable {
	t := &symbolTable{}
	ids, names := map[string]uint32{"": 0}, []string{""}
	t.ids.Store(&ids)
	t.names.Store(&names)
	return t
}

// id returns s's number, adding it if new.
func (t *symbolTable) id(s string) uint32 {
	if n, ok := (*t.ids.Load())[s]; ok {
		return n
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if n, ok := (*t.ids.Load())[s]; ok { // added meanwhile
		return n
	}
	s = strings.Clone(s) // not a view of a larger buffer (a snapshot section)
	old := *t.names.Load()
	n := uint32(len(old))
	names := append(old[:n:n], s) // new arrays: readers keep theirs
	ids := maps.Clone(*t.ids.Load())
	ids[s] = n
	t.names.Store(&names) // names first: an id is never seen before its name
	t.ids.Store(&ids)
	return n
}

// name returns the string numbered n ("" for a number never given).
func (t *symbolTable) name(n uint32) string {
	names := *t.names.Load()
	if int(n) >= len(names) {
		return ""
	}
	return names[n]
}

// intern returns the table's copy of s: a string every view shares.
func (t *symbolTable) intern(s string) string { return t.name(t.id(s)) }

package projections

import (
	"cmp"
	"encoding/binary"
	"maps"
	"slices"
)

// keySet is a set of CommandKeys in two parts: a sorted slice that holds most of them
// at 16 bytes a key, and a map of the keys added since the last merge. A map alone
// costs about 40 bytes a key (its spare room and control bytes), and a coalition's
// log holds millions of commands: a case of twenty was 0.8 KiB of the ~5 KiB a case
// resident, and twice that in service (the heap's room for garbage grows with it).
//
// Adding a key looks only at the map: a binary search of millions of keys is a cache
// miss at every step, and a replay adds a key for every event. A key added again after
// it was merged is in both parts until the next merge drops the repeat.
type keySet struct {
	sorted []CommandKey            // ascending, no repeats
	recent map[CommandKey]struct{} // added since the last merge; a few may be in sorted too
}

// minMerge and mergeShare: the recent keys are merged into the sorted ones once they
// are minMerge or a mergeShare-th of the sorted ones, whichever is more; the map
// stays small beside the slice, and a merge copies the slice once for every
// mergeShare-th of it added.
const (
	minMerge   = 4096
	mergeShare = 8
)

// compareKeys orders keys as their bytes do, compared as two big-endian words.
func compareKeys(a, b CommandKey) int {
	if c := cmp.Compare(binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(b[:8])); c != 0 {
		return c
	}
	return cmp.Compare(binary.BigEndian.Uint64(a[8:]), binary.BigEndian.Uint64(b[8:]))
}

func (s *keySet) has(k CommandKey) bool {
	if _, ok := s.recent[k]; ok {
		return true
	}
	_, found := slices.BinarySearchFunc(s.sorted, k, compareKeys)
	return found
}

// add adds k and reports whether the recent keys are due to be merged.
func (s *keySet) add(k CommandKey) (mergeDue bool) {
	if s.recent == nil {
		s.recent = map[CommandKey]struct{}{}
	}
	s.recent[k] = struct{}{}
	return len(s.recent) >= max(minMerge, len(s.sorted)/mergeShare)
}

// len counts each key once: the recent keys that are in sorted too are searched for.
func (s *keySet) len() int {
	n := len(s.sorted)
	for k := range s.recent {
		if _, found := slices.BinarySearchFunc(s.sorted, k, compareKeys); !found {
			n++
		}
	}
	return n
}

// recentKeys returns a copy of the recent keys, in no order.
func (s *keySet) recentKeys() []CommandKey {
	return slices.AppendSeq(make([]CommandKey, 0, len(s.recent)), maps.Keys(s.recent))
}

// merged returns a and b, both ascending and without duplicates, merged into a new
// slice: ascending, without duplicates.
func merged(a, b []CommandKey) []CommandKey {
	out := make([]CommandKey, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		switch c := compareKeys(a[0], b[0]); {
		case c < 0:
			out, a = append(out, a[0]), a[1:]
		case c > 0:
			out, b = append(out, b[0]), b[1:]
		default:
			out, a, b = append(out, a[0]), a[1:], b[1:]
		}
	}
	out = append(out, a...)
	return append(out, b...)
}

// sortedUnique sorts keys in place and drops repeats, unless they are already sorted
// and unique: a snapshot written before the keys were kept sorted holds them in a
// map's order.
func sortedUnique(keys []CommandKey) []CommandKey {
	for i := 1; i < len(keys); i++ {
		if compareKeys(keys[i-1], keys[i]) >= 0 {
			slices.SortFunc(keys, compareKeys)
			return slices.Compact(keys)
		}
	}
	return keys
}

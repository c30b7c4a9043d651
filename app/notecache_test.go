package app

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/projections"
)

func caseWithNotes(id string, revs ...uint64) *projections.CaseView {
	v := &projections.CaseView{ID: id}
	for _, r := range revs {
		v.Notes = append(v.Notes, projections.NewNoteView(fmt.Sprintf("n%d", r), "", time.Time{}, r))
	}
	return v
}

func sealedTexts(n int) []codec.Personal {
	out := make([]codec.Personal, n)
	for i := range out {
		out[i] = codec.Personal{EventID: fmt.Sprintf("e%d", i), Data: json.RawMessage(`{"ct":"c2VhbGVk"}`)}
	}
	return out
}

// Texts kept for exactly a case's notes are answered without the store (a nil store
// here: touching it would panic); a note added since, another case, or an entry
// evicted or dropped are not.
func TestNoteTextCache(t *testing.T) {
	c := newNoteTextCache(1 << 20)
	c.put(&noteTexts{caseID: "a", notes: 2, lastRev: 5, texts: sealedTexts(2), size: textsSize("a", sealedTexts(2))})
	got, err := c.get(context.Background(), nil, caseWithNotes("a", 3, 5))
	if err != nil || len(got) != 2 {
		t.Fatalf("cached texts: %v, %v", got, err)
	}
	for name, v := range map[string]*projections.CaseView{
		"a note added since": caseWithNotes("a", 3, 5, 7),
		"another case":       caseWithNotes("b", 3, 5),
	} {
		if hit(c, v) {
			t.Errorf("%s: answered from the cache", name)
		}
	}
	c.drop("a")
	if hit(c, caseWithNotes("a", 3, 5)) || c.size != 0 {
		t.Errorf("dropped entry still there (size %d)", c.size)
	}
}

// The cache holds at most its bytes: the least recently used case goes first.
func TestNoteTextCacheEvictsLeastRecentlyUsed(t *testing.T) {
	one := textsSize("a", sealedTexts(3))
	c := newNoteTextCache(2*one + one/2)
	for _, id := range []string{"a", "b"} {
		c.put(&noteTexts{caseID: id, notes: 3, lastRev: 9, texts: sealedTexts(3), size: textsSize(id, sealedTexts(3))})
	}
	if !hit(c, caseWithNotes("a", 1, 2, 9)) { // a is now the most recently used
		t.Fatal("a not cached")
	}
	c.put(&noteTexts{caseID: "c", notes: 3, lastRev: 9, texts: sealedTexts(3), size: textsSize("c", sealedTexts(3))})
	if hit(c, caseWithNotes("b", 1, 2, 9)) || !hit(c, caseWithNotes("a", 1, 2, 9)) || !hit(c, caseWithNotes("c", 1, 2, 9)) {
		t.Error("evicted the wrong case")
	}
	if c.size > c.max {
		t.Errorf("size %d above its bound %d", c.size, c.max)
	}
	// An entry larger than the whole cache is not kept (and evicts nothing).
	c.put(&noteTexts{caseID: "huge", notes: 1, lastRev: 1, size: c.max + 1})
	if hit(c, caseWithNotes("huge", 1)) || !hit(c, caseWithNotes("a", 1, 2, 9)) {
		t.Error("an entry above the bound changed the cache")
	}
}

// hit reports whether v's texts come from the cache (a miss would read the nil store
// and panic: recovered as a miss).
func hit(c *noteTextCache, v *projections.CaseView) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	_, err := c.get(context.Background(), nil, v)
	return err == nil
}

package eventstore

import (
	"strings"
	"testing"
	"unsafe"
)

func TestInternReturnsTheStringMadeBefore(t *testing.T) {
	first := intern([]byte("CaseNoteAdded"))
	again := intern([]byte("CaseNoteAdded"))
	if first != "CaseNoteAdded" || again != first {
		t.Fatalf("intern gave %q then %q", first, again)
	}
	if unsafe.StringData(first) != unsafe.StringData(again) {
		t.Error("the same bytes made a second string")
	}
	// Other bytes, long ones and the empty string are themselves, whatever the slots hold.
	for _, s := range []string{"caseworker", "", strings.Repeat("x", internMax+1), "CaseNoteAdde"} {
		if got := intern([]byte(s)); got != s {
			t.Errorf("intern(%q) = %q", s, got)
		}
	}
}

// The bytes interned are copied: changing them later changes nothing interned.
func TestInternCopies(t *testing.T) {
	b := []byte("organisation-a")
	s := intern(b)
	b[0] = 'X'
	if s != "organisation-a" || intern([]byte("organisation-a")) != "organisation-a" {
		t.Errorf("interned %q changed with its bytes", s)
	}
}

func BenchmarkDecodeRecord(b *testing.B) {
	raw := canonicalSamples(b)[1]
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := DecodeRecord(raw); err != nil {
			b.Fatal(err)
		}
	}
}

package codec_test

import (
	"bytes"
	"reflect"
	"testing"
	"unsafe"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/internal/testkit"
)

// DecodeShared gives what Decode gives for every stored event type, its extras in the
// record's own bytes (capped: appending to one never writes over the record), and
// Clone gives them back as copies.
func TestDecodeSharedIsDecodeWithoutCopies(t *testing.T) {
	sharedSeen := false
	for _, rec := range testkit.EventFixture(t, "testdata/fixture-v1.jsonl") {
		e, extras, err := codec.Decode(rec)
		se, shared, serr := codec.DecodeShared(rec)
		if (err == nil) != (serr == nil) || !reflect.DeepEqual(e, se) || !reflect.DeepEqual(extras, shared) {
			t.Fatalf("%s: Decode %v %+v %v; DecodeShared %v %+v %v", rec.Type, e, extras, err, se, shared, serr)
		}
		for _, p := range [][2][]byte{{extras.Personal.Data, shared.Personal.Data}, {extras.BlindIndex.Data, shared.BlindIndex.Data}} {
			copied, aliased := p[0], p[1]
			if len(aliased) == 0 {
				continue
			}
			sharedSeen = true
			if within(copied, rec.Data) || !within(aliased, rec.Data) || cap(aliased) != len(aliased) {
				t.Fatalf("%s: Decode's extras in the record %v, DecodeShared's %v (cap %d of %d)",
					rec.Type, within(copied, rec.Data), within(aliased, rec.Data), cap(aliased), len(aliased))
			}
		}
		cloned := shared.Clone()
		if !reflect.DeepEqual(cloned, extras) || within(cloned.Personal.Data, rec.Data) || within(cloned.BlindIndex.Data, rec.Data) {
			t.Fatalf("%s: Clone %+v, want copies of %+v", rec.Type, cloned, extras)
		}
	}
	if !sharedSeen {
		t.Fatal("no event of the fixture has personal data")
	}
}

// within reports whether b is a slice of buf's memory.
func within(b, buf []byte) bool {
	if len(b) == 0 || len(buf) == 0 {
		return false
	}
	start, end := uintptr(unsafe.Pointer(unsafe.SliceData(buf))), uintptr(unsafe.Pointer(unsafe.SliceData(buf)))+uintptr(len(buf))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return p >= start && p < end && bytes.Equal(b, buf[p-start:int(p-start)+len(b)])
}

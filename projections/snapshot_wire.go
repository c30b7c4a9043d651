package projections

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/eventstore"
)

// The snapshot's values are written by hand, field by field (snapshot_cases.go,
// snapshot_models.go), with these primitives: uvarints and zig-zag varints, strings
// written once per section and then by number (stages, event types, organisation ids,
// enum values repeat on every case), times as seconds and nanoseconds. Loading is
// what a restart waits for: this is several times faster to read than encoding/gob
// (which spends most of its time in reflection over the case's maps), and a read
// string is shared by every view that has it.
//
// A nil slice or map is written as 0 and an empty one as 1 (otherwise length+1), so a
// view reads back exactly as it was.

// errMalformed: a section does not read as what the writer writes (with a checksum
// that held, this is a bug in the writer or the reader, or an old layout).
var errMalformed = errors.New("malformed snapshot section")

// enc appends one section's values to b.
type enc struct {
	b    []byte
	strs map[string]uint64 // strings written so far in this section → their number
}

func newEnc() *enc { return &enc{strs: map[string]uint64{}} }

func (e *enc) uvarint(u uint64) { e.b = binary.AppendUvarint(e.b, u) }
func (e *enc) varint(i int64)   { e.b = binary.AppendVarint(e.b, i) }
func (e *enc) int(i int)        { e.varint(int64(i)) }

func (e *enc) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

// bytes writes b as it is: sealed data, keys.
func (e *enc) bytes(b []byte) {
	e.uvarint(uint64(len(b)))
	e.b = append(e.b, b...)
}

// str writes s once per section; afterwards only its number.
func (e *enc) str(s string) {
	if n, ok := e.strs[s]; ok {
		e.uvarint(n + 1)
		return
	}
	e.strs[s] = uint64(len(e.strs))
	e.uvarint(0)
	e.uvarint(uint64(len(s)))
	e.b = append(e.b, s...)
}

// unique writes a string no other value of the section repeats (an event's id): as it
// is, keeping it out of the section's table, which it would only grow.
func (e *enc) unique(s string) {
	e.uvarint(uint64(len(s)))
	e.b = append(e.b, s...)
}

// length writes a slice's or map's length, telling nil from empty.
func (e *enc) length(n int, isNil bool) {
	if isNil {
		e.uvarint(0)
		return
	}
	e.uvarint(uint64(n) + 1)
}

// Time kinds: the zero time, a time in UTC (every time the domain records), a time
// at another fixed offset.
const (
	timeZero = iota
	timeUTC
	timeZone
)

func (e *enc) time(t time.Time) {
	switch {
	case t.IsZero():
		e.b = append(e.b, timeZero)
		return
	case t.Location() == time.UTC:
		e.b = append(e.b, timeUTC)
	default:
		name, offset := t.Zone()
		e.b = append(e.b, timeZone)
		e.str(name)
		e.int(offset)
	}
	e.varint(t.Unix())
	e.uvarint(uint64(t.Nanosecond()))
}

func (e *enc) position(p eventstore.Position) {
	major, minor := p.Parts()
	e.uvarint(major)
	e.uvarint(minor)
}

func (e *enc) personal(p codec.Personal) {
	e.unique(p.EventID)
	e.int(p.SchemaVersion)
	e.length(len(p.Data), p.Data == nil)
	e.b = append(e.b, p.Data...)
}

// dec reads one section. The first error sticks: every later read returns zero
// values, and the section's reader checks err once at the end.
type dec struct {
	b    []byte
	off  int
	strs []string
	// syms holds, beside each string of strs, its number in the process's symbol
	// table plus one (0: not looked up yet): a journey's strings repeat at every
	// step, and the table's map is looked up once per string, not per step.
	syms []uint32
	err  error

	// Where a case chunk's journeys, notes and sealed blobs are cut from
	// (snapshot_slab.go).
	steps slab[Step]
	notes slab[NoteView]
	blobs slab[byte]
}

func (d *dec) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s at byte %d", errMalformed, what, d.off)
	}
}

func (d *dec) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	u, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.fail("bad uvarint")
		return 0
	}
	d.off += n
	return u
}

func (d *dec) varint() int64 {
	if d.err != nil {
		return 0
	}
	i, n := binary.Varint(d.b[d.off:])
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.off += n
	return i
}

func (d *dec) int() int { return int(d.varint()) }

func (d *dec) byte() byte {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.b) {
		d.fail("truncated")
		return 0
	}
	c := d.b[d.off]
	d.off++
	return c
}

func (d *dec) bool() bool { return d.byte() == 1 }

// take returns the next n bytes, aliasing the section.
func (d *dec) take(n uint64) []byte {
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)-d.off) {
		d.fail("truncated")
		return nil
	}
	b := d.b[d.off : d.off+int(n) : d.off+int(n)]
	d.off += int(n)
	return b
}

// bytes returns a copy: a view keeps no more than its own bytes alive.
func (d *dec) bytes() []byte {
	b := d.take(d.uvarint())
	return append([]byte(nil), b...)
}

func (d *dec) str() string {
	n := d.uvarint()
	if n > 0 {
		if n > uint64(len(d.strs)) {
			d.fail("unknown string")
			return ""
		}
		return d.strs[n-1]
	}
	s := string(d.take(d.uvarint()))
	if d.err == nil {
		d.strs = append(d.strs, s)
		d.syms = append(d.syms, 0)
	}
	return s
}

// symbol reads what enc.str wrote and returns its number in the process's symbol
// table: symbols.id(d.str()), with the table looked up once per string of the
// section.
func (d *dec) symbol() uint32 {
	n := d.uvarint()
	var i int
	switch {
	case n > uint64(len(d.strs)):
		d.fail("unknown string")
		return 0
	case n > 0:
		i = int(n - 1)
	default:
		s := string(d.take(d.uvarint()))
		if d.err != nil {
			return 0
		}
		d.strs = append(d.strs, s)
		d.syms = append(d.syms, 0)
		i = len(d.strs) - 1
	}
	if c := d.syms[i]; c != 0 {
		return c - 1
	}
	id := symbols.id(d.strs[i])
	d.syms[i] = id + 1
	return id
}

// unique reads what enc.unique wrote.
func (d *dec) unique() string { return string(d.take(d.uvarint())) }

// compactID writes c: 0 and the UUID's 16 bytes, or the id's length plus one and the
// id (a note's id is a UUID: 17 bytes in place of 37).
func (e *enc) compactID(c compactID) {
	if c.other == 0 {
		e.b = append(append(e.b, 0), c.uuid[:]...)
		return
	}
	s := symbols.name(c.other - 1)
	e.uvarint(uint64(len(s)) + 1)
	e.b = append(e.b, s...)
}

// compactID reads what enc.compactID wrote.
func (d *dec) compactID() compactID {
	n := d.uvarint()
	if n == 0 {
		return compactID{uuid: [16]byte(d.take16())}
	}
	return compactIDFrom(d.take(n - 1))
}

// take16 is take(16), never shorter: zeros past a failure.
func (d *dec) take16() []byte {
	if b := d.take(16); len(b) == 16 {
		return b
	}
	return make([]byte, 16)
}

// length reads what enc.length wrote: the length, and whether it was nil. A length
// beyond the bytes left is refused before anything is allocated for it (each entry
// takes at least a byte).
func (d *dec) length() (n int, isNil bool) {
	u := d.uvarint()
	if u == 0 {
		return 0, true
	}
	if u-1 > uint64(len(d.b)-d.off) {
		d.fail("length beyond the section")
		return 0, true
	}
	return int(u - 1), false
}

func (d *dec) time() time.Time {
	var zone *time.Location
	switch d.byte() {
	case timeZero:
		return time.Time{}
	case timeUTC:
	case timeZone:
		name := d.str()
		zone = time.FixedZone(name, d.int())
	default:
		d.fail("bad time kind")
		return time.Time{}
	}
	sec, nsec := d.varint(), d.uvarint()
	if nsec >= uint64(time.Second) {
		d.fail("bad nanoseconds")
		return time.Time{}
	}
	if zone == nil {
		return time.Unix(sec, int64(nsec)).UTC()
	}
	return time.Unix(sec, int64(nsec)).In(zone)
}

func (d *dec) position() eventstore.Position {
	major := d.uvarint()
	return eventstore.NewPosition(major, d.uvarint())
}

func (d *dec) personal() codec.Personal {
	p := codec.Personal{EventID: d.unique(), SchemaVersion: d.int()}
	n, isNil := d.length()
	if !isNil {
		p.Data = d.blobs.take(n)
		copy(p.Data, d.take(uint64(n)))
	}
	return p
}

// Lists and maps of any value, each entry written by f.

func encList[T any](e *enc, xs []T, f func(*enc, T)) {
	e.length(len(xs), xs == nil)
	for _, x := range xs {
		f(e, x)
	}
}

func decList[T any](d *dec, f func(*dec) T) []T {
	n, isNil := d.length()
	if isNil {
		return nil
	}
	xs := make([]T, n)
	for i := range xs {
		xs[i] = f(d)
	}
	return xs
}

// decListIn is decList with the list cut from s.
func decListIn[T any](d *dec, s *slab[T], f func(*dec) T) []T {
	n, isNil := d.length()
	if isNil {
		return nil
	}
	xs := s.take(n)
	for i := range xs {
		xs[i] = f(d)
	}
	return xs
}

func encMap[K ~string, V any](e *enc, m map[K]V, f func(*enc, V)) {
	e.length(len(m), m == nil)
	for k, v := range m {
		e.str(string(k))
		f(e, v)
	}
}

func decMap[K ~string, V any](d *dec, f func(*dec) V) map[K]V {
	n, isNil := d.length()
	if isNil {
		return nil
	}
	m := make(map[K]V, n)
	for range n {
		k := K(d.str())
		m[k] = f(d)
	}
	return m
}

// Strings of the domain's own string types (stages, enums, ids).

func encStr[T ~string](e *enc, s T) { e.str(string(s)) }
func decStr[T ~string](d *dec) T    { return T(d.str()) }

func encStrs[T ~string](e *enc, xs []T) { encList(e, xs, encStr[T]) }
func decStrs[T ~string](d *dec) []T     { return decList(d, decStr[T]) }

package projections

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/internal/fsync"
)

// A snapshot file holds every read model at one checkpoint, so that a start loads it
// and applies only the events after it instead of the whole log.
//
//	magic    8 bytes, "WMRKSNAP"
//	version  2 bytes, big-endian: snapshotVersion
//	layout  32 bytes: SHA-256 of the shape of what is stored (snapshotLayout)
//	sections, each: kind (1 byte), uvarint length, that many bytes; kind 0 ends them
//	MAC     32 bytes: HMAC-SHA256 of everything before it
//
// Sections, in order: the header (the checkpoint: position, stream, revision and hash
// of the last event applied; when it was written), the organisations, the revocations,
// the command keys, then the cases in chunks of caseChunk views. Each section has its
// own string table (snapshot_wire.go), so chunks decode in parallel.
//
// What is in it: the views as the read models hold them, with personal data sealed
// as the events stored it (under each case's key: erasure destroys the key, and with
// it whatever a snapshot holds of the case) and the blind indexes sealed as stored
// too, opened again on load. No clear personal value, and no token of the blind index,
// is ever written (TestSnapshotHoldsNoClearPersonalData).
//
// The MAC is keyed with a key derived from the service's hash key: a snapshot is also
// where revocations and the directory come from at a start, so a file anyone could
// write must not be trusted, and a snapshot written under another key (whose command
// keys would not match) is discarded.
//
// Change snapshotVersion when the encoding changes, or when a fold changes what it
// computes from the same events (the views of an older snapshot would disagree with a
// rebuild). A change in the shape of the views or of the domain's state or event table
// changes the layout's fingerprint by itself. Either way older snapshots are
// discarded, and the read models rebuilt from the log.
const (
	snapshotMagic   = "WMRKSNAP"
	snapshotVersion = 6 // 2: journeys compact, notes without their texts; 3: disputes' due dates, transfers; 4: notes' ids in 16 bytes; 5: the dashboard's figures; 6: organisations' survey answers
	snapshotFile    = "readmodels.snap"
	caseChunk       = 1024
	macSize         = sha256.Size
)

// Section kinds.
const (
	sectionEnd = iota
	sectionHeader
	sectionOrganisations
	sectionRevocations
	sectionCommands
	sectionCases
	sectionDashboard
)

// Why a snapshot was not loaded. Each is wrapped with detail, never with its contents.
var (
	// ErrNoSnapshot: there is no snapshot file.
	ErrNoSnapshot = errors.New("no snapshot")
	// ErrSnapshotFormat: written in another format version or layout.
	ErrSnapshotFormat = errors.New("snapshot of another format")
	// ErrSnapshotCorrupt: truncated, changed, not authenticated by our key, or does not
	// read.
	ErrSnapshotCorrupt = errors.New("snapshot corrupt")
	// ErrSnapshotForeign: its checkpoint is not in this store (beyond the head, or
	// another event there): a store that was reset, or another store.
	ErrSnapshotForeign = errors.New("snapshot of another store")
)

// snapshotKey derives the MAC key from the service's hash key.
func snapshotKey(hashKey []byte) []byte {
	mac := hmac.New(sha256.New, hashKey)
	mac.Write([]byte("waymark read-model snapshot"))
	return mac.Sum(nil)
}

// snapshotLayout fingerprints the shape of the stored views and the domain's event
// table (types, schema versions and their fields).
var snapshotLayout = sync.OnceValue(func() [32]byte {
	var b strings.Builder
	seen := map[reflect.Type]bool{}
	for _, t := range []reflect.Type{reflect.TypeFor[CaseView](), reflect.TypeFor[OrganisationView](), reflect.TypeFor[CommandKey]()} {
		describeType(&b, t, seen)
		b.WriteByte('\n')
	}
	for _, spec := range domain.Events() {
		fmt.Fprintf(&b, "%s@%d ", spec.Type, spec.SchemaVersion)
		describeType(&b, spec.GoType, seen)
		b.WriteByte('\n')
	}
	return sha256.Sum256([]byte(b.String()))
})

// describeType writes t's shape: its exported fields, recursively.
func describeType(b *strings.Builder, t reflect.Type, seen map[reflect.Type]bool) {
	if t == reflect.TypeFor[time.Time]() {
		b.WriteString("time")
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		b.WriteString(t.String())
		if seen[t] {
			return
		}
		seen[t] = true
		b.WriteByte('{')
		// Unexported fields too: a view holds some of its data in them (a note's
		// compact id), and one that is not written costs only a discard.
		for i := range t.NumField() {
			f := t.Field(i)
			b.WriteString(f.Name + " ")
			describeType(b, f.Type, seen)
			b.WriteByte(';')
		}
		b.WriteByte('}')
	case reflect.Pointer:
		b.WriteByte('*')
		describeType(b, t.Elem(), seen)
	case reflect.Slice:
		b.WriteString("[]")
		describeType(b, t.Elem(), seen)
	case reflect.Array:
		fmt.Fprintf(b, "[%d]", t.Len())
		describeType(b, t.Elem(), seen)
	case reflect.Map:
		b.WriteString("map[")
		describeType(b, t.Key(), seen)
		b.WriteByte(']')
		describeType(b, t.Elem(), seen)
	default:
		b.WriteString(t.String() + ":" + t.Kind().String())
	}
}

// snapshotWriter writes sections to w and MACs everything it writes.
type snapshotWriter struct {
	w   io.Writer
	mac hash.Hash
	n   int64
	err error
}

func (sw *snapshotWriter) write(p []byte) {
	if sw.err != nil {
		return
	}
	sw.mac.Write(p)
	n, err := sw.w.Write(p)
	sw.n += int64(n)
	sw.err = err
}

// finish writes the MAC of everything written.
func (sw *snapshotWriter) finish() {
	sum := sw.mac.Sum(nil)
	if sw.err == nil {
		var n int
		n, sw.err = sw.w.Write(sum)
		sw.n += int64(n)
	}
}

func (sw *snapshotWriter) section(kind byte, body []byte) {
	sw.write(binary.AppendUvarint([]byte{kind}, uint64(len(body))))
	sw.write(body)
}

// encodeSnapshot writes m to w and returns the bytes written.
func encodeSnapshot(w io.Writer, key []byte, m *readModels) (int64, error) {
	sw := &snapshotWriter{w: w, mac: hmac.New(sha256.New, key)}
	layout := snapshotLayout()
	sw.write(binary.BigEndian.AppendUint16([]byte(snapshotMagic), snapshotVersion))
	sw.write(layout[:])

	e := newEnc()
	e.position(m.checkpoint.Position)
	e.str(m.checkpoint.Stream)
	e.uvarint(m.checkpoint.Revision)
	e.str(m.checkpoint.Hash)
	e.time(time.Now().UTC())
	e.uvarint(uint64(len(m.cases)))
	sw.section(sectionHeader, e.b)

	e = newEnc()
	encOrganisations(e, m.orgs)
	sw.section(sectionOrganisations, e.b)
	e = newEnc()
	encRevocations(e, m.tokens, m.subjects)
	sw.section(sectionRevocations, e.b)
	e = newEnc()
	encCommands(e, m.commands)
	sw.section(sectionCommands, e.b)
	sw.section(sectionDashboard, m.figures)
	var buf []byte
	for chunk := range slices.Chunk(m.cases, caseChunk) {
		e = &enc{b: buf[:0], strs: map[string]uint64{}}
		encList(e, chunk, encCase)
		sw.section(sectionCases, e.b)
		buf = e.b
	}
	sw.write([]byte{sectionEnd})
	sw.finish()
	if sw.err != nil {
		return sw.n, fmt.Errorf("write snapshot: %w", sw.err)
	}
	return sw.n, nil
}

// parsedSnapshot is a snapshot file checked and split into its sections, not yet
// decoded.
type parsedSnapshot struct {
	checkpoint Checkpoint
	writtenAt  time.Time
	cases      int
	sections   map[byte][]byte // the single sections by kind
	caseChunks [][]byte
}

// parseSnapshot checks raw's format and MAC, reads its header and splits the rest.
func parseSnapshot(raw, key []byte) (*parsedSnapshot, error) {
	return parseSnapshotSummed(raw, func() []byte {
		return snapshotMAC(key, raw[:len(raw)-macSize])
	})
}

// parseSnapshotSummed is parseSnapshot with the MAC of raw's body from bodyMAC, asked
// for once the header is checked (readSnapshotFile computes it while it reads).
func parseSnapshotSummed(raw []byte, bodyMAC func() []byte) (*parsedSnapshot, error) {
	prefix := len(snapshotMagic) + 2 + sha256.Size
	if len(raw) < prefix+1+macSize || string(raw[:len(snapshotMagic)]) != snapshotMagic {
		return nil, fmt.Errorf("%w: no snapshot header (%d bytes)", ErrSnapshotCorrupt, len(raw))
	}
	if v := binary.BigEndian.Uint16(raw[len(snapshotMagic):]); v != snapshotVersion {
		return nil, fmt.Errorf("%w: version %d, this release reads %d", ErrSnapshotFormat, v, snapshotVersion)
	}
	if layout := snapshotLayout(); !bytes.Equal(raw[len(snapshotMagic)+2:prefix], layout[:]) {
		return nil, fmt.Errorf("%w: the read models' layout changed since it was written", ErrSnapshotFormat)
	}
	body, sum := raw[:len(raw)-macSize], raw[len(raw)-macSize:]
	if !hmac.Equal(bodyMAC(), sum) {
		return nil, fmt.Errorf("%w: checksum does not match (truncated, changed, or written under another key)", ErrSnapshotCorrupt)
	}

	p := &parsedSnapshot{sections: map[byte][]byte{}}
	d := &dec{b: body, off: prefix}
	for {
		kind := d.byte()
		if kind == sectionEnd || d.err != nil {
			break
		}
		s := d.take(d.uvarint())
		if kind == sectionCases {
			p.caseChunks = append(p.caseChunks, s)
		} else {
			p.sections[kind] = s
		}
	}
	if d.err == nil && d.off != len(body) {
		d.fail("bytes after the last section")
	}
	h := &dec{b: p.sections[sectionHeader]}
	p.checkpoint = Checkpoint{Position: h.position(), Stream: h.str(), Revision: h.uvarint(), Hash: h.str()}
	p.writtenAt = h.time()
	p.cases = int(h.uvarint())
	if err := errors.Join(d.err, h.err); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSnapshotCorrupt, err)
	}
	return p, nil
}

// writeSnapshotFile writes m to path atomically: a temporary file in the same
// directory, written and fsynced, renamed over path, then the directory fsynced. A
// crash at any point leaves the old snapshot or the new one, never a mix (and maybe
// a temporary file, removed at the next load).
func writeSnapshotFile(path string, key []byte, m *readModels) (int64, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, fmt.Errorf("snapshot directory: %w", err)
	}
	f, err := os.CreateTemp(dir, tempPattern)
	if err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	tmp := f.Name()
	fail := func(err error) (int64, error) {
		f.Close()
		os.Remove(tmp)
		return 0, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	n, err := encodeSnapshot(bw, key, m)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		return fail(fmt.Errorf("snapshot %s: %w", tmp, err))
	}
	if err := f.Close(); err != nil {
		return fail(fmt.Errorf("snapshot %s: %w", tmp, err))
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	if err := fsync.Path(dir); err != nil {
		return n, fmt.Errorf("snapshot: %w", err)
	}
	return n, nil
}

// tempPattern names snapshots being written.
const tempPattern = ".readmodels-*.tmp"

// removeTemps removes what a write interrupted by a crash left.
func removeTemps(dir string) {
	leftovers, _ := filepath.Glob(filepath.Join(dir, tempPattern))
	for _, path := range leftovers {
		os.Remove(path)
	}
}

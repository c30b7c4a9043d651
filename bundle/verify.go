package bundle

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"

	"github.com/waymark-org/waymark/audit"
	"github.com/waymark-org/waymark/eventstore"
)

// Report is what a verified bundle holds.
type Report struct {
	CaseID      string
	Events      int
	Head        audit.Head
	Checkpoints int    // in the bundle, all verified with the pinned key
	Naming      int    // of those, the ones that name the case's stream
	Covered     uint64 // events up to the last checkpointed head (revision + 1)
	// KeyInBundle: whether the bundle carries an audit key, and whether it is the
	// pinned one (informative: never relied on).
	KeyInBundle, KeyMatches bool
}

// Verify checks b with nothing but the pinned audit key: every member against its
// digest in the manifest, the events' chain, the manifest's events and head against
// the events, the checkpoints' signatures and sequence, and that every head they give
// for the case is the hash of the case's event at that revision. The first failure is
// returned, wrapping ErrDigest, ErrManifest, ErrUncovered, audit.ErrBroken (a
// *audit.Break) or audit.ErrSignature.
func Verify(b Bundle, pinned ed25519.PublicKey) (Report, error) {
	m := b.Manifest
	if len(pinned) != ed25519.PublicKeySize {
		return Report{}, fmt.Errorf("%w: a bundle is only verified with an Ed25519 audit key you pin", audit.ErrSignature)
	}
	if err := checkMembers(b); err != nil {
		return Report{}, err
	}
	stream := eventstore.StreamName(eventstore.KindCase, m.CaseID)
	if m.CaseID == "" || m.Stream != stream {
		return Report{}, fmt.Errorf("%w: it names case %q and stream %q", ErrManifest, m.CaseID, m.Stream)
	}
	events, err := readEvents(b.Members[EventsName])
	if err != nil {
		return Report{}, err
	}
	head, err := audit.CheckStream(stream, events)
	if err != nil {
		return Report{}, err
	}
	if len(m.Events) != len(events) {
		return Report{}, fmt.Errorf("%w: it lists %d events, the bundle holds %d", ErrManifest, len(m.Events), len(events))
	}
	for i, e := range events {
		if want := m.Events[i]; want.Revision != e.Revision || want.Hash != e.Metadata.Hash {
			return Report{}, fmt.Errorf("%w: it gives revision %d hash %s, the event there is revision %d hash %s",
				ErrManifest, want.Revision, want.Hash, e.Revision, e.Metadata.Hash)
		}
	}
	if m.Head != head {
		return Report{}, fmt.Errorf("%w: it gives the head as revision %d hash %s, the events end at revision %d hash %s",
			ErrManifest, m.Head.Revision, m.Head.Hash, head.Revision, head.Hash)
	}
	cps, err := readCheckpoints(b.Members[CheckpointsName])
	if err != nil {
		return Report{}, err
	}
	if err := audit.CheckSequence(cps, pinned); err != nil {
		return Report{}, err
	}
	r := Report{CaseID: m.CaseID, Events: len(events), Head: head, Checkpoints: len(cps)}
	for _, c := range cps {
		want, ok := c.Heads[stream]
		if !ok {
			continue
		}
		if want.Revision >= uint64(len(events)) {
			return Report{}, &audit.Break{Stream: stream, Revision: want.Revision, Problem: fmt.Sprintf("events covered by checkpoint %d are missing", c.Sequence),
				Expected: fmt.Sprintf("revision %d", want.Revision), Found: fmt.Sprintf("revision %d", head.Revision)}
		}
		if got := events[want.Revision].Metadata.Hash; got != want.Hash {
			return Report{}, &audit.Break{Stream: stream, Revision: want.Revision, Problem: fmt.Sprintf("differs from checkpoint %d", c.Sequence), Expected: want.Hash, Found: got}
		}
		r.Naming++
		r.Covered = max(r.Covered, want.Revision+1)
	}
	if r.Naming == 0 {
		return Report{}, fmt.Errorf("%w %s: its events are chained, but a chain can be recomputed by anyone who rewrites it (make a checkpoint, then export again)", ErrUncovered, m.CaseID)
	}
	if len(cps) > 0 {
		if _, ok := cps[0].Heads[stream]; !ok {
			return Report{}, fmt.Errorf("%w: the first checkpoint in the bundle (%d) does not name the case", ErrManifest, cps[0].Sequence)
		}
	}
	if key, ok := b.Members[KeyName]; ok {
		r.KeyInBundle = true
		r.KeyMatches = keyMatches(key, pinned)
	}
	return r, nil
}

// checkMembers compares every member with the manifest's digest and size: each
// listed member present with its digest, none unlisted, the events and checkpoints
// always listed.
func checkMembers(b Bundle) error {
	listed := map[string]bool{}
	for _, mem := range b.Manifest.Members {
		if listed[mem.Name] || !known[mem.Name] || mem.Name == ManifestName {
			return fmt.Errorf("%w: it lists %q as a member", ErrManifest, mem.Name)
		}
		listed[mem.Name] = true
		data, ok := b.Members[mem.Name]
		if !ok {
			return fmt.Errorf("%w: %s is listed but missing (the bundle is truncated, or it was taken out)", ErrManifest, mem.Name)
		}
		if got := digest(data); got != mem.SHA256 || int64(len(data)) != mem.Bytes {
			return fmt.Errorf("%w: %s has SHA-256 %s (%d bytes), the manifest gives %s (%d bytes)", ErrDigest, mem.Name, got, len(data), mem.SHA256, mem.Bytes)
		}
	}
	for name := range b.Members {
		if !listed[name] {
			return fmt.Errorf("%w: %s is in the bundle but not in the manifest", ErrManifest, name)
		}
	}
	for _, name := range []string{EventsName, CheckpointsName} {
		if !listed[name] {
			return fmt.Errorf("%w: it lists no %s", ErrManifest, name)
		}
	}
	return nil
}

// readEvents decodes events.ndjson: one stored event a line, its hash recomputed from
// the line's bytes.
func readEvents(data []byte) ([]eventstore.RecordedEvent, error) {
	var out []eventstore.RecordedEvent
	for i, line := range lines(data) {
		e, err := eventstore.DecodeRecord(line)
		if err != nil {
			return nil, fmt.Errorf("%w: %s line %d: %v", audit.ErrBroken, EventsName, i+1, err)
		}
		out = append(out, e)
	}
	return out, nil
}

func readCheckpoints(data []byte) ([]audit.Checkpoint, error) {
	var out []audit.Checkpoint
	for i, line := range lines(data) {
		var c audit.Checkpoint
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("%w: %s line %d is not a checkpoint (%v)", audit.ErrSignature, CheckpointsName, i+1, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// lines splits NDJSON into its lines (copies), the last newline optional.
func lines(data []byte) [][]byte {
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), MaxMember)
	for sc.Scan() {
		out = append(out, bytes.Clone(sc.Bytes()))
	}
	return out
}

// keyMatches reports whether a PEM public key is the pinned one.
func keyMatches(pemData []byte, pinned ed25519.PublicKey) bool {
	k, err := parsePublicKey(pemData)
	return err == nil && k.Equal(pinned)
}

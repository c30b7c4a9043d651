package bundle

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/waymark-org/waymark/audit"
	"github.com/waymark-org/waymark/eventstore"
)

// Contents is what goes into a bundle.
type Contents struct {
	CaseID      string
	CreatedAt   time.Time
	Events      []eventstore.RecordedEvent // the whole stream from revision 0, with Raw
	Checkpoints []audit.Checkpoint         // oldest first
	AuditKeyPEM []byte                     // informative; nil leaves the member out
}

// ErrNoCase is a case with no events in the store.
var ErrNoCase = errors.New("no such case")

// Build reads a case's events and the checkpoints that cover them from store: every
// stored checkpoint from the first whose heads name the case's stream on (the later
// ones need not name it: they vouch, through Previous, for the ones that do).
func Build(ctx context.Context, store eventstore.Store, caseID string, now time.Time) (Contents, error) {
	stream := eventstore.StreamName(eventstore.KindCase, caseID)
	events, err := store.ReadStream(ctx, stream, 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) || err == nil && len(events) == 0 {
		return Contents{}, fmt.Errorf("case %q: %w", caseID, ErrNoCase)
	}
	if err != nil {
		return Contents{}, fmt.Errorf("read case %s: %w", caseID, err)
	}
	stored, err := audit.StoredCheckpoints(ctx, store)
	if err != nil {
		return Contents{}, err
	}
	c := Contents{CaseID: caseID, CreatedAt: now.UTC(), Events: events}
	for i, cp := range stored {
		if _, ok := cp.Heads[stream]; ok {
			c.Checkpoints = stored[i:]
			break
		}
	}
	return c, nil
}

// Write writes c as a bundle to w: the manifest first (what a reader looks at),
// then the members it gives the digests of, each with a fixed header so the same
// contents always give the same bytes.
func Write(w io.Writer, c Contents) error {
	if len(c.Events) == 0 {
		return fmt.Errorf("bundle of case %q: %w", c.CaseID, ErrNoCase)
	}
	var events, checkpoints bytes.Buffer
	m := Manifest{Format: Format, Version: FormatVersion, CaseID: c.CaseID,
		Stream: eventstore.StreamName(eventstore.KindCase, c.CaseID), CreatedAt: c.CreatedAt.UTC()}
	for _, e := range c.Events {
		if len(e.Raw) == 0 || bytes.ContainsAny(e.Raw, "\r\n") {
			return fmt.Errorf("bundle of case %s: revision %d has no stored bytes on one line", c.CaseID, e.Revision)
		}
		events.Write(e.Raw)
		events.WriteByte('\n')
		m.Events = append(m.Events, EventEntry{Revision: e.Revision, Hash: eventstore.HashOf(e.Raw)})
	}
	last := m.Events[len(m.Events)-1]
	m.Head = audit.Head{Revision: last.Revision, Hash: last.Hash}
	for _, cp := range c.Checkpoints {
		line, err := json.Marshal(cp)
		if err != nil {
			return fmt.Errorf("bundle of case %s: checkpoint %d: %w", c.CaseID, cp.Sequence, err)
		}
		checkpoints.Write(line)
		checkpoints.WriteByte('\n')
	}
	members := []struct {
		name        string
		data        []byte
		informative bool
	}{{EventsName, events.Bytes(), false}, {CheckpointsName, checkpoints.Bytes(), false}}
	if c.AuditKeyPEM != nil {
		members = append(members, struct {
			name        string
			data        []byte
			informative bool
		}{KeyName, c.AuditKeyPEM, true})
	}
	for _, mem := range members {
		m.Members = append(m.Members, Member{Name: mem.name, SHA256: digest(mem.data), Bytes: int64(len(mem.data)), Informative: mem.informative})
	}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("bundle of case %s: manifest: %w", c.CaseID, err)
	}
	tw := tar.NewWriter(w)
	if err := writeMember(tw, ManifestName, append(manifest, '\n'), m.CreatedAt); err != nil {
		return err
	}
	for _, mem := range members {
		if err := writeMember(tw, mem.name, mem.data, m.CreatedAt); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	return nil
}

func writeMember(tw *tar.Writer, name string, data []byte, at time.Time) error {
	hdr := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: at, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("write bundle member %s: %w", name, err)
	}
	if _, err := tw.Write(data); err != nil {
		return fmt.Errorf("write bundle member %s: %w", name, err)
	}
	return nil
}

func digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

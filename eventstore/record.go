package eventstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// record is the exact shape an event is stored in. Its bytes are what Hash covers, so
// the field order and names are part of the audit contract: change them only with a new
// record version.
type record struct {
	V             int             `json:"v"`
	Stream        string          `json:"stream"`
	Revision      uint64          `json:"revision"`
	ID            string          `json:"id"`
	Type          string          `json:"type"`
	SchemaVersion int             `json:"schemaVersion"`
	Data          json.RawMessage `json:"data"`
	Metadata      Metadata        `json:"metadata"`
}

const recordVersion = 1

// EncodeRecord renders e as the stored bytes for stream at revision, chained to
// prevHash, and returns the bytes and their hash. Backends call it so that every
// backend stores (and auditors verify) the same bytes.
func EncodeRecord(stream string, revision uint64, prevHash string, e EventData) (raw []byte, hash string, err error) {
	if e.ID == "" || e.Type == "" {
		return nil, "", fmt.Errorf("encode event for %s: id and type are required", stream)
	}
	if len(e.Data) == 0 {
		e.Data = json.RawMessage("{}")
	}
	md := e.Metadata
	md.PrevHash = prevHash
	md.Hash = ""
	rec := record{
		V: recordVersion, Stream: stream, Revision: revision, ID: e.ID, Type: e.Type,
		SchemaVersion: e.SchemaVersion, Data: e.Data, Metadata: md,
	}
	// The encoder validates and compacts Data itself (a RawMessage is written
	// compacted): no pass of our own over it.
	var buf bytes.Buffer
	buf.Grow(len(e.Data) + 512)
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		var notJSON *json.MarshalerError
		if errors.As(err, &notJSON) {
			return nil, "", fmt.Errorf("encode event %s for %s: data is not JSON: %w", e.ID, stream, err)
		}
		return nil, "", fmt.Errorf("encode event %s for %s: %w", e.ID, stream, err)
	}
	raw = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	return raw, HashOf(raw), nil
}

// HashOf returns the hex SHA-256 of stored bytes.
func HashOf(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// DecodeRecord reads stored bytes back into a RecordedEvent (Position left for the
// backend to set). The hash is recomputed from raw, so a tampered record shows up as a
// broken chain rather than a matching hash.
func DecodeRecord(raw []byte) (RecordedEvent, error) {
	e, err := DecodeRecordUnhashed(raw)
	if err == nil {
		e.Metadata.Hash = HashOf(raw)
	}
	return e, err
}

// DecodeRecordUnhashed is DecodeRecord leaving Metadata.Hash empty, for a reader that
// hashes only the records it keeps (HashOf(e.Raw)): hashing every record was a
// twentieth of a rebuild's CPU, and a read model needs the hash of its checkpoint only.
func DecodeRecordUnhashed(raw []byte) (RecordedEvent, error) {
	var rec record // on the stack: a replay decodes millions
	if !decodeCanonical(raw, &rec) {
		var err error
		if rec, err = decodeRecordJSON(raw); err != nil {
			return RecordedEvent{}, err
		}
	}
	if rec.V != recordVersion {
		return RecordedEvent{}, fmt.Errorf("decode stored event %s: unknown record version %d", rec.ID, rec.V)
	}
	return RecordedEvent{
		EventData: EventData{ID: rec.ID, Type: rec.Type, SchemaVersion: rec.SchemaVersion, Data: rec.Data, Metadata: rec.Metadata},
		Stream:    rec.Stream,
		Revision:  rec.Revision,
		Raw:       raw,
	}, nil
}

// decodeRecordJSON decodes a record that is not in the canonical form with
// encoding/json, whose pointer would otherwise put every record on the heap.
func decodeRecordJSON(raw []byte) (record, error) {
	var rec record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return record{}, fmt.Errorf("decode stored event: %w", err)
	}
	return rec, nil
}

// ErrChainBroken is returned by VerifyChain when a stream's history was rewritten.
var ErrChainBroken = errors.New("hash chain broken")

// VerifyChain checks that events, a whole stream read from revision 0, are contiguous,
// each stored in its own stream at its own revision, and each linked to the hash of
// the one before.
func VerifyChain(stream string, events []RecordedEvent) error {
	prev := ""
	for i, e := range events {
		rec, err := DecodeRecord(e.Raw)
		if err != nil {
			return fmt.Errorf("%w: %s revision %d: %v", ErrChainBroken, stream, i, err)
		}
		switch {
		case rec.Stream != stream || rec.Revision != uint64(i):
			return fmt.Errorf("%w: %s revision %d is stored as %s revision %d", ErrChainBroken, stream, i, rec.Stream, rec.Revision)
		case rec.Metadata.PrevHash != prev:
			return fmt.Errorf("%w: %s revision %d does not link to the event before it", ErrChainBroken, stream, i)
		case e.Metadata.Hash != "" && e.Metadata.Hash != rec.Metadata.Hash:
			return fmt.Errorf("%w: %s revision %d hash does not match its bytes", ErrChainBroken, stream, i)
		}
		prev = rec.Metadata.Hash
	}
	return nil
}

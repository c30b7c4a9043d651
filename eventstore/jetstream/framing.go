package jetstream

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go"

	"github.com/waymark-org/waymark/eventstore"
)

// One JetStream message holds all the events of one Append, so that an append is a
// single write and atomic.
//
// Body framing: for each event, in revision order,
//
//	uvarint(len(raw)) raw
//
// where raw is the event's stored bytes exactly as eventstore.EncodeRecord produced
// them (the bytes its hash covers). Nothing else is in the body: no count, no padding.
//
// Headers let the stream's head be read from its last message alone (one direct get of
// the last message for the subject), without decoding the body:
const (
	hdrFirstRevision = "Waymark-First-Revision" // revision of the message's first event
	hdrLastRevision  = "Waymark-Last-Revision"  // revision of its last event
	hdrLastHash      = "Waymark-Last-Hash"      // hash of its last event (the next PrevHash)
)

// errBadFrame reports a message body or header that is not what this package writes.
var errBadFrame = errors.New("malformed event message")

// appendFrame adds one event's stored bytes to body.
func appendFrame(body, raw []byte) []byte {
	body = binary.AppendUvarint(body, uint64(len(raw)))
	return append(body, raw...)
}

// splitFrames returns the stored bytes of each event in body. The slices alias body
// but are capped, so appending to one never overwrites the next.
func splitFrames(body []byte) ([][]byte, error) {
	var out [][]byte
	for len(body) > 0 {
		n, w := binary.Uvarint(body)
		if w <= 0 || n > uint64(len(body)-w) {
			return nil, fmt.Errorf("%w: truncated frame after %d events", errBadFrame, len(out))
		}
		end := w + int(n)
		out = append(out, body[w:end:end])
		body = body[end:]
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no events", errBadFrame)
	}
	return out, nil
}

// msgHead is what a message's headers say about the events it holds.
type msgHead struct {
	first, last uint64 // revisions
	lastHash    string
}

func (h msgHead) count() uint64 { return h.last - h.first + 1 }

func setMsgHead(hdr nats.Header, h msgHead) {
	hdr.Set(hdrFirstRevision, strconv.FormatUint(h.first, 10))
	hdr.Set(hdrLastRevision, strconv.FormatUint(h.last, 10))
	hdr.Set(hdrLastHash, h.lastHash)
}

func parseMsgHead(hdr nats.Header) (msgHead, error) {
	first, err1 := strconv.ParseUint(hdr.Get(hdrFirstRevision), 10, 64)
	last, err2 := strconv.ParseUint(hdr.Get(hdrLastRevision), 10, 64)
	h := msgHead{first: first, last: last, lastHash: hdr.Get(hdrLastHash)}
	if err1 != nil || err2 != nil || last < first || h.lastHash == "" {
		return msgHead{}, fmt.Errorf("%w: bad %s/%s/%s headers", errBadFrame, hdrFirstRevision, hdrLastRevision, hdrLastHash)
	}
	return h, nil
}

// decodeMessage returns the events of the message at stream sequence seq, each with
// its position (seq, index in the message) and its stored bytes as Raw. It checks the
// framing only: a record whose content was altered still decodes, so that auditors
// see it as a broken chain (eventstore.VerifyChain) instead of an unreadable stream.
func decodeMessage(subject string, seq uint64, hdr nats.Header, body []byte) ([]eventstore.RecordedEvent, error) {
	return appendMessageEvents(nil, eventstore.DecodeRecord, subject, seq, hdr, body)
}

// appendMessageEvents is decodeMessage appending to dst, each record decoded with
// decode (eventstore.DecodeRecord, or DecodeRecordUnhashed): a subscription reuses one
// slice for every message instead of a new one each (a rebuild's garbage).
func appendMessageEvents(dst []eventstore.RecordedEvent, decode func(raw []byte) (eventstore.RecordedEvent, error),
	subject string, seq uint64, hdr nats.Header, body []byte) ([]eventstore.RecordedEvent, error) {
	if !strings.HasPrefix(subject, subjectPrefix) {
		return dst, fmt.Errorf("%w: message %d on subject %q", errBadFrame, seq, subject)
	}
	h, err := parseMsgHead(hdr)
	if err != nil {
		return dst, fmt.Errorf("message %d: %w", seq, err)
	}
	frames, err := splitFrames(body)
	if err != nil {
		return dst, fmt.Errorf("message %d: %w", seq, err)
	}
	if uint64(len(frames)) != h.count() {
		return dst, fmt.Errorf("%w: message %d holds %d events, its headers say %d", errBadFrame, seq, len(frames), h.count())
	}
	for i, raw := range frames {
		e, err := decode(raw)
		if err != nil {
			return dst, fmt.Errorf("message %d event %d: %w", seq, i, err)
		}
		e.Position = eventstore.NewPosition(seq, uint64(i))
		dst = append(dst, e)
	}
	return dst, nil
}

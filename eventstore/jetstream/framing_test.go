package jetstream

import (
	"bytes"
	"errors"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/waymark-org/waymark/eventstore"
)

func TestFramingRoundTrip(t *testing.T) {
	raws := [][]byte{[]byte(`{"a":1}`), bytes.Repeat([]byte("x"), 300), []byte("z")}
	var body []byte
	for _, r := range raws {
		body = appendFrame(body, r)
	}
	got, err := splitFrames(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(raws) {
		t.Fatalf("%d frames, want %d", len(got), len(raws))
	}
	for i := range raws {
		if !bytes.Equal(got[i], raws[i]) {
			t.Errorf("frame %d: %q", i, got[i])
		}
	}
	// Frames are capped: growing one leaves the next intact.
	_ = append(got[0], "overwrite"...)
	if !bytes.Equal(got[1], raws[1]) {
		t.Error("appending to a frame overwrote the next one")
	}
}

func TestFramingRejectsMalformed(t *testing.T) {
	full := appendFrame(appendFrame(nil, []byte("abc")), []byte("defg"))
	for name, body := range map[string][]byte{
		"empty":        nil,
		"cut in frame": full[:len(full)-1],
		"bad varint":   {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		"huge length":  {0xff, 0xff, 0x03, 'a'},
	} {
		if _, err := splitFrames(body); !errors.Is(err, errBadFrame) {
			t.Errorf("%s: %v, want errBadFrame", name, err)
		}
	}
}

func TestMsgHead(t *testing.T) {
	hdr := nats.Header{}
	setMsgHead(hdr, msgHead{first: 3, last: 5, lastHash: "abc"})
	h, err := parseMsgHead(hdr)
	if err != nil || h != (msgHead{3, 5, "abc"}) || h.count() != 3 {
		t.Fatalf("parse: %+v %v", h, err)
	}
	for name, mutate := range map[string]func(nats.Header){
		"no first":       func(h nats.Header) { h.Del(hdrFirstRevision) },
		"last < first":   func(h nats.Header) { h.Set(hdrLastRevision, "2") },
		"no hash":        func(h nats.Header) { h.Del(hdrLastHash) },
		"not a revision": func(h nats.Header) { h.Set(hdrLastRevision, "x") },
	} {
		bad := nats.Header{}
		setMsgHead(bad, msgHead{first: 3, last: 5, lastHash: "abc"})
		mutate(bad)
		if _, err := parseMsgHead(bad); !errors.Is(err, errBadFrame) {
			t.Errorf("%s: %v, want errBadFrame", name, err)
		}
	}
}

func TestDecodeMessageCountMismatch(t *testing.T) {
	raw, hash, err := eventstore.EncodeRecord("case-1", 0, "", testEvents("e", 1)[0])
	if err != nil {
		t.Fatal(err)
	}
	hdr := nats.Header{}
	setMsgHead(hdr, msgHead{first: 0, last: 1, lastHash: hash}) // says two events
	if _, err := decodeMessage("waymark.events.case-1", 1, hdr, appendFrame(nil, raw)); !errors.Is(err, errBadFrame) {
		t.Errorf("%v, want errBadFrame", err)
	}
	setMsgHead(hdr, msgHead{first: 0, last: 0, lastHash: hash})
	events, err := decodeMessage("waymark.events.case-1", 7, hdr, appendFrame(nil, raw))
	if err != nil || len(events) != 1 || events[0].Position != eventstore.NewPosition(7, 0) || !bytes.Equal(events[0].Raw, raw) {
		t.Errorf("decode: %+v %v", events, err)
	}
}

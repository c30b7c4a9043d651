package analyticsfeed

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/waymark-org/waymark/analytics"
	"github.com/waymark-org/waymark/eventstore"
)

// The seeded personal data of env.refer, env.note and env.transferToUS, as it would
// appear in published bytes.
var seeded = []string{"SEEDNAME", "SEEDALIAS", "SEEDSTREET", "SEEDNOTE", "SEEDREASON", "SEEDAUTHORITY", "SEEDDOC", "G1234567",
	"1994-07-13", "9876 1234", "@example.org"}

// A time of day other than midnight.
var clockTime = regexp.MustCompile(`\d{2}:\d{2}:\d{2}`)

// checkAll checks what a consumer got: every message valid against asyncapi.yaml,
// every Nats-Msg-Id once, (position, part) increasing, and no seeded personal data,
// case id, stored event id or time of day in any byte (subjects and headers
// included), with positive controls proving the scan finds them.
func checkAll(t *testing.T, e *env, msgs []msg) {
	t.Helper()
	v, err := analytics.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var published bytes.Buffer
	var prev eventstore.Position
	prevPart := -1
	for i, m := range msgs {
		if err := v.Validate(m.data); err != nil {
			t.Errorf("message %d (%s): %v", i, m.subject, err)
		}
		if seen[m.id] || m.id == "" {
			t.Errorf("message %d (%s): Nats-Msg-Id %q published twice", i, m.subject, m.id)
		}
		seen[m.id] = true
		pos, err := eventstore.ParsePosition(m.pos)
		part, perr := strconv.Atoi(m.part)
		if err != nil || perr != nil {
			t.Errorf("message %d: headers %q %q", i, m.pos, m.part)
		} else if pos.Before(prev) || (pos == prev && part <= prevPart) {
			t.Errorf("message %d: position %s part %d after %s part %d", i, pos, part, prev, prevPart)
		}
		prev, prevPart = pos, part
		for _, b := range [][]byte{m.data, []byte(m.subject), []byte(m.id), []byte(m.pos), []byte(m.part)} {
			published.Write(b)
			published.WriteByte('\n')
		}
	}
	needles := append(slices.Clone(seeded), e.cases...)
	ctx := context.Background()
	for _, id := range e.cases {
		recs, err := e.n.Store.ReadStream(ctx, eventstore.StreamName(eventstore.KindCase, id), 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			needles = append(needles, r.ID)
		}
	}
	if found := leaks(published.Bytes(), needles); len(found) > 0 {
		t.Errorf("published: %q", found)
	}
	for _, tm := range clockTime.FindAll(published.Bytes(), -1) {
		if string(tm) != "00:00:00" {
			t.Errorf("a time of day was published: %s", tm)
		}
	}
	// Positive controls: the scan finds a seeded string, a case id and a time of day
	// put into the same bytes.
	if len(msgs) > 0 {
		spoiled := append(bytes.Clone(published.Bytes()), []byte(`{"name":"SEEDNAME x","case":"`+e.cases[0]+`","at":"2026-03-04T09:15:27Z"}`)...)
		if found := leaks(spoiled, needles); !slices.Contains(found, "SEEDNAME") || !slices.Contains(found, e.cases[0]) {
			t.Errorf("the scan missed planted data: found %q", found)
		}
		if len(clockTime.FindAll(spoiled, -1)) != len(clockTime.FindAll(published.Bytes(), -1))+1 {
			t.Error("the scan missed a planted time of day")
		}
	}
}

func leaks(haystack []byte, needles []string) []string {
	var found []string
	for _, n := range needles {
		if n != "" && bytes.Contains(haystack, []byte(n)) {
			found = append(found, n)
		}
	}
	return found
}

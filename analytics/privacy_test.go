package analytics

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// organisationFields are the json names of the id fields that hold organisation ids,
// which are public and published; every other id field is a case's own or chosen by a
// client (free text), and must not appear.
var organisationFields = map[string]bool{
	"referringOrganisation": true, "recipient": true, "issuingOrganisation": true, "bank": true,
	"raisedBy": true, "by": true, "bureau": true, "from": true, "to": true,
}

// planter fills Personal objects with distinctive strings and remembers them.
type planter struct {
	n       int
	planted []string
}

func (p *planter) next() string {
	p.n++
	s := fmt.Sprintf("PLANTED-personal-%04d", p.n)
	p.planted = append(p.planted, s)
	return s
}

// fill sets every string reachable from v (through structs, pointers and slices) to a
// new planted string.
func (p *planter) fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(p.next())
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		p.fill(v.Elem())
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(1990, 7, 14, 15, 16, 17, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				p.fill(v.Field(i))
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		p.fill(v.Index(0))
		p.fill(v.Index(1))
	case reflect.Map:
		if v.Type().Key().Kind() == reflect.String {
			m := reflect.MakeMap(v.Type())
			k := reflect.New(v.Type().Key()).Elem()
			p.fill(k)
			e := reflect.New(v.Type().Elem()).Elem()
			p.fill(e)
			m.SetMapIndex(k, e)
			v.Set(m)
		}
	}
}

// withPersonal is e with its Personal object (if its type has one) full of planted
// strings.
func (p *planter) withPersonal(e domain.Event) domain.Event {
	v := reflect.New(reflect.TypeOf(e)).Elem()
	v.Set(reflect.ValueOf(e))
	if f := v.FieldByName("Personal"); f.IsValid() {
		p.fill(f)
	}
	return v.Interface().(domain.Event)
}

// secrets are the strings of an event that must never be published besides its
// personal data: the case id, the event id, client-chosen ids, and its exact times.
func secrets(rec eventstore.RecordedEvent, e domain.Event) []string {
	_, caseID, _ := strings.Cut(rec.Stream, "-")
	out := []string{rec.Stream, caseID, rec.ID} // the event's UUIDv7 id holds its time
	var walk func(v reflect.Value, tag reflect.StructTag)
	walk = func(v reflect.Value, tag reflect.StructTag) {
		switch v.Kind() {
		case reflect.String:
			name, _, _ := strings.Cut(tag.Get("json"), ",")
			if tag.Get("waymark") == "id" && !organisationFields[name] && v.Len() >= 4 {
				out = append(out, v.String())
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i), tag)
			}
		case reflect.Struct:
			if t, ok := v.Interface().(time.Time); ok {
				if !t.IsZero() && t.UTC().Truncate(time.Second).Sub(t.UTC().Truncate(24*time.Hour)) != 0 {
					out = append(out, t.UTC().Format(time.RFC3339), t.UTC().Format(time.RFC3339Nano), t.Format(time.RFC3339Nano))
				}
				return
			}
			for i := range v.NumField() {
				f := v.Type().Field(i)
				if f.IsExported() && f.Name != "Personal" {
					walk(v.Field(i), f.Tag)
				}
			}
		}
	}
	walk(reflect.ValueOf(e), "")
	return out
}

// leaks lists the needles found in haystack.
func leaks(haystack []byte, needles []string) []string {
	var found []string
	for _, n := range needles {
		if n != "" && bytes.Contains(haystack, []byte(n)) {
			found = append(found, n)
		}
	}
	return found
}

// A time of day other than midnight anywhere in the published bytes.
var clockTime = regexp.MustCompile(`\d{2}:\d{2}:\d{2}`)

// Every published byte of every fixture file's messages (the JSON and its subject),
// with each event's Personal object filled with planted strings, holds none of them,
// no case id, no client-chosen id, no exact time. The positive controls prove the
// scan sees what it looks for: the planted strings are in the event's own JSON, and a
// message with one planted in it is caught. Each fixture file is scanned on its own:
// the files are separate runs whose counted ids (an event's in one, a case's in
// another) coincide.
func TestNoPersonalDataIsPublished(t *testing.T) {
	byFile := map[string][]fixtureEvent{}
	for _, fe := range loadFixture(t) {
		byFile[fe.file] = append(byFile[fe.file], fe)
	}
	for _, file := range slices.Sorted(maps.Keys(byFile)) {
		t.Run(file, func(t *testing.T) { scanForPersonalData(t, byFile[file]) })
	}
}

func scanForPersonalData(t *testing.T, events []fixtureEvent) {
	ps := testPseudonymizer(t)
	var pl planter
	var published bytes.Buffer
	var needles []string
	mapped, withPersonal := 0, 0
	for _, fe := range events {
		before := len(pl.planted)
		e := pl.withPersonal(fe.event)
		own, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if domain.HasPersonal(e) {
			withPersonal++
		}
		ce, ok := Map(fe.rec, e, fe.after, ps)
		if !ok {
			continue
		}
		mapped++
		// Positive control: the event's own bytes hold what was planted in it.
		if mine := pl.planted[before:]; len(leaks(own, mine)) != len(mine) {
			t.Errorf("%s: the planted personal data %q is not all in the event's own JSON", fe.rec.Type, mine)
		}
		raw, err := ce.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		published.Write(raw)
		published.WriteString("\n" + Subject(ce) + "\n")
		needles = append(needles, secrets(fe.rec, e)...)
	}
	if !holdsCaseEvents(events) {
		// A file of the directory's events alone (the survey's fixture): the feed
		// publishes no organisation event, so there is nothing to scan.
		if mapped != 0 {
			t.Fatalf("%d organisation events were published", mapped)
		}
		return
	}
	if mapped == 0 || withPersonal == 0 || len(pl.planted) == 0 {
		t.Fatalf("nothing scanned: %d messages, %d events with personal data", mapped, withPersonal)
	}
	needles = append(needles, pl.planted...)
	if found := leaks(published.Bytes(), needles); len(found) > 0 {
		t.Errorf("published: %q", found)
	}
	for _, tm := range clockTime.FindAll(published.Bytes(), -1) {
		if string(tm) != "00:00:00" {
			t.Errorf("a time of day was published: %s", tm)
		}
	}

	// Positive control: the same scan over the same bytes with one planted string and
	// one exact time added finds both.
	spoiled := append(bytes.Clone(published.Bytes()), []byte(`{"note":"`+pl.planted[0]+`","at":"2031-01-02T03:04:05Z"}`)...)
	if found := leaks(spoiled, needles); len(found) != 1 || found[0] != pl.planted[0] {
		t.Errorf("the scan found %q in a message holding %q", found, pl.planted[0])
	}
	if n := len(clockTime.FindAll(spoiled, -1)) - len(clockTime.FindAll(published.Bytes(), -1)); n != 1 {
		t.Errorf("the time scan found %d new times of day, want 1", n)
	}
	t.Logf("scanned %d messages (%d bytes) for %d needles", mapped, published.Len(), len(needles))
}

// holdsCaseEvents reports whether any of events is a case's.
func holdsCaseEvents(events []fixtureEvent) bool {
	return slices.ContainsFunc(events, func(fe fixtureEvent) bool {
		spec, ok := domain.EventSpecOf(fe.event)
		return ok && spec.Aggregate == domain.AggregateCase
	})
}

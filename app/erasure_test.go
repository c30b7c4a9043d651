package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	js "github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/internal/testkit"
	"github.com/waymark-org/waymark/sealing"
	"github.com/waymark-org/waymark/sealing/jskeys"
)

// Every string of every event type is filled by reflection (no hand-kept list): the
// strings of the Personal object with unique markers, the tagged ones (ids, codes,
// public names) with values of their kind. Each event is sealed and stored as Waymark
// stores it. No marker is ever in the store's files in plaintext; every marker opens
// while the case lives (so the markers were really there); after the erasure none
// opens again. A field added to an event later is filled too: if it holds free text
// outside Personal, TestFreeTextLivesOnlyInPersonal (domain) fails; if inside, this
// test checks it is sealed and erased.
func TestErasureTakesEveryPersonalString(t *testing.T) {
	ctx := context.Background()
	dir, keysDir := t.TempDir(), t.TempDir()
	store, err := js.Open(ctx, js.Config{DataDir: dir, Sync: js.SyncInterval, Logger: testkit.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	keys, err := jskeys.Open(ctx, keysDir, testkit.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { keys.Close() })
	vault, err := sealing.NewVault(keys, testkit.Keyring(t))
	if err != nil {
		t.Fatal(err)
	}
	svc := newServiceWithVault(t, store, vault, 7)

	const caseID = "erasure-probe"
	stream := eventstore.StreamName(eventstore.KindCase, caseID)
	if err := vault.EnsureCaseKey(ctx, caseID); err != nil {
		t.Fatal(err)
	}
	f := &filler{}
	var data []eventstore.EventData
	for i, spec := range domain.Events() {
		if spec.Aggregate != domain.AggregateCase || spec.Type == (domain.SurvivorDataErased{}).EventType() {
			continue // the erasure is the command under test; the others are not case events
		}
		v := reflect.New(spec.GoType).Elem()
		f.fill(v, "")
		e := v.Interface().(domain.Event)
		if referred, ok := e.(domain.SurvivorReferred); ok {
			referred.ReferringOrganisation = "shelter" // the owner who erases
			e = referred
		}
		if accepted, ok := e.(domain.CaseTransferAccepted); ok {
			accepted.To = "shelter" // the case moves to the owner who erases
			e = accepted
		}
		id := fmt.Sprintf("evt-%03d", i)
		d, err := codec.Encode(e, id, eventstore.Metadata{Actor: "w", Role: "caseworker", Organisation: "shelter", RecordedAt: time.Now()},
			func(eventID string, v int, plain []byte) (json.RawMessage, error) {
				return vault.Seal(ctx, caseID, eventID, v, plain)
			}, nil)
		if err != nil {
			t.Fatalf("encode %s: %v", spec.Type, err)
		}
		if _, referral := e.(domain.SurvivorReferred); referral {
			data = append([]eventstore.EventData{d}, data...) // a case starts with its referral
		} else {
			data = append(data, d)
		}
	}
	if len(f.markers) < 15 {
		t.Fatalf("only %d personal strings filled: the walk is broken", len(f.markers))
	}
	if _, err := store.Append(ctx, stream, eventstore.NoStream, data...); err != nil {
		t.Fatal(err)
	}

	opened := openAll(t, ctx, store, vault, stream, caseID)
	for _, m := range f.markers {
		if !bytes.Contains(opened, []byte(m)) {
			t.Errorf("marker %s does not open while the case lives: the walk did not reach it", m)
		}
	}
	scanFor(t, f.markers, dir, keysDir)

	if _, err := svc.ChangeCase(ctx, worker, app.CaseCommand{CommandID: "erase", CaseID: caseID,
		Command: domain.EraseSurvivorData{ReasonCode: domain.ErasureSurvivorRequest}}); err != nil {
		t.Fatalf("erase: %v", err)
	}
	if rest := openAll(t, ctx, store, vault, stream, caseID); len(rest) > 0 {
		t.Errorf("personal data opens after erasure: %s", rest)
	}
	scanFor(t, f.markers, dir, keysDir)
}

// openAll opens every sealed personal object of the stream and returns the plaintext,
// concatenated; a destroyed key opens nothing.
func openAll(t *testing.T, ctx context.Context, store eventstore.Store, vault *sealing.Vault, stream, caseID string) []byte {
	t.Helper()
	recs, err := store.ReadStream(ctx, stream, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	for _, rec := range recs {
		_, extras, err := codec.Decode(rec)
		if err != nil {
			t.Fatalf("decode %s: %v", rec.Type, err)
		}
		if extras.Personal.IsZero() {
			continue
		}
		plain, err := vault.Open(ctx, caseID, extras.Personal.EventID, extras.Personal.SchemaVersion, extras.Personal.Data)
		if errors.Is(err, sealing.ErrKeyDestroyed) {
			continue
		}
		if err != nil {
			t.Fatalf("open %s: %v", rec.Type, err)
		}
		out = append(out, plain...)
	}
	return out
}

// scanFor fails if any marker is in any file under dirs.
func scanFor(t *testing.T, markers []string, dirs ...string) {
	t.Helper()
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range markers {
				if bytes.Contains(b, []byte(m)) {
					t.Errorf("%s holds personal marker %s in plaintext", path, m)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// filler fills a value by reflection: strings inside Personal get unique markers;
// tagged strings outside it get a value of their kind; closed vocabularies stay empty
// (a value is not needed to store them); slices get one element.
type filler struct {
	n       int
	markers []string
}

func (f *filler) fill(v reflect.Value, tag string) { f.walk(v, tag, false) }

func (f *filler) walk(v reflect.Value, tag string, personal bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		f.walk(v.Elem(), tag, personal)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		f.walk(v.Index(0), tag, personal)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			field := v.Type().Field(i)
			f.walk(v.Field(i), field.Tag.Get("waymark"), personal || field.Name == "Personal")
		}
	case reflect.String:
		f.n++
		switch {
		case personal:
			m := fmt.Sprintf("PIIMARKER%04dX", f.n)
			f.markers = append(f.markers, m)
			v.SetString(m)
		case tag == "id":
			v.SetString(fmt.Sprintf("id-%d", f.n))
		case tag == "code":
			v.SetString("MX")
		case tag == "public":
			v.SetString("Public Name")
		}
	case reflect.Int, reflect.Int64:
		v.SetInt(1)
	}
}

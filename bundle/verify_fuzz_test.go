package bundle_test

import (
	"bytes"
	"testing"

	"github.com/waymark-org/waymark/bundle"
	"github.com/waymark-org/waymark/eventstore/memstore"
)

// FuzzVerify tampers with a good bundle as an intruder who knows the format would:
// the events and the checkpoints replaced by the fuzzer's bytes, the manifest's
// digests made to agree with them again. Verify must never panic, and whatever it
// accepts must say exactly what the untouched bundle says: the same case, events,
// head and checkpoints. Without the audit key nobody can make it accept anything
// else. The raw file is fuzzed too (FuzzRead).
func FuzzVerify(f *testing.F) {
	w := newWorldOn(memstore.New(0))
	w.add(f, "a", 3)
	w.add(f, "b", 1)
	w.checkpoint(f)
	good := w.export(f, "a")
	b, err := bundle.Read(bytes.NewReader(good))
	if err != nil {
		f.Fatal(err)
	}
	want, err := bundle.Verify(b, w.pub)
	if err != nil {
		f.Fatal(err)
	}
	events, checkpoints := b.Members[bundle.EventsName], b.Members[bundle.CheckpointsName]
	f.Add(events, checkpoints)
	f.Add(events[:len(events)/2], checkpoints)
	f.Add(bytes.Replace(events, []byte(`"n":1`), []byte(`"n":2`), 1), checkpoints)
	f.Add(events, bytes.Repeat(checkpoints, 2))
	f.Add([]byte{}, []byte{})
	f.Add([]byte("{}\n{}\n"), []byte("null"))

	f.Fuzz(func(t *testing.T, events, checkpoints []byte) {
		got, err := bundle.Read(bytes.NewReader(good))
		if err != nil {
			t.Fatal(err)
		}
		got.Members[bundle.EventsName] = events
		got.Members[bundle.CheckpointsName] = checkpoints
		redigest(&got, bundle.EventsName)
		redigest(&got, bundle.CheckpointsName)
		report, err := bundle.Verify(got, w.pub)
		if err != nil {
			return
		}
		if report != want {
			t.Fatalf("a tampered bundle was accepted as %+v; the original says %+v", report, want)
		}
	})
}

// FuzzRead feeds Read damaged files: it must refuse them with an error, never panic
// or allocate without bound, and Verify must refuse or accept what it reads as above.
func FuzzRead(f *testing.F) {
	w := newWorldOn(memstore.New(0))
	w.add(f, "a", 2)
	w.checkpoint(f)
	good := w.export(f, "a")
	want, err := verify(good, w.pub)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(append(bytes.Clone(good), good...))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, data []byte) {
		report, err := verify(data, w.pub)
		if err == nil && report != want {
			t.Fatalf("a damaged file was accepted as %+v; the original says %+v", report, want)
		}
	})
}

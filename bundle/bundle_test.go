package bundle_test

import (
	"archive/tar"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-org/waymark/audit"
	"github.com/waymark-org/waymark/bundle"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/testkit"
)

// Bundles made from a real embedded JetStream store with checkpoints signed by
// audit.Signer, then checked with nothing but the bytes and a pinned key, untouched
// and tampered with in each way an intruder could.

var now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

type world struct {
	store  eventstore.Store
	signer *audit.Signer
	pub    ed25519.PublicKey
}

func newWorld(t testing.TB) *world {
	t.Helper()
	return newWorldOn(testkit.JetStreamStore(t))
}

// newWorldOn is a world on store: the fuzz targets use the in-memory store, which
// passes the same conformance suite, so that each of their worker processes starts at
// once.
func newWorldOn(store eventstore.Store) *world {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	return &world{store: store, pub: pub, signer: &audit.Signer{Store: store, KeyID: "audit-1", Key: priv, Now: func() time.Time { return now }}}
}

func (w *world) add(t testing.TB, caseID string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		_, err := w.store.Append(t.Context(), eventstore.StreamName(eventstore.KindCase, caseID), eventstore.Any, eventstore.EventData{
			ID: uuid.Must(uuid.NewV7()).String(), Type: "Noted", SchemaVersion: 1,
			Data:     []byte(fmt.Sprintf(`{"n":%d,"personal":{"v":1,"ct":"c2VhbGVk"}}`, i)),
			Metadata: eventstore.Metadata{Actor: "u", Role: "caseworker", Organisation: "shelter", RecordedAt: now},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func (w *world) checkpoint(t testing.TB) {
	t.Helper()
	if _, made, err := w.signer.Checkpoint(t.Context()); err != nil || !made {
		t.Fatalf("checkpoint: %v (made %v)", err, made)
	}
}

func pemOf(t testing.TB, pub ed25519.PublicKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func (w *world) export(t testing.TB, caseID string) []byte {
	t.Helper()
	c, err := bundle.Build(t.Context(), w.store, caseID, now)
	if err != nil {
		t.Fatal(err)
	}
	c.AuditKeyPEM = pemOf(t, w.pub)
	var buf bytes.Buffer
	if err := bundle.Write(&buf, c); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func verify(data []byte, pinned ed25519.PublicKey) (bundle.Report, error) {
	b, err := bundle.Read(bytes.NewReader(data))
	if err != nil {
		return bundle.Report{}, err
	}
	return bundle.Verify(b, pinned)
}

// repack writes a bundle read back, as changed by a test, without fixing anything.
func repack(t testing.TB, b bundle.Bundle) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	m, _ := json.Marshal(b.Manifest)
	write := func(name string, data []byte) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(data)
	}
	write(bundle.ManifestName, m)
	for _, name := range []string{bundle.EventsName, bundle.CheckpointsName, bundle.KeyName} {
		if data, ok := b.Members[name]; ok {
			write(name, data)
		}
	}
	tw.Close()
	return buf.Bytes()
}

// tamper reads a good bundle, lets edit change it, and packs it again.
func tamper(t testing.TB, data []byte, edit func(b *bundle.Bundle)) []byte {
	t.Helper()
	b, err := bundle.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	edit(&b)
	return repack(t, b)
}

// redigest makes the manifest's digest of a member agree with its bytes again, as
// an intruder who knows the format would.
func redigest(b *bundle.Bundle, name string) {
	for i, m := range b.Manifest.Members {
		if m.Name == name {
			b.Manifest.Members[i].SHA256 = sha(b.Members[name])
			b.Manifest.Members[i].Bytes = int64(len(b.Members[name]))
		}
	}
}

// world with case a checkpointed twice (and case b beside it), then one more event of
// a after the last checkpoint.
func covered(t *testing.T) *world {
	w := newWorld(t)
	w.add(t, "a", 3)
	w.add(t, "b", 2)
	w.checkpoint(t)
	w.add(t, "a", 2)
	w.checkpoint(t)
	w.add(t, "b", 1)
	w.checkpoint(t) // does not name a: it vouches for the ones that do
	w.add(t, "a", 1)
	return w
}

func TestBundleRoundTrip(t *testing.T) {
	w := covered(t)
	data := w.export(t, "a")
	r, err := verify(data, w.pub)
	if err != nil {
		t.Fatalf("an untouched bundle: %v", err)
	}
	if r.CaseID != "a" || r.Events != 6 || r.Head.Revision != 5 || r.Checkpoints != 3 || r.Naming != 2 || r.Covered != 5 || !r.KeyInBundle || !r.KeyMatches {
		t.Errorf("report: %+v", r)
	}
	// The same store exported again gives the same bytes.
	if again := w.export(t, "a"); !bytes.Equal(again, data) {
		t.Error("two exports of the same history differ")
	}
	// Only the case's own events, exactly as stored.
	b, _ := bundle.Read(bytes.NewReader(data))
	stored, _ := w.store.ReadStream(t.Context(), "case-a", 0)
	var want bytes.Buffer
	for _, e := range stored {
		want.Write(e.Raw)
		want.WriteByte('\n')
	}
	if !bytes.Equal(b.Members[bundle.EventsName], want.Bytes()) {
		t.Error("events.ndjson is not the stored bytes")
	}
}

func TestBundleOfAnUnknownCase(t *testing.T) {
	w := newWorld(t)
	if _, err := bundle.Build(t.Context(), w.store, "nobody", now); !errors.Is(err, bundle.ErrNoCase) {
		t.Errorf("an unknown case: %v, want ErrNoCase", err)
	}
}

func TestBundleWithoutCheckpointIsNotTrusted(t *testing.T) {
	w := newWorld(t)
	w.add(t, "a", 2)
	if _, err := verify(w.export(t, "a"), w.pub); !errors.Is(err, bundle.ErrUncovered) {
		t.Errorf("no checkpoint: %v, want ErrUncovered", err)
	}
}

func TestTamperedBundlesAreCaught(t *testing.T) {
	w := covered(t)
	good := w.export(t, "a")
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	forged := &audit.Signer{Store: w.store, KeyID: "audit-1", Key: other, Now: func() time.Time { return now }}

	cases := []struct {
		name    string
		data    func() []byte
		pinned  ed25519.PublicKey
		wantErr error
		wantMsg string
	}{
		{"truncated inside a member", func() []byte { return good[:600] }, w.pub, bundle.ErrUnreadable, "truncated"},
		{"truncated between members", func() []byte { return good[:len(good)/2] }, w.pub, bundle.ErrManifest, "truncated"},
		{"corrupt header", func() []byte {
			d := bytes.Clone(good)
			copy(d[0:], "garbage!")
			return d
		}, w.pub, bundle.ErrUnreadable, "not a bundle"},
		{"not a bundle at all", func() []byte { return []byte("hello") }, w.pub, bundle.ErrUnreadable, ""},
		{"empty file", func() []byte { return nil }, w.pub, bundle.ErrUnreadable, "no manifest.json"},
		{"manifest head edited", func() []byte {
			return tamper(t, good, func(b *bundle.Bundle) { b.Manifest.Head.Hash = strings.Repeat("0", 64) })
		}, w.pub, bundle.ErrManifest, "head"},
		{"manifest event hash edited", func() []byte {
			return tamper(t, good, func(b *bundle.Bundle) { b.Manifest.Events[1].Hash = strings.Repeat("1", 64) })
		}, w.pub, bundle.ErrManifest, "revision 1"},
		{"manifest case edited", func() []byte {
			return tamper(t, good, func(b *bundle.Bundle) { b.Manifest.CaseID = "b" })
		}, w.pub, bundle.ErrManifest, "case \"b\""},
		{"manifest digest edited", func() []byte {
			return tamper(t, good, func(b *bundle.Bundle) { b.Manifest.Members[0].SHA256 = strings.Repeat("2", 64) })
		}, w.pub, bundle.ErrDigest, "events.ndjson"},
		{"manifest of another format", func() []byte {
			return tamper(t, good, func(b *bundle.Bundle) { b.Manifest.Version = 9 })
		}, w.pub, bundle.ErrManifest, "version 9"},
		{"event edited", func() []byte {
			return tamper(t, good, func(b *bundle.Bundle) {
				b.Members[bundle.EventsName] = bytes.Replace(b.Members[bundle.EventsName], []byte(`"n":0`), []byte(`"n":7`), 1)
			})
		}, w.pub, bundle.ErrDigest, "events.ndjson"},
		{"event edited, digest fixed", func() []byte {
			return tamper(t, good, func(b *bundle.Bundle) {
				b.Members[bundle.EventsName] = bytes.Replace(b.Members[bundle.EventsName], []byte(`"n":0`), []byte(`"n":7`), 1)
				redigest(b, bundle.EventsName)
			})
		}, w.pub, audit.ErrBroken, "revision 1: does not link"},
		{"last event edited, digest and manifest fixed", func() []byte {
			return tamper(t, good, func(b *bundle.Bundle) {
				evs := bytes.Split(bytes.TrimSuffix(b.Members[bundle.EventsName], []byte("\n")), []byte("\n"))
				// Revision 4 is the last one a checkpoint names; drop the later one.
				evs = evs[:5]
				evs[4] = bytes.Replace(evs[4], []byte(`"n":1`), []byte(`"n":8`), 1)
				b.Members[bundle.EventsName] = append(bytes.Join(evs, []byte("\n")), '\n')
				redigest(b, bundle.EventsName)
				b.Manifest.Events = b.Manifest.Events[:5]
				b.Manifest.Events[4].Hash = eventstore.HashOf(evs[4])
				b.Manifest.Head = audit.Head{Revision: 4, Hash: b.Manifest.Events[4].Hash}
			})
		}, w.pub, audit.ErrBroken, "differs from checkpoint 2"},
		{"event dropped", func() []byte {
			return tamper(t, good, func(b *bundle.Bundle) {
				evs := bytes.SplitAfter(b.Members[bundle.EventsName], []byte("\n"))
				b.Members[bundle.EventsName] = bytes.Join(append(evs[:1], evs[2:]...), nil)
				redigest(b, bundle.EventsName)
			})
		}, w.pub, audit.ErrBroken, "missing or out of order"},
		{"checkpoint dropped from the middle", func() []byte {
			return tamper(t, good, func(b *bundle.Bundle) {
				cps := bytes.SplitAfter(b.Members[bundle.CheckpointsName], []byte("\n"))
				b.Members[bundle.CheckpointsName] = bytes.Join(append(cps[:1], cps[2:]...), nil)
				redigest(b, bundle.CheckpointsName)
			})
		}, w.pub, audit.ErrBroken, "checkpoints are missing or out of order"},
		{"checkpoint signed by another key", func() []byte {
			w.add(t, "a", 1)
			if _, _, err := forged.Checkpoint(t.Context()); err != nil {
				t.Fatal(err)
			}
			return w.export(t, "a")
		}, w.pub, audit.ErrSignature, "checkpoint 4"},
		{"verified with another key", func() []byte { return good }, other.Public().(ed25519.PublicKey), audit.ErrSignature, "checkpoint 1"},
		{"no key", func() []byte { return good }, nil, audit.ErrSignature, "pin"},
		{"member added", func() []byte {
			return tamper(t, good, func(b *bundle.Bundle) { delete(b.Members, bundle.KeyName) })
		}, w.pub, bundle.ErrManifest, "listed but missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := verify(tc.data(), tc.pinned)
			if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("got %v\nwant %v containing %q", err, tc.wantErr, tc.wantMsg)
			}
		})
	}
}

// The key inside a bundle is informative: another key there changes nothing (the
// pinned key decides) and is reported.
func TestKeyInTheBundleIsNotTrusted(t *testing.T) {
	w := covered(t)
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	data := tamper(t, w.export(t, "a"), func(b *bundle.Bundle) {
		b.Members[bundle.KeyName] = pemOf(t, other)
		redigest(b, bundle.KeyName)
	})
	r, err := verify(data, w.pub)
	if err != nil || !r.KeyInBundle || r.KeyMatches {
		t.Errorf("a bundle carrying another key, verified with the pinned one: %+v, %v", r, err)
	}
	if _, err := verify(data, other); !errors.Is(err, audit.ErrSignature) {
		t.Errorf("pinning the key the bundle carries: %v, want ErrSignature", err)
	}
}

func sha(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

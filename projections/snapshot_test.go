package projections_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/waymark-org/waymark/dashboard"
	"github.com/waymark-org/waymark/demo"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/paging"
	"github.com/waymark-org/waymark/internal/testkit"
	"github.com/waymark-org/waymark/projections"
	"github.com/waymark-org/waymark/sealing"
)

// Given the demo's journeys (every kind of event), a snapshot written when the runner
// stops, and more events after it (a case changed, a new one, a revocation, an
// erasure), when new read models load the snapshot and catch up, then they equal read
// models built from the whole log: every case view (blind indexes opened again), the
// directory, the revocations and the command ids.
func TestSnapshotLoadedAndCaughtUpEqualsRebuild(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, demo.Deps{Store: w.store, Vault: w.vault, HashKey: snapshotHashKey, Logger: testkit.Quiet()},
		time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	w.registerShelter(t)
	first := w.refer(t, "Ana Antes Ejemplo", "ANTES-1", "before the snapshot")
	dir := t.TempDir()
	before := newModels(w).withSnapshots(t, projections.SnapshotConfig{Dir: dir}).run(t, w)
	before.stop(t)
	written, cp := before.snaps.Written()
	if written == 0 || cp.Position != before.runner.Position() {
		t.Fatalf("%d snapshots written, the last at %+v; want one at %s", written, cp, before.runner.Position())
	}

	w.change(t, first, "note-after", domain.AddCaseNote{NoteID: "n2", Text: "after the snapshot"})
	w.refer(t, "Bea Despues Ejemplo", "DESPUES-2", "a new case")
	erased := w.refer(t, "Cora Borrada Ejemplo", "BORRADA-3", "to be erased")
	w.change(t, erased, "erase", domain.EraseSurvivorData{ReasonCode: domain.ErasureSurvivorRequest})
	if _, err := w.svc.RevokeSubject(ctx, adminActor, "revoke-1", "someone"); err != nil {
		t.Fatal(err)
	}
	// The demo answered this year's survey before the snapshot; a correction after it.
	if _, err := w.svc.AnswerBaselineSurvey(ctx, adminActor, "survey-fix", demo.ShelterCDMX, domain.AnswerBaselineSurvey{
		Round: 2026, Services: []domain.Service{domain.ServiceShelter}, Capacity: 41, Needs: []domain.SurveyNeed{domain.SurveyNeedTransport}}); err != nil {
		t.Fatal(err)
	}
	if o, _ := before.orgs.Get(demo.NGOChiapas); len(o.Survey) != 1 || o.Survey[0].Round != 2026 || o.Survey[0].SurvivorsPerYear == 0 {
		t.Fatalf("the demo's survey answers are not in the snapshotted directory: %+v", o.Survey)
	}

	// A server prefetches the file while its stores open (PrefetchSnapshot).
	pre := projections.PrefetchSnapshot(ctx, projections.SnapshotConfig{Dir: dir, HashKey: snapshotHashKey})
	<-pre.Done()
	loaded := newModels(w).withSnapshots(t, projections.SnapshotConfig{Dir: dir}).run(t, w)
	if at, ok := loaded.snaps.Loaded(); !ok || at != cp {
		t.Fatalf("loaded %v at %+v; want the snapshot at %+v", ok, at, cp)
	}
	rebuilt := newModels(w).run(t, w)
	sameModels(t, loaded, rebuilt)

	// Stopped, it writes a snapshot at the head: the prefetch, read before, is still
	// of cp, and a load given it takes it (not the file as it is now) and catches up
	// to the same read models.
	loaded.stop(t)
	if _, at := loaded.snaps.Written(); at.Position == cp.Position {
		t.Fatalf("no snapshot written after %+v", cp)
	}
	viaPrefetch := newModels(w).withSnapshots(t, projections.SnapshotConfig{Dir: dir, Prefetch: pre}).run(t, w)
	if at, ok := viaPrefetch.snaps.Loaded(); !ok || at != cp {
		t.Fatalf("loaded %v at %+v; want the prefetched snapshot at %+v", ok, at, cp)
	}
	sameModels(t, viaPrefetch, rebuilt)
	if o, _ := loaded.orgs.Get(demo.ShelterCDMX); len(o.Survey) != 1 || o.Survey[0].Capacity != 41 {
		t.Errorf("the survey's correction after the snapshot: %+v", o.Survey)
	}
	if pilot := dashboardOf(t, loaded)[0].(dashboard.View); pilot.Figures[0].Months[0].Value == 0 {
		t.Errorf("the dashboard compared holds nothing: the pilot shows no referrals in July 2025: %+v", pilot.Figures[0])
	}
	if loaded.cases.Len() < demo.Journeys+3 {
		t.Errorf("%d cases", loaded.cases.Len())
	}
	issued := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	if !loaded.revs.Revoked("", "someone", issued) || loaded.revs.Revoked("", "someone-else", issued) {
		t.Error("revocations differ from the log's")
	}
	if !loaded.cmds.Used(loaded.cmds.Key("shelter", "refer-Ana-Antes-Ejemplo")) {
		t.Error("a command id from before the snapshot is not known")
	}
	token := w.vault.BlindIndex(sealing.KindName, "Ana Antes Ejemplo")
	if page := loaded.cases.List(projections.CaseFilter{BlindIndex: []string{token}}, paging.Window{Size: 10}, eventstore.Start); len(page.Cases) != 1 || page.Cases[0].ID != first {
		t.Errorf("search by a name from the snapshot found %d cases", len(page.Cases))
	}
}

// oneCaseSnapshot is a store of one shelter and one case, and the directory of the
// snapshot written when a runner over it stopped.
func oneCaseSnapshot(t *testing.T) (*world, string) {
	t.Helper()
	w := newWorld(t)
	w.registerShelter(t)
	w.refer(t, "Dora Ejemplo", "DORA-1", "a note")
	dir := t.TempDir()
	newModels(w).withSnapshots(t, projections.SnapshotConfig{Dir: dir}).run(t, w).stop(t)
	return w, dir
}

// A snapshot that cannot be used is discarded with a reason, the read models are left
// empty, and a runner given it builds them from the log instead (and replaces it).
func TestUnusableSnapshotIsDiscardedAndRebuilt(t *testing.T) {
	w, good := oneCaseSnapshot(t)
	raw, err := os.ReadFile(filepath.Join(good, "readmodels.snap"))
	if err != nil {
		t.Fatal(err)
	}

	// Stores the snapshot is not of: an empty one (its checkpoint is beyond the head)
	// and one as long, with other events (reset and written again).
	empty := newWorld(t)
	other := newWorld(t)
	other.registerShelter(t)
	other.refer(t, "Dora Ejemplo", "DORA-1", "a note")

	changed := func(f func([]byte) []byte) []byte { return f(bytes.Clone(raw)) }
	for _, tc := range []struct {
		name  string
		file  []byte
		world *world
		key   []byte
		want  error
	}{
		{"a byte flipped", changed(func(b []byte) []byte { b[len(b)/2] ^= 0x20; return b }), w, nil, projections.ErrSnapshotCorrupt},
		{"the checksum flipped", changed(func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), w, nil, projections.ErrSnapshotCorrupt},
		{"truncated", raw[:len(raw)*2/3], w, nil, projections.ErrSnapshotCorrupt},
		{"only the magic", raw[:8], w, nil, projections.ErrSnapshotCorrupt},
		{"empty", nil, w, nil, projections.ErrSnapshotCorrupt},
		{"an old version", changed(func(b []byte) []byte { binary.BigEndian.PutUint16(b[8:], 0); return b }), w, nil, projections.ErrSnapshotFormat},
		{"another layout", changed(func(b []byte) []byte { b[12] ^= 0xff; return b }), w, nil, projections.ErrSnapshotFormat},
		{"another service's key", raw, w, bytes.Repeat([]byte{8}, 32), projections.ErrSnapshotCorrupt},
		{"checkpoint beyond the head", raw, empty, nil, projections.ErrSnapshotForeign},
		{"another event at the checkpoint", raw, other, nil, projections.ErrSnapshotForeign},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "readmodels.snap"), tc.file, 0o600); err != nil {
				t.Fatal(err)
			}
			// Read by the load, or prefetched before it: the same refusal.
			key := tc.key
			if key == nil {
				key = snapshotHashKey
			}
			for _, pre := range []*projections.SnapshotPrefetch{nil, projections.PrefetchSnapshot(t.Context(), projections.SnapshotConfig{Dir: dir, HashKey: key})} {
				m := newModels(tc.world).withSnapshots(t, projections.SnapshotConfig{Dir: dir, HashKey: tc.key, Prefetch: pre})
				if _, err := m.snaps.Load(context.Background(), tc.world.store); !errors.Is(err, tc.want) {
					t.Fatalf("load (prefetched: %v): %v, want %v", pre != nil, err, tc.want)
				}
				if m.cases.Len() != 0 || len(m.orgs.List("", "")) != 0 || m.cmds.Len() != 0 {
					t.Fatal("a discarded snapshot left something in the read models")
				}
			}

			// The runner given it rebuilds from the log, and writes a good one.
			m := newModels(tc.world).withSnapshots(t, projections.SnapshotConfig{Dir: dir, HashKey: tc.key}).run(t, tc.world)
			if _, ok := m.snaps.Loaded(); ok {
				t.Fatal("the runner loaded it")
			}
			sameModels(t, m, newModels(tc.world).run(t, tc.world))
			m.snaps.Wait()
			if n, _ := m.snaps.Written(); n == 0 && tc.world != empty {
				t.Error("no snapshot written after the rebuild")
			}
		})
	}
}

// A prefetch is taken only by the snapshots of the file it read, under the key it read
// it with: given to others, it is ignored and they read their own file.
func TestPrefetchOfAnotherFileIsIgnored(t *testing.T) {
	w, good := oneCaseSnapshot(t)

	elsewhere := newModels(w).withSnapshots(t, projections.SnapshotConfig{Dir: t.TempDir(),
		Prefetch: projections.PrefetchSnapshot(t.Context(), projections.SnapshotConfig{Dir: good, HashKey: snapshotHashKey})})
	if _, err := elsewhere.snaps.Load(t.Context(), w.store); !errors.Is(err, projections.ErrNoSnapshot) {
		t.Fatalf("another directory's prefetch: %v, want ErrNoSnapshot", err)
	}
	wrongKey := newModels(w).withSnapshots(t, projections.SnapshotConfig{Dir: good,
		Prefetch: projections.PrefetchSnapshot(t.Context(), projections.SnapshotConfig{Dir: good, HashKey: bytes.Repeat([]byte{9}, 32)})})
	if _, err := wrongKey.snaps.Load(t.Context(), w.store); err != nil {
		t.Fatalf("a prefetch under another key: %v, want the file loaded with its own", err)
	}
	if wrongKey.cases.Len() != 1 {
		t.Errorf("%d cases loaded, want 1", wrongKey.cases.Len())
	}
}

// Leftovers of a write that a crash interrupted are removed at the next load.
func TestInterruptedWriteLeavesNothing(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	tmp := filepath.Join(dir, ".readmodels-123.tmp")
	if err := os.WriteFile(tmp, []byte("half a snapshot"), 0o600); err != nil {
		t.Fatal(err)
	}
	m := newModels(w).withSnapshots(t, projections.SnapshotConfig{Dir: dir})
	if _, err := m.snaps.Load(context.Background(), w.store); !errors.Is(err, projections.ErrNoSnapshot) {
		t.Fatalf("load: %v", err)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the interrupted write is still there: %v", err)
	}
}

// The snapshot holds personal data only sealed: no name, document number or note in
// clear, and no blind-index token (a keyed hash of her name that anyone holding the
// index key could test guesses against), only the sealed indexes the events carried.
// It is readable by its owner only.
func TestSnapshotHoldsNoClearPersonalData(t *testing.T) {
	w := newWorld(t)
	w.registerShelter(t)
	name, doc, note := "Xiomara Quetzal Ejemplo", "PX9988776", "she fears the man in the blue truck"
	w.refer(t, name, doc, note)
	dir := t.TempDir()
	m := newModels(w).withSnapshots(t, projections.SnapshotConfig{Dir: dir}).run(t, w)
	m.stop(t)
	path := m.snaps.Path()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v := m.cases.List(projections.CaseFilter{}, paging.Window{Size: 1}, eventstore.Start).Cases[0]
	if len(v.BlindIndex) != 2 || len(v.SealedIndex) != 2 {
		t.Fatalf("the case has %d tokens from %d sealed indexes; want a name's and a document's", len(v.BlindIndex), len(v.SealedIndex))
	}
	secrets := map[string]string{"name": name, "surname": "Quetzal", "document number": doc, "note": note, "note word": "blue truck"}
	for i, token := range v.BlindIndex {
		secrets["blind-index token "+string(rune('0'+i))] = token
	}
	for what, secret := range secrets {
		for _, form := range []string{secret, string(bytes.ToLower([]byte(secret)))} {
			if bytes.Contains(raw, []byte(form)) {
				t.Errorf("the snapshot holds the %s in clear", what)
			}
		}
	}
	if !bytes.Contains(raw, v.Survivor.Data) || !bytes.Contains(raw, v.SealedIndex[0].Data) {
		t.Error("the snapshot does not hold the sealed personal data and index as the events stored them")
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("the snapshot is %v; want 0600", perm)
	}
}

// Erasure after a snapshot: the case's key is destroyed, so the snapshot's sealed data
// of the case no longer opens; loading it finds her by nothing (her blind indexes do
// not open), the erasure applied on catch-up clears the view, and the next snapshot
// holds none of what was sealed before.
//
// Both key stores: the snapshot's load reads every case key in one pass
// (sealing.KeyScanner), and the erased case's key must not be among them.
func TestErasureAfterSnapshot(t *testing.T) {
	for _, keys := range []string{"memory", "jetstream"} {
		t.Run("keys="+keys, func(t *testing.T) {
			vault := testkit.Vault(t)
			if keys == "jetstream" {
				vault = testkit.JetStreamVault(t)
			}
			testErasureAfterSnapshot(t, newWorldWith(t, vault))
		})
	}
}

func testErasureAfterSnapshot(t *testing.T, w *world) {
	w.registerShelter(t)
	name := "Elena Borrada Ejemplo"
	gone := w.refer(t, name, "GONE-1", "erase me")
	kept := w.refer(t, "Fina Guardada Ejemplo", "KEPT-2", "keep me")
	dir := t.TempDir()
	before := newModels(w).withSnapshots(t, projections.SnapshotConfig{Dir: dir}).run(t, w)
	before.stop(t)
	old, _ := before.cases.Get(gone)

	w.change(t, gone, "erase", domain.EraseSurvivorData{ReasonCode: domain.ErasureSurvivorRequest})
	search := func(m *models, name string) int {
		return m.found(w, sealing.KindName, name)
	}

	// Loaded, before the erasure is applied: nothing of hers opens.
	loaded := newModels(w).withSnapshots(t, projections.SnapshotConfig{Dir: dir})
	if _, err := loaded.snaps.Load(context.Background(), w.store); err != nil {
		t.Fatal(err)
	}
	v, _ := loaded.cases.Get(gone)
	if len(v.BlindIndex) != 0 || search(loaded, name) != 0 {
		t.Errorf("the erased case is found by her name from the snapshot: %d tokens", len(v.BlindIndex))
	}
	if _, err := w.vault.Open(context.Background(), gone, v.Survivor.EventID, v.Survivor.SchemaVersion, v.Survivor.Data); !errors.Is(err, sealing.ErrKeyDestroyed) {
		t.Errorf("her sealed identity from the snapshot opens: %v", err)
	}
	if search(loaded, "Fina Guardada Ejemplo") != 1 {
		t.Error("the other case is not found by her name")
	}

	// Caught up: the erasure applies on top of the snapshot.
	after := newModels(w).withSnapshots(t, projections.SnapshotConfig{Dir: dir}).run(t, w)
	if _, ok := after.snaps.Loaded(); !ok {
		t.Fatal("the snapshot was not loaded")
	}
	v, _ = after.cases.Get(gone)
	if !v.State.Erased || !v.Survivor.IsZero() || len(v.Sealed) != 0 || len(v.SealedIndex) != 0 || search(after, name) != 0 {
		t.Errorf("the erasure did not apply over the snapshot: %+v", v)
	}
	if k, _ := after.cases.Get(kept); k.Survivor.IsZero() {
		t.Error("the other case lost its identity")
	}
	after.stop(t)
	raw, err := os.ReadFile(after.snaps.Path())
	if err != nil {
		t.Fatal(err)
	}
	notes, err := projections.NoteTexts(context.Background(), w.store, old) // the log keeps them; a snapshot never did
	if err != nil || len(notes) == 0 {
		t.Fatalf("her notes' sealed texts: %v, %v", notes, err)
	}
	for what, sealed := range map[string][]byte{"identity": old.Survivor.Data, "note": notes[0].Data, "index": old.SealedIndex[0].Data} {
		if bytes.Contains(raw, sealed) {
			t.Errorf("the snapshot written after the erasure holds her sealed %s", what)
		}
	}
}

// Once caught up, a snapshot is written at the first event when none was loaded, then
// after every Every events.
func TestSnapshotWrittenEveryNEvents(t *testing.T) {
	w := newWorld(t)
	w.registerShelter(t)
	m := newModels(w).withSnapshots(t, projections.SnapshotConfig{Dir: t.TempDir(), Every: 3, Interval: time.Hour}).run(t, w)
	written := func() int {
		m.catchUp(t, w)
		m.snaps.Wait()
		n, _ := m.snaps.Written()
		return n
	}
	if n := written(); n != 1 {
		t.Fatalf("%d snapshots after the first event; want 1", n)
	}
	caseID := w.refer(t, "Gala Ejemplo", "GALA-1", "one") // four events
	if n := written(); n != 2 {
		t.Fatalf("%d snapshots after four more events; want 2", n)
	}
	w.change(t, caseID, "note-2", domain.AddCaseNote{NoteID: "n2", Text: "two"})
	if n := written(); n != 2 {
		t.Fatalf("%d snapshots after two more; want still 2", n)
	}
	w.change(t, caseID, "note-3", domain.AddCaseNote{NoteID: "n3", Text: "three"})
	if n := written(); n != 3 {
		t.Fatalf("%d snapshots after three more; want 3", n)
	}
	_, cp := m.snaps.Written()
	if cp.Position != m.runner.Position() {
		t.Errorf("the last snapshot is at %s; want %s", cp.Position, m.runner.Position())
	}
	// The subscription leaves events unhashed: the checkpoint's hash, made when the
	// snapshot was taken and when the runner is asked, is the stored event's.
	recs, err := w.store.ReadStream(context.Background(), cp.Stream, cp.Revision)
	if err != nil || len(recs) == 0 {
		t.Fatalf("read the checkpoint's event: %v", err)
	}
	if want := recs[0].Metadata.Hash; cp.Hash != want || m.runner.Checkpoint().Hash != want {
		t.Errorf("checkpoint hash %q in the snapshot, %q from the runner; the event's is %q", cp.Hash, m.runner.Checkpoint().Hash, want)
	}
}

// A runner that fails part-way through an event writes no snapshot: some projections
// may hold the event and others not.
func TestNoSnapshotAfterAFailure(t *testing.T) {
	w := newWorld(t)
	w.registerShelter(t)
	w.refer(t, "Hana Ejemplo", "HANA-1", "one")
	appendEvents(t, w.store, "case-orphan", domain.CaseNoteAdded{NoteID: "n", At: at, Personal: &domain.NoteDetails{Text: "orphan"}})
	m := newModels(w).withSnapshots(t, projections.SnapshotConfig{Dir: t.TempDir()})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.runner.Run(ctx); err == nil {
		t.Fatal("the runner applied a case without a referral")
	}
	if _, err := os.Stat(m.snaps.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a snapshot was written after a failure: %v", err)
	}
}

package main

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/auth"
	"github.com/waymark-org/waymark/demo"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/internal/fsync"
	"github.com/waymark-org/waymark/node"
	"github.com/waymark-org/waymark/sealing"
)

// The data the bench runs on is written in-process, before a server opens the
// directory: the demo coalition's directory (27 organisations; the shelter
// benchOrganisation's caseworkers make every case) and, for the size figures, cases
// written straight through the application layer — authorised, decided, sealed,
// hashed and keyed as over HTTP, with the same secrets the server then starts on,
// but with --sync interval and many writers, and no HTTP: large sizes take minutes
// this way, not hours, and what HTTP costs is what the command figures measure.
// The server is then 'serve --demo' on the directory: the store is not empty, so it
// seeds nothing.

const (
	benchOrganisation = "mx-refugio-esperanza" // a shelter of the demo coalition
	benchJurisdiction = "MX"
	eventsPerCase     = 20 // a referral and 19 notes, as bench.CommandLoad's cases
	benchNote         = "Called her at the shelter: the bank appointment is on Tuesday at ten; she asked for a female adviser and for the letter in Spanish."
)

// benchWriters is how many cases are written at once: enough to keep both cores
// busy while writers wait for the key store's fsync (it always syncs a case key).
const benchWriters = 32

// writeBenchData makes dir a data directory holding the coalition and cases cases of
// eventsPerCase events each. dir must be new or empty.
func writeBenchData(ctx context.Context, dir string, cases int, logger *slog.Logger) error {
	sf := storeFlags{dataDir: dir, sync: jetstream.SyncInterval}.resolved()
	locks, err := lockStore("bench", sf.dataDir, sf.keysDir)
	if err != nil {
		return err
	}
	defer locks.Release()
	// The writing leaves the in-process JetStream server's garbage in this process,
	// which then generates the load the servers are measured under: hand it back
	// before, so the load generator does not collect gigabytes while it measures.
	defer debug.FreeOSMemory()
	if _, err := sf.secrets.generate(); err != nil {
		return fmt.Errorf("bench secrets: %w", err)
	}
	// The file, never WAYMARK_MASTER_KEY: the server runs without WAYMARK_ variables.
	ring, err := sealing.ReadKeyring(sf.secrets.masterKey)
	if err != nil {
		return fmt.Errorf("bench keyring: %w", err)
	}
	key, err := loadCommandKey(sf.secrets.commandKey)
	if err != nil {
		return err
	}
	quiet := slog.New(slog.DiscardHandler)
	backends, err := node.OpenJetStream(ctx, node.JetStreamConfig{Store: sf.storeConfig(""), KeysDir: sf.keysDir, KeysNATS: sf.keysNATS(), Logger: quiet})
	if err != nil {
		return err
	}
	defer backends.Close() // on the error paths; closing twice is harmless
	vault, err := sealing.NewVault(backends.Keys, ring)
	if err != nil {
		return fmt.Errorf("open vault: %w", err)
	}
	svc, err := app.New(app.Config{Store: backends.Store, Vault: vault, HashKey: key, Logger: quiet})
	if err != nil {
		return err
	}
	if err := registerCoalition(ctx, svc); err != nil {
		return err
	}
	if err := writeCases(ctx, svc, cases, logger); err != nil {
		return err
	}
	if err := backends.Close(); err != nil {
		return err
	}
	return syncTree(sf.dataDir)
}

// syncTree fsyncs every file and directory under dir. The data is written with
// --sync interval, for speed, and the page cache still holds most of it: whatever
// opened the directory next with --sync always (its store makes everything already
// there durable first) would pay for the writing, not for what it measures.
func syncTree(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || d.Type().IsRegular() {
			if err := fsync.Path(path); err != nil {
				return fmt.Errorf("bench: make the data durable: %w", err)
			}
		}
		return nil
	})
}

// registerCoalition registers the demo coalition's organisations, as demo.Seed does,
// without its journeys.
func registerCoalition(ctx context.Context, svc *app.Service) error {
	admin := app.Actor{ID: "bench-admin", Role: app.RoleAdmin}
	for _, o := range demo.Coalition() {
		if _, err := svc.RegisterOrganisation(ctx, admin, "bench-org-"+o.ID, o.ID, domain.RegisterOrganisation{
			Name: o.Name, Kind: o.Kind, Jurisdiction: o.Jurisdiction, Services: o.Services, Programmes: o.Programmes,
		}); err != nil {
			return fmt.Errorf("register organisation %s: %w", o.ID, err)
		}
	}
	return nil
}

// writeCases writes n cases from benchWriters writers at once, each a referral then
// notes up to eventsPerCase events, by caseworkers of benchOrganisation.
func writeCases(ctx context.Context, svc *app.Service, n int, logger *slog.Logger) error {
	if n == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next, done atomic.Int64
		errOnce    sync.Once
		firstErr   error
		wg         sync.WaitGroup
	)
	start := time.Now()
	for w := range min(benchWriters, n) {
		wg.Go(func() {
			worker := app.Actor{ID: fmt.Sprintf("bench-writer-%d", w), Role: app.RoleCaseworker, Organisation: benchOrganisation}
			for i := int(next.Add(1)) - 1; i < n && ctx.Err() == nil; i = int(next.Add(1)) - 1 {
				if err := writeCase(ctx, svc, worker, i); err != nil {
					errOnce.Do(func() { firstErr = err })
					cancel()
					return
				}
				if d := done.Add(1); n >= 1000 && d%int64(n/4) == 0 {
					logger.Info("bench: writing cases", "written", d, "of", n, "elapsed", time.Since(start).Round(time.Second))
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

func writeCase(ctx context.Context, svc *app.Service, worker app.Actor, i int) error {
	res, err := svc.ReferSurvivor(ctx, worker, fmt.Sprintf("bench-case-%d", i), domain.ReferSurvivor{
		ReferringOrganisation: domain.OrgRef{ID: benchOrganisation}, Jurisdiction: benchJurisdiction,
		Needs: []domain.Need{domain.NeedBankAccount, domain.NeedIDDocument}, Barriers: []domain.Barrier{domain.BarrierNoID},
		Survivor: domain.SurvivorDetails{FullName: fmt.Sprintf("Bench Survivor %d", i), DateOfBirth: "1994-05-17"},
	})
	if err != nil {
		return fmt.Errorf("case %d: referral: %w", i, err)
	}
	for note := 1; note < eventsPerCase; note++ {
		if _, err := svc.ChangeCase(ctx, worker, app.CaseCommand{
			CommandID: fmt.Sprintf("bench-case-%d-note-%d", i, note), CaseID: res.ID,
			Command: domain.AddCaseNote{Text: benchNote},
		}); err != nil {
			return fmt.Errorf("case %d: note %d: %w", i, note, err)
		}
	}
	return nil
}

// logRead is what readLog measured.
type logRead struct {
	open   time.Duration // open the store and read its head: JetStream recovering its streams
	total  time.Duration // that, and reading every event
	events int
}

// readLog is the baseline of a restart: open the directory's event store and read
// every event of the global log in order through it — what a restart cannot do
// without — but fold nothing, open no key store and serve nothing. It returns how long
// opening took (the part of any restart that is the embedded JetStream recovering its
// stream, whatever the read models do), how long all of it took, and how many events
// it read.
func readLog(ctx context.Context, dir string) (logRead, error) {
	sf := storeFlags{dataDir: dir, sync: jetstream.SyncAlways}.resolved()
	locks, err := lockStore("bench", sf.dataDir, sf.keysDir)
	if err != nil {
		return logRead{}, err
	}
	defer locks.Release()
	cfg := sf.storeConfig("")
	cfg.Logger = slog.New(slog.DiscardHandler)
	start := time.Now()
	store, err := jetstream.Open(ctx, cfg)
	if err != nil {
		return logRead{}, fmt.Errorf("open event store: %w", err)
	}
	defer store.Close()
	head, err := store.Head(ctx)
	if err != nil {
		return logRead{}, fmt.Errorf("read store head: %w", err)
	}
	r := logRead{open: time.Since(start)}
	if head.IsStart() {
		r.total = r.open
		return r, nil
	}
	sub, err := store.Subscribe(ctx, eventstore.Start)
	if err != nil {
		return logRead{}, fmt.Errorf("subscribe to the log: %w", err)
	}
	defer sub.Close()
	for e := range sub.Events() {
		r.events++
		if !e.Position.Before(head) {
			r.total = time.Since(start)
			return r, nil
		}
	}
	return logRead{}, fmt.Errorf("the log ended after %d events, before its head %s: %v", r.events, head, sub.Err())
}

// benchTokens mints n tokens for users of role at org with the directory's signing
// key, in-process: 'token issue' is a process per token, and 256 clients need 256.
func benchTokens(dir, role, org string, n int) ([]string, error) {
	sf := storeFlags{dataDir: dir}.resolved()
	key, err := sf.secrets.readSigningKey()
	if err != nil {
		return nil, err
	}
	issuer := auth.Issuer{Key: key, Issuer: tokenIssuer, Audience: tokenAudience}
	tokens := make([]string, n)
	for i := range tokens {
		if tokens[i], _, err = issuer.Issue(fmt.Sprintf("bench-%s-%d", role, i), org, role, 4*time.Hour, time.Now()); err != nil {
			return nil, fmt.Errorf("bench token: %w", err)
		}
	}
	return tokens, nil
}

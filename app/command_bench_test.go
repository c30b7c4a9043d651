package app_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/bench"
	"github.com/waymark-org/waymark/domain"
	js "github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/internal/natsembed"
	"github.com/waymark-org/waymark/internal/testkit"
)

// The application layer's write path without HTTP in front of it, next to raw
// JetStream publishes and (with sync=always, when PostgreSQL is installed) a
// PostgreSQL events table appended to by as many pgbench clients in the same run:
// one run gives their ratios (BENCHMARKS.md). Writers open a case with a referral and
// add notes until it holds 20 events, then open the next, as real cases grow.
//
//	go test -run x -bench 'CommandThroughDomain|RawJetStream' -benchtime 3s ./app/

const eventsPerCase = 20

var benchModes = []string{js.SyncInterval, js.SyncAlways}

// BenchmarkCommandThroughDomain runs referSurvivor and addCaseNote commands from
// concurrent writers: authorise, load and fold the case, decide, seal the personal
// data, append with the expected revision (durable before the answer with
// sync=always). Per op: one command.
func BenchmarkCommandThroughDomain(b *testing.B) {
	pg, err := bench.StartBaseline(b.Context(), 3*time.Second)
	if errors.Is(err, bench.ErrNoPostgres) {
		b.Logf("no PostgreSQL baseline: %v", err)
	} else if err != nil {
		b.Fatal(err)
	} else {
		b.Cleanup(pg.Close)
	}
	for _, mode := range benchModes {
		b.Run("sync="+mode, func(b *testing.B) {
			svc := benchService(b, mode)
			for _, writers := range []int{1, 16, 64} {
				b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
					run := fmt.Sprintf("%s-%d-%d", mode, writers, b.N)
					start := time.Now()
					if err := runWriters(b, svc, run, writers, b.N); err != nil {
						b.Fatal(err)
					}
					perSecond := float64(b.N) / time.Since(start).Seconds()
					b.StopTimer() // the baseline's own run is not Waymark's time
					b.ReportMetric(perSecond, "commands/s")
					if pg != nil && mode == js.SyncAlways && b.N > 1 {
						base, err := pg.Rate(b.Context(), writers)
						if err != nil {
							b.Fatal(err)
						}
						b.ReportMetric(base, "postgres_appends/s")
						b.ReportMetric(perSecond/base, "x_postgres")
					}
				})
			}
		})
	}
}

// benchService is a service on the embedded JetStream store with the JetStream key
// vault and one shelter.
func benchService(b *testing.B, mode string) *app.Service {
	store, err := js.Open(b.Context(), js.Config{DataDir: b.TempDir(), Sync: mode, Logger: quiet()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	svc, err := app.New(app.Config{Store: store, HashKey: bytes.Repeat([]byte{1}, 32), Logger: quiet(), Vault: testkit.JetStreamVault(b),
		Clock: app.NewFixedClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), IDs: app.NewSequentialIDs(9)})
	if err != nil {
		b.Fatal(err)
	}
	admin := app.Actor{ID: "a", Role: app.RoleAdmin}
	if _, err := svc.RegisterOrganisation(b.Context(), admin, "org", "shelter", domain.RegisterOrganisation{
		Name: "Shelter", Kind: domain.OrgShelter, Jurisdiction: "MX"}); err != nil {
		b.Fatal(err)
	}
	return svc
}

// runWriters runs n commands from this many writers, each growing its own cases.
func runWriters(b *testing.B, svc *app.Service, run string, writers, n int) error {
	worker := app.Actor{ID: "w", Role: app.RoleCaseworker, Organisation: "shelter"}
	var left atomic.Int64
	left.Store(int64(n))
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			caseID, events := "", eventsPerCase
			for i := 0; left.Add(-1) >= 0; i++ {
				id := fmt.Sprintf("%s-%d-%d", run, w, i)
				if events == eventsPerCase {
					res, err := svc.ReferSurvivor(b.Context(), worker, id, domain.ReferSurvivor{
						ReferringOrganisation: domain.OrgRef{ID: "shelter"}, Jurisdiction: "MX",
						Survivor: domain.SurvivorDetails{FullName: "Bench Survivor"},
					})
					if err != nil {
						errs <- err
						return
					}
					caseID, events = res.ID, 1
					continue
				}
				if _, err := svc.ChangeCase(b.Context(), worker, app.CaseCommand{
					CommandID: id, CaseID: caseID,
					Command: domain.AddCaseNote{Text: "Called the survivor; next visit on Tuesday."},
				}); err != nil {
					errs <- err
					return
				}
				events++
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// BenchmarkRawJetStreamPublish publishes a payload of an event's size per op with
// Nats-Expected-Last-Subject-Sequence, 20 per subject, one writer, to a plain
// embedded JetStream server (file storage; sync=always: the server fsyncs each
// message before its ack): the floor under the above.
func BenchmarkRawJetStreamPublish(b *testing.B) {
	payload := bytes.Repeat([]byte("x"), 600)
	for _, mode := range benchModes {
		b.Run("sync="+mode, func(b *testing.B) {
			srv, err := natsembed.Start(natsembed.Config{Options: &server.Options{
				JetStream: true, StoreDir: b.TempDir(), SyncAlways: mode == js.SyncAlways, NoSigs: true, DontListen: true,
			}, Logger: quiet(), Component: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			defer natsembed.Shutdown(srv)
			nc, err := nats.Connect("", nats.InProcessServer(srv))
			if err != nil {
				b.Fatal(err)
			}
			defer nc.Close()
			stream, err := jetstream.New(nc)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := stream.CreateStream(b.Context(), jetstream.StreamConfig{Name: "raw", Subjects: []string{"raw.>"}, Storage: jetstream.FileStorage}); err != nil {
				b.Fatal(err)
			}
			subject, last, events, n := "", uint64(0), eventsPerCase, 0
			for b.Loop() {
				if events == eventsPerCase {
					n++
					subject, last, events = fmt.Sprintf("raw.case-%d", n), 0, 0
				}
				ack, err := stream.Publish(b.Context(), subject, payload, jetstream.WithExpectLastSequencePerSubject(last))
				if err != nil {
					b.Fatal(err)
				}
				last = ack.Sequence
				events++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "publishes/s")
		})
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

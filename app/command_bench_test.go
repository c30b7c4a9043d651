package app_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
	js "github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/internal/testkit"
)

// Appending through the domain and raw JetStream publishing with the concurrency
// header, side by side in one file so one run gives their ratio (BENCHMARKS.md).
// Both write to cases of 20 events, then move on to a fresh case, as real cases do.

const eventsPerCase = 20

var benchModes = []string{js.SyncInterval, js.SyncAlways}

// BenchmarkCommandThroughDomain runs addCaseNote commands: read the command claim,
// load and fold the case, decide, claim the command id, append with the expected
// revision.
func BenchmarkCommandThroughDomain(b *testing.B) {
	for _, mode := range benchModes {
		b.Run("sync="+mode, func(b *testing.B) {
			store, err := js.Open(b.Context(), js.Config{DataDir: b.TempDir(), Sync: mode, Logger: quiet()})
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			svc, err := app.New(app.Config{Store: store, HashKey: bytes.Repeat([]byte{1}, 32), Logger: quiet(), Vault: testkit.JetStreamVault(b),
				Clock: app.NewFixedClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), IDs: app.NewSequentialIDs(9)})
			if err != nil {
				b.Fatal(err)
			}
			admin := app.Actor{ID: "a", Role: app.RoleAdmin}
			worker := app.Actor{ID: "w", Role: app.RoleCaseworker, Organisation: "shelter"}
			if _, err := svc.RegisterOrganisation(b.Context(), admin, "org", "shelter", domain.RegisterOrganisation{
				Name: "Shelter", Kind: domain.OrgShelter, Jurisdiction: "MX"}); err != nil {
				b.Fatal(err)
			}
			caseID, events := "", eventsPerCase
			n := 0
			for b.Loop() {
				n++
				if events == eventsPerCase {
					res, err := svc.ReferSurvivor(b.Context(), worker, fmt.Sprintf("refer-%d", n), domain.ReferSurvivor{
						ReferringOrganisation: domain.OrgRef{ID: "shelter"}, Jurisdiction: "MX",
						Survivor: domain.SurvivorDetails{FullName: "Bench Survivor"},
					})
					if err != nil {
						b.Fatal(err)
					}
					caseID, events = res.ID, 1
					continue
				}
				_, err := svc.ChangeCase(b.Context(), worker, app.CaseCommand{
					CommandID: fmt.Sprintf("note-%d", n), CaseID: caseID,
					Command: domain.AddCaseNote{Text: "Called the survivor; next visit on Tuesday."},
				})
				if err != nil {
					b.Fatal(err)
				}
				events++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commands/s")
		})
	}
}

// BenchmarkRawJetStreamPublish publishes a payload of an event's size per op with
// Nats-Expected-Last-Subject-Sequence, 20 per subject: the floor under the above.
func BenchmarkRawJetStreamPublish(b *testing.B) {
	payload := bytes.Repeat([]byte("x"), 600)
	for _, mode := range benchModes {
		b.Run("sync="+mode, func(b *testing.B) {
			store, err := js.Open(b.Context(), js.Config{DataDir: b.TempDir(), Sync: mode, Logger: quiet()})
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			stream, err := jetstream.New(store.Conn())
			if err != nil {
				b.Fatal(err)
			}
			subject, last, events, n := "", uint64(0), eventsPerCase, 0
			for b.Loop() {
				if events == eventsPerCase {
					n++
					subject, last, events = fmt.Sprintf("waymark.events.raw-%d", n), 0, 0
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

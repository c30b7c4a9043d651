package demo_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/waymark-org/waymark/demo"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore/jetstream"
)

func TestSeedWalksJourneysToEveryStage(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: t.TempDir(), Sync: jetstream.SyncInterval, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	sum, err := demo.Seed(context.Background(), store, bytes.Repeat([]byte{1}, 32), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), logger)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Organisations != len(demo.Coalition()) || sum.Cases != demo.Journeys {
		t.Errorf("seeded %d organisations and %d cases", sum.Organisations, sum.Cases)
	}
	for _, stage := range domain.AllStage() {
		if sum.ByStage[stage] == 0 {
			t.Errorf("no demo journey at stage %s: %v", stage, sum.ByStage)
		}
	}
	if sum.Closed == 0 {
		t.Error("no demo journey is closed")
	}
}

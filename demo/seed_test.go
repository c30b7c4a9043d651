package demo_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/waymark-org/waymark/demo"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/internal/testkit"
)

func TestSeedWalksJourneysToEveryStage(t *testing.T) {
	deps := demo.Deps{Store: testkit.Store(t), Vault: testkit.Vault(t), HashKey: bytes.Repeat([]byte{1}, 32), Logger: testkit.Quiet()}
	sum, err := demo.Seed(context.Background(), deps, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
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

package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/waymark-org/waymark/node"
)

// A k the dashboard cannot use is a usage error naming the flag, before serve touches
// its data directory; a good one reaches the node.
func TestDashboardMinCellFlag(t *testing.T) {
	dir := t.TempDir()
	for _, k := range []string{"2", "0", "-5", "101", "five"} {
		err := run(context.Background(), []string{"serve", "--data-dir", dir, "--dashboard-min-cell", k}, quietLogger())
		if err == nil || !strings.Contains(err.Error(), "dashboard-min-cell") {
			t.Errorf("--dashboard-min-cell %s: %v, want a usage error naming the flag", k, err)
		}
		if k != "five" && !errors.Is(err, errUsage) {
			t.Errorf("--dashboard-min-cell %s: %v is not a usage error", k, err)
		}
	}
	if err := checkMinCell(3); err != nil {
		t.Errorf("k = 3: %v", err)
	}
	var cfg node.Config
	withDashboard(7)(&cfg)
	if cfg.DashboardMinCell != 7 {
		t.Errorf("the node got k = %d", cfg.DashboardMinCell)
	}
}

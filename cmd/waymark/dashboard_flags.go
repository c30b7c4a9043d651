package main

import (
	"flag"
	"fmt"

	"github.com/waymark-org/waymark/dashboard"
	"github.com/waymark-org/waymark/node"
)

// maxMinCell bounds --dashboard-min-cell: past it nearly every count of an
// organisation's month is withheld.
const maxMinCell = 100

func registerDashboardFlags(fs *flag.FlagSet) *int {
	return fs.Int("dashboard-min-cell", dashboard.DefaultMinCell,
		fmt.Sprintf("k: the coalition dashboard withholds every count from 1 to k-1 (and what would give one back) and quantiles over fewer than k cases (at least %d)", dashboard.MinCellFloor))
}

func checkMinCell(k int) error {
	if err := dashboard.CheckMinCell(k); err != nil || k > maxMinCell {
		return fmt.Errorf("%w: --dashboard-min-cell %d: want %d to %d", errUsage, k, dashboard.MinCellFloor, maxMinCell)
	}
	return nil
}

// withDashboard configures the coalition dashboard's k.
func withDashboard(k int) func(*node.Config) {
	return func(cfg *node.Config) { cfg.DashboardMinCell = k }
}

package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBenchReport is how CI runs 'waymark bench': the real binary, at the smallest
// size (--smoke: every section, tiny sizes, low rates), writing its report with --out.
// The report must hold every section and no row marked error, and be what it printed.
// Its figures are printed (go test -v) and never asserted: CI's machine is shared and
// runs this under the race detector.
func TestBenchReport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	cmd := exec.CommandContext(t.Context(), waymarkBinary(t), "bench", "--smoke", "--out", out, "--data-dir", filepath.Join(t.TempDir(), "scratch"))
	cmd.Env = childEnv()
	// Stopped, it stops its servers: SIGTERM, never SIGKILL first.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = time.Minute
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	report, readErr := os.ReadFile(out)
	t.Logf("report:\n%s", report)
	if err != nil || readErr != nil {
		t.Fatalf("waymark bench: %v, %v; stderr:\n%s", err, readErr, stderr.String())
	}
	if stdout.String() != string(report) {
		t.Errorf("printed report differs from --out's:\n%s", stdout.String())
	}
	for _, s := range benchSections {
		if !strings.Contains(string(report), "\n## "+s.title+"\n") {
			t.Errorf("no section %q", s.title)
		}
	}
	for line := range strings.Lines(string(report)) {
		// No figure failed, and no read had an error: at --smoke's rates every one
		// is answered, and one that is not is a broken bench or server.
		if strings.HasPrefix(line, "|") && strings.Contains(line, "error") {
			t.Errorf("row with an error: %s", line)
		}
	}
	for _, want := range []string{"| case(id) summary at 50/s, the first 1s after restart: p99 |",
		"| case(id) summary without the journey at 50/s: p99 |", "at 50/s); the server's own p99 ≤ ",
		"| resident memory right after the reads, 40 cases", "| resident memory per case above a server with no cases, right after the reads |",
		"| rebuild from zero (the first start: no snapshot yet), 40 cases", "reading the log raw", "| < 10 s for 1,000,000 events | n/a ("} {
		if !strings.Contains(string(report), want) {
			t.Errorf("no row %q", want)
		}
	}
	for _, want := range []string{"**date:**", "**machine:**", "**versions:**", "**command:** `waymark bench --smoke --out "} {
		if !strings.Contains(string(report), want) {
			t.Errorf("no %q in the header", want)
		}
	}
}

// TestBenchGrowthReport runs 'waymark bench --growth' at --smoke's sizes: every row
// there, none an error. Figures printed, never asserted.
func TestBenchGrowthReport(t *testing.T) {
	cmd := exec.CommandContext(t.Context(), waymarkBinary(t), "bench", "--smoke", "--growth", "--data-dir", filepath.Join(t.TempDir(), "scratch"))
	cmd.Env = childEnv()
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = time.Minute
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	t.Logf("report:\n%s", stdout.String())
	if err != nil {
		t.Fatalf("waymark bench --growth: %v; stderr:\n%s", err, stderr.String())
	}
	report := stdout.String()
	if !strings.Contains(report, "\n## "+secGrowth+"\n") {
		t.Errorf("no section %q", secGrowth)
	}
	for _, want := range []string{"rebuild from zero (first start, no snapshot), 60 cases", "append (command over HTTP) p99, 60 vs 20 cases",
		"case(id) summary p99, 60 vs 20 cases", "the first 1s after restart, 60 cases", "in service after that, 60 cases",
		"case(id) summary without the journey p99, 60 vs 20 cases", "case(id) summary, the server's own p99 (its histogram's bucket), 60 vs 20 cases | ≤ ",
		"resident memory right after the reads, 60 cases", "resident memory per case above a server with no cases, right after the reads, 60 vs 20 cases",
		"extrapolated to 1,000,000 cases: resident memory", "extrapolated to 1,000,000 cases: rebuild from zero"} {
		if !strings.Contains(report, want) {
			t.Errorf("no row %q", want)
		}
	}
	// The compared read says how many collections its window held, read from the
	// server's own metrics.
	if !regexp.MustCompile(`in service after that, 60 cases [^|]*\| [^\n]*; [0-9,]+ garbage collections? in the window`).MatchString(report) {
		t.Error("the compared read does not say how many garbage collections its window held")
	}
	for line := range strings.Lines(report) {
		if strings.HasPrefix(line, "|") && strings.Contains(line, "error") {
			t.Errorf("row with an error: %s", line)
		}
	}
}

// The command line: usage errors exit 2 with a message; --help prints the usage.
func TestBenchFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want error
	}{
		{[]string{"--quick", "--smoke"}, errUsage},
		{[]string{"--cases", "-1"}, errUsage},
		{[]string{"--nope"}, errUsage},
		{[]string{"extra"}, errUsage},
		{[]string{"--help"}, flag.ErrHelp},
		{[]string{"--quick", "--cases", "10"}, nil},
		{[]string{"--sizes", "10,20"}, errUsage},
		{[]string{"--growth", "--sizes", "20,10"}, errUsage},
		{[]string{"--growth", "--sizes", "20"}, errUsage},
		{[]string{"--growth", "--sizes", "ten,20"}, errUsage},
	} {
		o, err := parseBench(tc.args)
		if !errors.Is(err, tc.want) {
			t.Errorf("%v: %v, want %v", tc.args, err, tc.want)
		}
		if tc.want == nil && (o.plan.name != "quick" || o.plan.cases != 10) {
			t.Errorf("%v: plan %+v", tc.args, o.plan)
		}
	}
	o, err := parseBench([]string{"--growth", "--sizes", "10, 200"})
	if err != nil || !o.growth || !slices.Equal(o.plan.growthSizes, []int{10, 200}) {
		t.Errorf("--growth --sizes 10, 200: %v, %v %v", err, o.growth, o.plan.growthSizes)
	}
	// The scratch directory is never one with something in it: the bench writes data
	// directories there.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keep"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := benchScratch(dir); !errors.Is(err, errUsage) {
		t.Errorf("non-empty --data-dir: %v", err)
	}
}

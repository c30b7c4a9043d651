package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/waymark-org/waymark/bench"
)

// BenchmarkCommandsOverHTTP runs commands as a user sees them: a waymark server
// process (serve --demo, the embedded store), clients sending GraphQL over HTTP with a
// real caseworker token, each opening a case with a referral and adding 19 case notes
// to it (bench.CommandLoad). Per op: one command. It reports commands/s, p50 and p99,
// the server process's CPU per command (from /proc), and — with --sync always, when
// PostgreSQL is installed — the ratio to a PostgreSQL events table appended to by
// pgbench with as many clients in the same run ("x_postgres", bench/postgres.go).
//
//	go test -run x -bench CommandsOverHTTP -benchtime 5s ./cmd/waymark/
func BenchmarkCommandsOverHTTP(b *testing.B) {
	binary := waymarkBinary(b)
	pg := startPostgresBaseline(b)
	for _, mode := range []string{"always", "interval"} {
		const maxClients = 64
		b.Run("sync="+mode, func(b *testing.B) {
			srv, err := bench.StartServer(b.Context(), bench.ServerConfig{Binary: binary, DataDir: b.TempDir(), Sync: mode, CPUProfile: serverProfile(mode), Feed: true})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			var tokens []string // a caseworker each
			for range maxClients {
				token, err := srv.Token(b.Context(), "caseworker", "mx-refugio-esperanza")
				if err != nil {
					b.Fatal(err)
				}
				tokens = append(tokens, token)
			}
			for _, clients := range []int{1, 16, maxClients} {
				b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
					load := bench.CommandLoad{
						URL: srv.URL, Tokens: tokens[:clients], Organisation: "mx-refugio-esperanza", Jurisdiction: "MX",
						Clients: clients, NotesPerCase: 19, RunID: fmt.Sprintf("bench-%x", rand.Uint64()),
					}
					cpuBefore, err := bench.ProcessCPU(srv.PID())
					if err != nil {
						b.Fatal(err)
					}
					clientBefore := bench.SelfCPU()
					b.ResetTimer()
					r, err := bench.RunCommands(b.Context(), load, b.N)
					b.StopTimer()
					clientCPU := bench.SelfCPU() - clientBefore
					if err != nil {
						b.Fatal(err)
					}
					cpuAfter, err := bench.ProcessCPU(srv.PID())
					if err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(r.PerSecond(), "commands/s")
					b.ReportMetric(ms(bench.Percentile(r.Latencies, 50)), "p50_ms")
					b.ReportMetric(ms(bench.Percentile(r.Latencies, 99)), "p99_ms")
					b.ReportMetric(ms(cpuAfter-cpuBefore)/float64(b.N), "server_cpu_ms/op")
					b.ReportMetric(ms(clientCPU)/float64(b.N), "client_cpu_ms/op")
					if pg != nil && mode == "always" && b.N > 1 {
						base, err := pg.Rate(b.Context(), clients)
						if err != nil {
							b.Fatal(err)
						}
						b.ReportMetric(base, "postgres_appends/s")
						b.ReportMetric(r.PerSecond()/base, "x_postgres")
					}
				})
			}
		})
	}
}

// serverProfile is where the server profiles its CPU: $WAYMARK_BENCH_PROFILE_DIR/
// server-sync-<mode>.pprof, or nowhere.
func serverProfile(mode string) string {
	dir := os.Getenv("WAYMARK_BENCH_PROFILE_DIR")
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, "server-sync-"+mode+".pprof")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// startPostgresBaseline starts the PostgreSQL baseline, or logs why there is none
// (the benchmark then reports Waymark's figures alone).
func startPostgresBaseline(b *testing.B) *bench.Baseline {
	pg, err := bench.StartBaseline(b.Context(), 5*time.Second)
	if errors.Is(err, bench.ErrNoPostgres) {
		b.Logf("no PostgreSQL baseline: %v", err)
		return nil
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pg.Close)
	return pg
}

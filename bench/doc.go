// Package bench drives Waymark the way its users do, for benchmarks: commands over
// real HTTP/GraphQL with real tokens against a real server process (whose CPU it
// reads from /proc), and the baselines they are compared with in the same run — a
// PostgreSQL events table driven by pgbench (the Marten pattern). Absolute figures
// drift on shared machines; ratios measured in one run do not.
//
// Files, one concern each:
//   - server.go: a waymark server process (serve --demo) and tokens for it
//   - proc.go: a process's CPU time, from /proc
//   - commands.go: the command workload over HTTP (a referral, then case notes)
//   - latency.go: latency percentiles
//   - postgres.go: the PostgreSQL events table and its pgbench workload
package bench

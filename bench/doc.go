// Package bench drives Waymark the way its users do, for benchmarks: commands over
// real HTTP/GraphQL with real tokens against a real server process (whose CPU and
// memory it reads from /proc), reads at fixed arrival rates, and the baselines they
// are compared with in the same run — raw JetStream publishes and a PostgreSQL events
// table driven by pgbench (the Marten pattern). Absolute figures drift on shared
// machines; ratios measured in one run do not. 'waymark bench' (cmd/waymark) puts it
// all in one report.
//
// Files, one concern each:
//   - server.go: a waymark server process (serve --demo), its readiness, tokens for it
//   - proc.go: a process's CPU time and resident memory, from /proc
//   - graphql.go: one GraphQL request; the case ids a read load asks for
//   - commands.go: the command workload over HTTP (a referral, then case notes)
//   - openloop.go: reads at a fixed arrival rate (vegeta as a library)
//   - freshness.go: from a command's answer to reading its write
//   - rawpublish.go: the raw JetStream publish baseline
//   - latency.go: latency percentiles
//   - postgres.go, baseline.go: the PostgreSQL events table and its pgbench workload
//   - report.go, format.go, machine.go: the report, its figures' formats, where it ran
package bench

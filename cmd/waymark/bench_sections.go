package main

// The report's sections, in order, each with how it was measured.
const (
	secPublish  = "Commands over HTTP vs raw JetStream publishes"
	secFsync    = "Commands over HTTP vs a raw write+fsync loop"
	secPostgres = "Commands over HTTP vs a PostgreSQL events table"
	secReads    = "Reads at fixed arrival rates (open loop)"
	secFresh    = "Freshness: from a command's answer to reading its write"
	secSize     = "Memory and restart at size"
)

const benchIntro = `Ratios are Waymark ÷ baseline, both measured in this run on this machine (shared
machines drift by ±30% between runs; ratios much less). For rates, above 1× is faster
than the baseline; for latencies and times, above 1× is slower. A target is judged only
where the run measured what it names (its rate, its size); "met" is not asserted
anywhere: CI prints these figures and fails only on rows marked error.`

var benchSections = []struct{ title, about string }{
	{secPublish, `Closed loop: each client is its own caseworker with its own HTTP connection, refers a
case and adds 19 notes to it, then the next (20 events a case), each command over
GraphQL with a real token on a 'waymark serve --demo' process and answered only once
durable. Baseline: as many publishers on a plain embedded JetStream server in this
process (file storage, same sync mode: sync_always for always), each publishing 600 B
with the expected-last-subject-sequence header, 20 to a subject.`},
	{secFsync, `The same commands with --sync always, next to one writer appending 600 B to a file and
fsyncing each (a durable log without group commit): above 1× means the commands share
fsyncs (group commit).`},
	{secPostgres, `The same commands with --sync always, next to a PostgreSQL events table (one statement
per append: bump the stream's version if it is the one expected, insert the event;
synchronous_commit on) driven by pgbench with as many clients over a Unix socket, no
HTTP in front (bench/postgres.go). Install PostgreSQL (apt-get install postgresql) for
this section.`},
	{secReads, `vegeta sends requests at a fixed rate whatever the answers' pace (open loop), as one
caseworker of the cases' shelter, in turn over up to 1,000 of the cases written for the
size figures below. The first row is case(id) summary right after the server restarted
on them (start-up's garbage and the first collections under load land there; no
target); each figure after it follows a warm-up at its rate (a fifth of the run, not
counted); latencies are every request's, p99 and (p50, max). A status other
than 200 or a GraphQL error is an error (so is no answer within 30 s): errors are
counted in the figure, and a target with any is not met. Baseline: GET /healthz on the
same server at the same rate, right before (the HTTP floor, no GraphQL, no token).`},
	{secFresh, `One client on the --sync always server, otherwise idle: after each addCaseNote answers,
the client reads the case with the answer's position as minPosition (the API's
read-your-writes wait: it returns once the read models applied the write) and checks
the version; baseline: the same read right after, with nothing left to wait for. The
client is also an analyst subscribed to the de-identified feed over NATS (TCP, the
embedded server's listener): from the same answer to the arrival of the note's feed
message (matched by its Waymark-Position header), next to command → read model for
the same samples. The first sample waits until the feed has read past what the
command runs wrote and is not counted.`},
	{secSize, `The cases are written in-process before the server starts: the coalition's directory,
then cases of a referral and 19 notes from 32 writers through the application layer
(sealed, hashed, keyed as over HTTP) with --sync interval, not over HTTP, to save time.
The server then starts on them, stops (SIGTERM) and starts again. Its first start
builds the read models from the log (no snapshot yet: the rebuild from zero) and
writes a snapshot when it stops; restart is the second start, from that snapshot. Each
is the time from starting the process to /readyz answering 200 (read models caught
up); memory is
its VmRSS two seconds later, the pages start-up used included (VmHWM, the
peak, in brackets), and again right after the reads, when the heap also holds the
room it collects garbage in (by default as much again as it keeps). Baselines: the same directory's event store opened
and read from start to head, folding nothing; a server with the directory only, no
cases, restarted the same way. These servers publish no analytics feed
(--analytics-feed=false): the cases were written around them, and the feed would
publish the whole log from its start, a one-off (a server's own writes are published
as they land: the command servers above publish theirs).`},
}

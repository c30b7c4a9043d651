package main

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/waymark-org/waymark/bench"
	"github.com/waymark-org/waymark/eventstore/jetstream"
)

// restartTarget is the size the restart target is set at.
const restartTarget = 2_000_000

// rebuildTarget is the bound on a rebuild from zero, for rebuildTargetEvents
// events; a larger log is held to it per as many events (a rebuild's cost per event
// grows with its heap, so that is the stricter reading).
const (
	rebuildTarget       = 10 * time.Second
	rebuildTargetEvents = 1_000_000
)

// size measures memory and restart with the plan's cases, then the reads on the same
// server: its cases are what they read.
func (b *benchRun) size(ctx context.Context) {
	empty, emptyErr := b.emptyServer(ctx)
	cases := b.plan.cases
	b.logger.Info("bench: writing cases in-process", "cases", cases, "events", cases*eventsPerCase)
	dir, err := b.dir("size")
	var wrote time.Duration
	if err == nil {
		start := time.Now()
		err = writeBenchData(ctx, dir, cases, b.logger)
		wrote = time.Since(start)
	}
	if err != nil {
		b.sizeErrors(err)
		b.readErrors(err)
		return
	}
	read, readErr := readLog(ctx, dir)
	events := read.events
	b.logger.Info("bench: restart", "cases", cases, "events", events)
	srv, first, restart, err := b.restart(ctx, "size", dir)
	if err != nil {
		b.sizeErrors(err)
		b.readErrors(err)
		return
	}
	defer srv.Close()
	mem, memErr := settledMemory(ctx, srv.PID())

	what := fmt.Sprintf("%s cases (%s events)", bench.Count(cases), bench.Count(events))
	if readErr != nil {
		what = fmt.Sprintf("%s cases (≈%s events)", bench.Count(cases), bench.Count(cases*eventsPerCase))
	}
	b.report.Add(secSize, bench.Row{Figure: "data, written in-process",
		Waymark: fmt.Sprintf("%s in %s (%s events/s); %s of event store on disk", what, bench.Seconds(wrote),
			bench.Count(int(float64(cases*eventsPerCase)/wrote.Seconds())), bench.Bytes(float64(dirSize(filepath.Join(dir, "jetstream")))))})

	row := bench.Row{Figure: "restart to ready, " + what, Waymark: bench.Seconds(restart),
		Target: fmt.Sprintf("< 3 s at %s events", bench.Count(restartTarget))}
	switch {
	case readErr != nil:
		row.Baseline, row.Met = "error: "+readErr.Error(), bench.Failed
	default:
		row.Baseline = fmt.Sprintf("%s (open the event store, read the log; no read models)", bench.Seconds(read.total))
		row.Ratio = bench.Ratio(restart.Seconds(), read.total.Seconds())
		if events >= restartTarget {
			row.Met = bench.Verdict(restart < 3*time.Second)
		} else {
			row.Met = fmt.Sprintf("n/a (%s events; --cases %d for the target's size)", bench.Count(events), restartTarget/eventsPerCase)
		}
	}
	b.report.Add(secSize, row)
	b.report.Add(secSize, rebuildRow(what, first, events, read.total, readErr))
	if readErr == nil {
		// What no read model can take away: the embedded JetStream recovering its
		// stream when the store opens.
		b.report.Add(secSize, bench.Row{Figure: "of which the event store opening (JetStream recovering its stream), " + what,
			Waymark: bench.Seconds(read.open), Baseline: "restart to ready: " + bench.Seconds(restart),
			Ratio: bench.Ratio(read.open.Seconds(), restart.Seconds())})
	}

	if memErr != nil {
		b.report.Add(secSize, bench.ErrorRow("resident memory after restart, "+what, memErr))
	} else {
		b.memoryRows(what, cases, mem, empty, emptyErr)
	}
	token, err := benchTokens(dir, "caseworker", benchOrganisation, 1)
	if err != nil {
		b.readErrors(err)
		return
	}
	b.reads(ctx, srv, token[0])
	// The memory figure above is a server that has served nothing yet; in service,
	// the heap also holds the room it collects garbage in (GOGC), which grows with
	// what it holds.
	loaded, err := bench.ProcessMemory(srv.PID())
	if err != nil {
		b.report.Add(secSize, bench.ErrorRow("resident memory right after the reads, "+what, err))
		return
	}
	b.loadedMemoryRows(what, cases, loaded, mem, memErr, empty, emptyErr)
}

// loadedMemoryRows are the memory figures right after the reads, next to the
// settled figure of the same server.
func (b *benchRun) loadedMemoryRows(what string, cases int, loaded, settled bench.Memory, settledErr error, empty emptyServer, emptyErr error) {
	row := bench.Row{Figure: "resident memory right after the reads, " + what, Waymark: memory(loaded)}
	if settledErr == nil {
		row.Baseline = "after restart: " + memory(settled)
		row.Ratio = bench.Ratio(float64(loaded.RSS), float64(settled.RSS))
	}
	const above = "resident memory per case above a server with no cases, right after the reads"
	if emptyErr != nil {
		b.report.Add(secSize, row, bench.ErrorRow(above, emptyErr))
		return
	}
	b.report.Add(secSize, row, perCaseRow(above, loaded.RSS, cases, empty))
}

// emptyServer is the memory and restart of a server on the coalition's directory alone.
type emptyServer struct {
	mem     bench.Memory
	restart time.Duration
}

func (b *benchRun) emptyServer(ctx context.Context) (emptyServer, error) {
	dir, err := b.dir("empty")
	if err != nil {
		return emptyServer{}, err
	}
	if err := writeBenchData(ctx, dir, 0, b.logger); err != nil {
		return emptyServer{}, err
	}
	srv, _, restart, err := b.restart(ctx, "empty", dir)
	if err != nil {
		return emptyServer{}, err
	}
	defer srv.Close()
	mem, err := settledMemory(ctx, srv.PID())
	return emptyServer{mem, restart}, err
}

// restart starts a server on dir, stops it and starts it again, and returns the
// second, with how long each start took from the process's start to ready: the first
// builds the read models from the log (a new directory has no snapshot), the second
// loads the snapshot the first wrote when it stopped.
func (b *benchRun) restart(ctx context.Context, name, dir string) (srv benchServer, first, restart time.Duration, err error) {
	start := time.Now()
	srv, err = b.startServer(ctx, name, dir, jetstream.SyncAlways, false)
	if err != nil {
		return benchServer{}, 0, 0, err
	}
	first = time.Since(start)
	if err := srv.Close(); err != nil {
		return benchServer{}, 0, 0, fmt.Errorf("stop the server: %w", err)
	}
	start = time.Now()
	srv, err = b.startServer(ctx, name, dir, jetstream.SyncAlways, false)
	return srv, first, time.Since(start), err
}

// rebuildRow is the first start's figure: the read models built from zero, against a
// raw read of the same log, held to rebuildTarget per rebuildTargetEvents events once
// the log is at least that long.
func rebuildRow(what string, took time.Duration, events int, raw time.Duration, rawErr error) bench.Row {
	row := bench.Row{Figure: "rebuild from zero (the first start: no snapshot yet), " + what,
		Waymark: rebuildFigure(took, events),
		Target:  fmt.Sprintf("< %g s for %s events", rebuildTarget.Seconds(), bench.Count(rebuildTargetEvents))}
	switch {
	case rawErr != nil:
		row.Baseline, row.Met = "error: "+rawErr.Error(), bench.Failed
		return row
	case events >= rebuildTargetEvents:
		row.Met = bench.Verdict(perMillion(took, events)*rebuildTargetEvents/1_000_000 < rebuildTarget)
	default:
		row.Met = fmt.Sprintf("n/a (%s events; --cases %d for the target's size)", bench.Count(events), rebuildTargetEvents/eventsPerCase)
	}
	row.Baseline = rawReadFigure(raw, events)
	row.Ratio = bench.Ratio(took.Seconds(), raw.Seconds())
	return row
}

// rebuildFigure is a rebuild's time, its pace and its time per million events.
func rebuildFigure(took time.Duration, events int) string {
	return fmt.Sprintf("%s, %s events/s, %s per million events", bench.Seconds(took),
		bench.Count(int(float64(events)/took.Seconds())), bench.Seconds(perMillion(took, events)))
}

// rawReadFigure is the raw read of the log a rebuild is compared with.
func rawReadFigure(raw time.Duration, events int) string {
	return fmt.Sprintf("%s reading the log raw (%s events/s)", bench.Seconds(raw), bench.Count(int(float64(events)/raw.Seconds())))
}

func (b *benchRun) memoryRows(what string, cases int, mem bench.Memory, empty emptyServer, emptyErr error) {
	row := bench.Row{Figure: "resident memory after restart, " + what, Waymark: memory(mem)}
	perCase := bench.Row{Figure: "resident memory per case: VmRSS ÷ cases", Waymark: bench.Bytes(float64(mem.RSS) / float64(cases))}
	const above = "resident memory per case above a server with no cases: (VmRSS − its VmRSS) ÷ cases"
	if emptyErr != nil {
		row.Baseline, row.Met = "error: "+emptyErr.Error(), bench.Failed
		b.report.Add(secSize, row, perCase, bench.ErrorRow(above, emptyErr))
		return
	}
	row.Baseline = fmt.Sprintf("%s with no cases (restarted in %s)", memory(empty.mem), bench.Seconds(empty.restart))
	row.Ratio = bench.Ratio(float64(mem.RSS), float64(empty.mem.RSS))
	b.report.Add(secSize, row, perCase, perCaseRow(above, mem.RSS, cases, empty))
}

// memoryTarget is the bound on resident memory per case.
const memoryTarget = 10 * 1024

// perCaseAbove is the resident memory rss of a server of cases above a server with
// none, per case.
func perCaseAbove(rss int64, cases int, empty emptyServer) float64 {
	return max(0, float64(rss)-float64(empty.mem.RSS)) / float64(cases)
}

// perCaseRow is figure: rss per case above a server with no cases, held to
// memoryTarget.
func perCaseRow(figure string, rss int64, cases int, empty emptyServer) bench.Row {
	per := perCaseAbove(rss, cases, empty)
	return bench.Row{Figure: figure, Waymark: bench.Bytes(per), Target: "≤ 10 KiB", Met: bench.Verdict(per <= memoryTarget)}
}

func memory(m bench.Memory) string {
	return fmt.Sprintf("%s (peak %s)", bench.Bytes(float64(m.RSS)), bench.Bytes(float64(m.Peak)))
}

// sizeErrors and readErrors mark the figures that depend on the cases as not measured.
func (b *benchRun) sizeErrors(err error) {
	b.report.Add(secSize, bench.ErrorRow("restart to ready", err), bench.ErrorRow("resident memory after restart", err))
}

func (b *benchRun) readErrors(err error) {
	b.report.Add(secReads, bench.ErrorRow("reads", err))
}

// dirSize is the bytes of the files under dir (0 if it cannot be walked).
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// memorySettle is how long after ready a server's memory is read: what a server
// holds while it serves is the figure, not the moment it becomes ready.
const memorySettle = 2 * time.Second

// settledMemory reads a process's memory memorySettle after now.
func settledMemory(ctx context.Context, pid int) (bench.Memory, error) {
	select {
	case <-time.After(memorySettle):
	case <-ctx.Done():
		return bench.Memory{}, ctx.Err()
	}
	return bench.ProcessMemory(pid)
}

package projections

// What a rebuild beside a live runner needs of both: to keep the old read models still
// while the new ones reach them, to stop the old ones writing the snapshot file, and
// to tell how far the new ones got.

// Hold keeps the read models still: it returns once the event being applied, if any,
// is applied and published, and the runner applies no other until release is called.
// Readers keep reading; waiters for a later position keep waiting.
func (r *Runner) Hold() (release func()) {
	r.applyMu.Lock()
	return r.applyMu.Unlock
}

// PauseSnapshots stops the runner writing snapshots — while it runs and when it
// stops — and waits for a write in flight: another runner is about to write the file.
func (r *Runner) PauseSnapshots() {
	r.applyMu.Lock() // between two events: no write is being started
	r.snapshotsOff.Store(true)
	r.applyMu.Unlock()
	if r.snapshots != nil {
		r.snapshots.Wait()
	}
}

// ResumeSnapshots undoes PauseSnapshots.
func (r *Runner) ResumeSnapshots() { r.snapshotsOff.Store(false) }

// Progress is how far a runner got. Positions are opaque, but their major part grows
// with the log in every backend (JetStream: one for each stored append, which holds
// one or more events; KurrentDB: the commit position), so Reached/Head is the share of
// the log applied.
type Progress struct {
	Events  int64  // events received from the log since Run began
	Reached uint64 // the major part of the last applied position
	Head    uint64 // the major part of the log's head when Run began
	Ready   bool   // caught up with that head
}

// Progress returns how far the runner got since Run began.
func (r *Runner) Progress() Progress {
	return Progress{Events: r.events.Load(), Reached: r.reached.Load(), Head: r.headAtStart.Load(), Ready: r.Ready()}
}

// EstimatedEvents estimates the events of the log up to Head from the events received
// per unit of position so far: exact once Reached is Head; before any event, one an
// append.
func (p Progress) EstimatedEvents() int64 {
	switch {
	case p.Reached == 0:
		return int64(p.Head)
	case p.Head <= p.Reached:
		return p.Events
	}
	return int64(float64(p.Events) * float64(p.Head) / float64(p.Reached))
}

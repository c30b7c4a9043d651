package demo

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
)

// A journey is planned first and run later. Planning draws every die, moves the
// journey's own clock and lists timed steps; it stops at now, so a journey is caught
// wherever it has got to. Seed then runs the steps of all journeys in time order on
// one simulated clock, so the log reads like the coalition's real history.

// step is one moment of a journey: one or a few commands at one time.
type step struct {
	at  time.Time
	n   int // the journey
	seq int // its order within the journey
	run func(ctx context.Context) error
}

// walker is one synthetic survivor's journey: its plan, and then its run.
type walker struct {
	// Planning.
	n     int
	rng   *rand.Rand
	end   time.Time // now: nothing is planned after it
	at    time.Time // the journey's clock while planning
	last  time.Time // the latest step planned so far
	steps []step

	org      Organisation
	staff    []string
	worker   app.Actor
	barriers []domain.Barrier      // active barriers, as planned
	needs    []domain.Need         // active needs, as planned
	docs     []domain.DocumentKind // ID documents obtained, as planned
	closed   bool                  // the case is closed, as planned
	fate     transferFate          // its transfer, if any (transfers.go)

	// Running.
	svc    *app.Service
	tally  *Summary
	caseID string
	cmds   int
}

// chance is true percent times in a hundred.
func (w *walker) chance(percent int) bool { return w.rng.IntN(100) < percent }

// between draws a whole number in [lo, hi].
func (w *walker) between(lo, hi int) int { return lo + w.rng.IntN(hi-lo+1) }

// open reports whether the journey's clock is still before now.
func (w *walker) open() bool { return !w.at.After(w.end) }

// wait moves the journey on by minDays to maxDays, to a weekday in office hours. It
// reports whether that is still before now: if not, the journey has got no further.
func (w *walker) wait(minDays, maxDays int) bool {
	t := w.at.AddDate(0, 0, w.between(minDays, maxDays))
	switch t.Weekday() {
	case time.Saturday:
		t = t.AddDate(0, 0, 2)
	case time.Sunday:
		t = t.AddDate(0, 0, 1)
	}
	// 15:00-22:59 UTC is office hours in Mexico City.
	t = time.Date(t.Year(), t.Month(), t.Day(), 15+w.rng.IntN(8), w.rng.IntN(60), 0, 0, time.UTC)
	if !t.After(w.at) {
		t = w.at.Add(time.Duration(10+w.rng.IntN(80)) * time.Minute)
	}
	w.at = t
	return w.open()
}

// soon moves the journey on by minutes: the next thing in the same sitting.
func (w *walker) soon() bool {
	w.at = w.at.Add(time.Duration(3+w.rng.IntN(40)) * time.Minute)
	return w.open()
}

// until moves the journey on to t (if later).
func (w *walker) until(t time.Time) bool {
	if t.After(w.at) {
		w.at = t
	}
	return w.open()
}

// settle moves the journey past every step planned so far, side steps included, so
// that what comes next (a closure) is the last thing that happened.
func (w *walker) settle() { w.until(w.last) }

// add plans run at the journey's clock; nothing is planned after now.
func (w *walker) add(run func(ctx context.Context) error) { w.addAt(w.at, run) }

func (w *walker) addAt(at time.Time, run func(ctx context.Context) error) {
	if at.After(w.end) {
		return
	}
	w.steps = append(w.steps, step{at: at, n: w.n, seq: len(w.steps), run: run})
	if at.After(w.last) {
		w.last = at
	}
}

// side plans run minDays to maxDays from the journey's clock without moving it: a
// thread of the journey (a shelter place, a training course) that runs alongside.
func (w *walker) side(minDays, maxDays int, run func(ctx context.Context) error) {
	w.thread(func() {
		if w.wait(minDays, maxDays) {
			w.add(run)
		}
	})
}

// thread plans several steps alongside the journey, from its clock, then puts the
// clock back.
func (w *walker) thread(plan func()) {
	main := w.at
	plan()
	w.at = main
}

// Plan a command by the case's caseworker, by a bank, by a bureau; lazy builds the
// command when it runs, for the ids the application layer chose meanwhile.
func (w *walker) cw(cmds ...domain.Command) {
	if len(cmds) > 0 {
		w.add(w.as(w.worker, cmds...))
	}
}

func (w *walker) byBank(bank string, cmd domain.Command) { w.add(w.as(bankActor(bank), cmd)) }

// as runs cmds in order, as actor.
func (w *walker) as(actor app.Actor, cmds ...domain.Command) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		for _, c := range cmds {
			if err := w.exec(ctx, actor, c); err != nil {
				return err
			}
		}
		return nil
	}
}

func (w *walker) lazy(actor app.Actor, build func(c domain.Case) domain.Command) {
	w.add(func(ctx context.Context) error {
		c, err := w.load(ctx)
		if err != nil {
			return err
		}
		return w.exec(ctx, actor, build(c))
	})
}

func bankActor(bank string) app.Actor {
	return app.Actor{ID: "demo-officer-" + bank, Role: app.RoleBank, Organisation: bank}
}

func bureauActor(bureau string) app.Actor {
	return app.Actor{ID: "demo-agent-" + bureau, Role: app.RoleBureau, Organisation: bureau}
}

// exec runs one case command with the next command id of the journey.
func (w *walker) exec(ctx context.Context, actor app.Actor, cmd domain.Command) error {
	w.cmds++
	id := fmt.Sprintf("demo-%03d-%03d", w.n, w.cmds)
	if _, err := w.svc.ChangeCase(ctx, actor, app.CaseCommand{CommandID: id, CaseID: w.caseID, Command: cmd}); err != nil {
		return fmt.Errorf("%s by %s: %w", cmd.CommandType(), actor.ID, err)
	}
	w.tally.Commands++
	return nil
}

// load folds the case as its caseworker sees it, to find the ids the application
// layer chose.
func (w *walker) load(ctx context.Context) (domain.Case, error) {
	return w.svc.LoadCase(ctx, w.worker, w.caseID)
}

// The entities a lazy command is about. The plan keeps at most one of each pending
// at a time, so each is found without ambiguity; ties go to the larger id.

func pendingDocument(c domain.Case) string {
	return latest(c.Documents, func(d domain.IDDocument) bool { return d.Status == domain.DocumentRequested },
		func(d domain.IDDocument) time.Time { return d.RequestedAt })
}

func latestOffer(c domain.Case, bank string) string {
	return latest(c.Offers, func(o domain.BankOffer) bool { return o.Bank == bank },
		func(o domain.BankOffer) time.Time { return o.MadeAt })
}

func pendingPack(c domain.Case, bank string) string {
	return latest(c.Packs, func(p domain.DueDiligencePack) bool { return p.Bank == bank && p.Decision == domain.PackPending },
		func(p domain.DueDiligencePack) time.Time { return p.ProvidedAt })
}

func openConcern(c domain.Case, bank string) string {
	return latest(c.Concerns, func(k domain.SafeguardingConcern) bool { return k.Bank == bank && k.Status != domain.ConcernResolved },
		func(k domain.SafeguardingConcern) time.Time { return k.RaisedAt })
}

// latestDispute is the dispute last filed with bureau: a new one is filed only once
// the one before is decided.
func latestDispute(c domain.Case, bureau string) string {
	return latest(c.Disputes, func(d domain.CreditDispute) bool { return d.Bureau == bureau },
		func(d domain.CreditDispute) time.Time { return d.FiledAt })
}

// grantsTo lists the grants in force to recipient, in id order.
func grantsTo(c domain.Case, recipient string, now time.Time) []string {
	var ids []string
	for id, g := range c.Grants {
		if g.Recipient == recipient && g.InForce(now) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

func latest[V any](m map[string]V, ok func(V) bool, at func(V) time.Time) string {
	best, bestAt := "", time.Time{}
	for id, v := range m {
		if !ok(v) {
			continue
		}
		if best == "" || cmp.Or(at(v).Compare(bestAt), cmp.Compare(id, best)) > 0 {
			best, bestAt = id, at(v)
		}
	}
	return best
}

// Planned barriers and needs: change them only when the domain will accept it.

func (w *walker) hasBarrier(b domain.Barrier) bool { return slices.Contains(w.barriers, b) }
func (w *walker) hasNeed(n domain.Need) bool       { return slices.Contains(w.needs, n) }

func (w *walker) resolveBarrier(b domain.Barrier) []domain.Command {
	if !w.hasBarrier(b) {
		return nil
	}
	w.barriers = slices.DeleteFunc(slices.Clone(w.barriers), func(x domain.Barrier) bool { return x == b })
	return []domain.Command{domain.ResolveBarrier{Barrier: b}}
}

func (w *walker) identifyBarrier(b domain.Barrier) []domain.Command {
	if w.hasBarrier(b) {
		return nil
	}
	w.barriers = append(slices.Clip(w.barriers), b)
	return []domain.Command{domain.IdentifyBarrier{Barrier: b}}
}

func (w *walker) meetNeed(n domain.Need) []domain.Command {
	if !w.hasNeed(n) {
		return nil
	}
	w.needs = slices.DeleteFunc(slices.Clone(w.needs), func(x domain.Need) bool { return x == n })
	return []domain.Command{domain.MeetNeed{Need: n}}
}

func (w *walker) identifyNeed(n domain.Need) []domain.Command {
	if w.hasNeed(n) {
		return nil
	}
	w.needs = append(slices.Clip(w.needs), n)
	return []domain.Command{domain.IdentifyNeed{Need: n}}
}

func note(text string) domain.Command { return domain.AddCaseNote{Text: text} }

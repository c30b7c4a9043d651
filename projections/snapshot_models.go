package projections

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/waymark-org/waymark/dashboard"
	"github.com/waymark-org/waymark/domain"
)

// readModels is the state of every read model at one checkpoint: what a snapshot
// holds. Taken between two events (captureModels), it costs a copy of the case list
// (pointers: views never change once handed out) and of the smaller maps; encoding
// it happens afterwards, off the path that applies events.
type readModels struct {
	checkpoint Checkpoint
	cases      []*CaseView // in referral order
	orgs       []*OrganisationView
	tokens     map[string]time.Time // Revocations
	subjects   map[string]time.Time
	commands   []CommandKey       // ascending, no repeats
	figures    []byte             // the dashboard's, encoded when captured (dashboard.Figures.AppendTo)
	dashboard  *dashboard.Figures // … and when loaded
}

// errNotEmpty: a snapshot is only ever loaded into read models that hold nothing yet.
var errNotEmpty = errors.New("read models not empty")

// capture returns the case list as it is now (views are immutable: the pointers are
// enough).
func (c *Cases) capture() []*CaseView {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return slices.Clone(c.order)
}

// restore installs loaded views, in referral order, into an empty read model.
func (c *Cases) restore(views []*CaseView) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.order) > 0 {
		return fmt.Errorf("cases: %w", errNotEmpty)
	}
	c.order = views
	c.index = make(map[string]int, len(views))
	c.counts = map[countKey]int{}
	for i, v := range views {
		c.index[v.ID] = i
		c.counts[countKeyOf(v)]++
	}
	c.disputes.rebuild(views) // derived from the views, never snapshotted itself
	return nil
}

func (o *Organisations) capture() []*OrganisationView {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return slices.Collect(maps.Values(o.byID))
}

func (o *Organisations) restore(views []*OrganisationView) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.byID) > 0 {
		return fmt.Errorf("organisations: %w", errNotEmpty)
	}
	for _, v := range views {
		o.byID[v.ID] = v
	}
	return nil
}

func (r *Revocations) capture() (tokens, subjects map[string]time.Time) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return maps.Clone(r.tokens), maps.Clone(r.subjects)
}

func (r *Revocations) restore(tokens, subjects map[string]time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.tokens) > 0 || len(r.subjects) > 0 {
		return fmt.Errorf("revocations: %w", errNotEmpty)
	}
	r.tokens, r.subjects = tokens, subjects
	return nil
}

// capture returns every key, ascending. The sorted keys are never changed in place,
// so only the recent ones are copied under the lock.
func (c *CommandIDs) capture() []CommandKey {
	c.mu.RLock()
	base, pending := c.keys.sorted, c.keys.recentKeys()
	c.mu.RUnlock()
	slices.SortFunc(pending, compareKeys)
	return merged(base, pending)
}

// restore adds the loaded keys (ascending, no repeats) to those the service may have
// recorded already: its own commands, appended while the snapshot loaded.
func (c *CommandIDs) restore(keys []CommandKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.keys.sorted)+len(c.keys.recent) > 0 {
		had := c.keys.recentKeys()
		slices.SortFunc(had, compareKeys)
		keys = merged(keys, merged(c.keys.sorted, had))
	}
	c.keys = keySet{sorted: keys}
}

// The smaller read models' sections.

func encOrganisations(e *enc, views []*OrganisationView) {
	encList(e, views, func(e *enc, v *OrganisationView) {
		e.str(v.ID)
		e.str(v.Name)
		encStr(e, v.Kind)
		e.str(v.Jurisdiction)
		encStrs(e, v.Services)
		encStrs(e, v.Programmes)
		e.bool(v.Active)
		encList(e, v.Survey, encSurveyAnswer)
		e.position(v.Position)
	})
}

func decOrganisations(d *dec) []*OrganisationView {
	return decList(d, func(d *dec) *OrganisationView {
		return &OrganisationView{ID: d.str(), Name: d.str(), Kind: decStr[domain.OrganisationKind](d), Jurisdiction: d.str(),
			Services: decStrs[domain.Service](d), Programmes: decStrs[domain.Programme](d), Active: d.bool(),
			Survey: decList(d, decSurveyAnswer), Position: d.position()}
	})
}

func encSurveyAnswer(e *enc, a domain.BaselineSurveyAnswered) {
	e.int(a.Round)
	encStrs(e, a.Services)
	e.int(a.Capacity)
	e.int(a.SurvivorsPerYear)
	encStrs(e, a.Barriers)
	encStrs(e, a.Needs)
	e.time(a.At)
}

func decSurveyAnswer(d *dec) domain.BaselineSurveyAnswered {
	return domain.BaselineSurveyAnswered{Round: d.int(), Services: decStrs[domain.Service](d), Capacity: d.int(),
		SurvivorsPerYear: d.int(), Barriers: decStrs[domain.Barrier](d), Needs: decStrs[domain.SurveyNeed](d), At: d.time()}
}

func encRevocations(e *enc, tokens, subjects map[string]time.Time) {
	encMap(e, tokens, (*enc).time)
	encMap(e, subjects, (*enc).time)
}

func decRevocations(d *dec) (tokens, subjects map[string]time.Time) {
	tokens = decMap[string](d, (*dec).time)
	subjects = decMap[string](d, (*dec).time)
	if tokens == nil { // the read model's maps are never nil
		tokens = map[string]time.Time{}
	}
	if subjects == nil {
		subjects = map[string]time.Time{}
	}
	return tokens, subjects
}

// encCommands writes the keys back to back: 16 bytes each, no strings.
func encCommands(e *enc, keys []CommandKey) {
	e.uvarint(uint64(len(keys)))
	for _, k := range keys {
		e.b = append(e.b, k[:]...)
	}
}

func decCommands(d *dec) []CommandKey {
	n := d.uvarint()
	if n > uint64(len(d.b)-d.off)/uint64(len(CommandKey{})) {
		d.fail("command keys beyond the section")
		return nil
	}
	keys := make([]CommandKey, n)
	for i := range keys {
		keys[i] = CommandKey(d.take(uint64(len(CommandKey{}))))
	}
	return sortedUnique(keys)
}

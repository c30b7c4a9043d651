package projections

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// OrganisationView is one organisation of the directory.
type OrganisationView struct {
	ID           string
	Name         string
	Kind         domain.OrganisationKind
	Jurisdiction string
	Services     []domain.Service
	Programmes   []domain.Programme
	// Active is false once the organisation was deactivated: its staff's tokens are
	// refused and no new command may name it.
	Active bool
	// Survey is the organisation's answer to each round of the baseline survey, by
	// round: the latest answer of a round (a correction replaces it; the log keeps both).
	Survey   []domain.BaselineSurveyAnswered
	Position eventstore.Position
}

// Organisations is the directory read model.
type Organisations struct {
	mu      sync.RWMutex
	byID    map[string]*OrganisationView
	changes atomic.Uint64 // organisation events applied (Changes)
}

// Changes counts the organisation events applied: a reader of something derived from
// the directory (the dashboard's survey) compares it to see whether anything moved.
func (o *Organisations) Changes() uint64 { return o.changes.Load() }

// NewOrganisations returns an empty directory.
func NewOrganisations() *Organisations {
	return &Organisations{byID: map[string]*OrganisationView{}}
}

// Apply records an organisation event.
func (o *Organisations) Apply(env Envelope) error {
	kind, id, _ := eventstore.SplitStreamName(env.Record.Stream)
	if kind != eventstore.KindOrganisation {
		return nil
	}
	defer o.changes.Add(1)
	switch e := env.Event.(type) {
	case domain.OrganisationRegistered:
		o.mu.Lock()
		defer o.mu.Unlock()
		if _, ok := o.byID[id]; ok {
			return fmt.Errorf("organisation %s registered twice", id)
		}
		o.byID[id] = &OrganisationView{
			ID: id, Name: e.Name, Kind: e.Kind, Jurisdiction: e.Jurisdiction,
			Services: e.Services, Programmes: e.Programmes, Active: true, Position: env.Record.Position,
		}
	case domain.OrganisationProfileUpdated:
		return o.update(id, env, func(v *OrganisationView) { v.Services, v.Programmes = e.Services, e.Programmes })
	case domain.OrganisationDeactivated:
		return o.update(id, env, func(v *OrganisationView) { v.Active = false })
	case domain.OrganisationReactivated:
		return o.update(id, env, func(v *OrganisationView) { v.Active = true })
	case domain.BaselineSurveyAnswered:
		return o.update(id, env, func(v *OrganisationView) { v.Survey = withSurveyAnswer(v.Survey, e) })
	}
	return nil
}

// withSurveyAnswer returns the rounds with e's round answered by e, in a new slice (a
// view handed out keeps the rounds it had).
func withSurveyAnswer(rounds []domain.BaselineSurveyAnswered, e domain.BaselineSurveyAnswered) []domain.BaselineSurveyAnswered {
	i, found := slices.BinarySearchFunc(rounds, e.Round, func(a domain.BaselineSurveyAnswered, round int) int { return a.Round - round })
	out := slices.Clone(rounds)
	if found {
		out[i] = e
		return out
	}
	return slices.Insert(out, i, e)
}

// update replaces a registered organisation's view by a changed copy: views handed
// out are never changed.
func (o *Organisations) update(id string, env Envelope, change func(*OrganisationView)) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	old, ok := o.byID[id]
	if !ok {
		return fmt.Errorf("organisation %s: %s before it was registered", id, env.Record.Type)
	}
	next := *old
	change(&next)
	next.Position = env.Record.Position
	o.byID[id] = &next
	return nil
}

// Get returns one organisation, or false.
func (o *Organisations) Get(id string) (*OrganisationView, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	v, ok := o.byID[id]
	return v, ok
}

// List returns the organisations in a jurisdiction and of a kind ("" for all), by name.
func (o *Organisations) List(jurisdiction string, kind domain.OrganisationKind) []*OrganisationView {
	o.mu.RLock()
	out := make([]*OrganisationView, 0, len(o.byID))
	for _, v := range o.byID {
		if (jurisdiction == "" || v.Jurisdiction == jurisdiction) && (kind == "" || v.Kind == kind) {
			out = append(out, v)
		}
	}
	o.mu.RUnlock()
	slices.SortFunc(out, func(a, b *OrganisationView) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

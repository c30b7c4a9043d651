package projections

import (
	"fmt"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
)

// FoldCase builds the view of case id from its events in order (revision 0 on), the
// way the read model does, but apart from it: auditors see a case as it stood at an
// earlier version (caseAt). The view is not indexed for search: its blind index is
// left empty, since nobody looks a historical case up by name.
func FoldCase(id string, envs []Envelope) (*CaseView, error) {
	if len(envs) == 0 {
		return nil, fmt.Errorf("case %s: no events to fold", id)
	}
	if _, ok := envs[0].Event.(domain.SurvivorReferred); !ok {
		return nil, fmt.Errorf("case %s starts with %s, not SurvivorReferred", id, envs[0].Record.Type)
	}
	noIndex := func(string, codec.Personal) ([]string, error) { return nil, nil }
	v := &CaseView{ID: id, ReferralPosition: envs[0].Record.Position}
	for _, env := range envs {
		v = v.next()
		if err := v.apply(env, noIndex); err != nil {
			return nil, err
		}
	}
	return v, nil
}

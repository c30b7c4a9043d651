package api_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/waymark-org/waymark/app"
)

const dashboardSurveyQuery = `query($f: DashboardFilter!) { dashboard(filter: $f) { organisationId survey {
  round organisationsAnswered organisations capacity survivorsPerYear
  services { service organisations } barriers { barrier organisations } needs { need organisations } } } }`

type dashSurveyDoc struct {
	Dashboard struct {
		OrganisationID *string
		Survey         struct {
			Round                                                            *int
			OrganisationsAnswered, Organisations, Capacity, SurvivorsPerYear int
			Services                                                         []struct {
				Service       string
				Organisations int
			}
			Barriers []struct {
				Barrier       string
				Organisations int
			}
			Needs []struct {
				Need          string
				Organisations int
			}
		}
	}
}

// counts writes a summary's non-zero counts, e.g. "SHELTER:2 LEGAL_AID:1", in the
// schema's order; the lists hold every value of their enum.
func (d dashSurveyDoc) counts() string {
	s := d.Dashboard.Survey
	out := fmt.Sprintf("round %v: %d of %d, %d places, %d a year |", orNil(s.Round), s.OrganisationsAnswered, s.Organisations, s.Capacity, s.SurvivorsPerYear)
	for _, c := range s.Services {
		if c.Organisations > 0 {
			out += fmt.Sprintf(" %s:%d", c.Service, c.Organisations)
		}
	}
	out += " |"
	for _, c := range s.Barriers {
		if c.Organisations > 0 {
			out += fmt.Sprintf(" %s:%d", c.Barrier, c.Organisations)
		}
	}
	out += " |"
	for _, c := range s.Needs {
		if c.Organisations > 0 {
			out += fmt.Sprintf(" %s:%d", c.Need, c.Organisations)
		}
	}
	return out + fmt.Sprintf(" (%d services, %d barriers, %d needs)", len(s.Services), len(s.Barriers), len(s.Needs))
}

func orNil[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// Given two shelters and an NGO in Mexico (and one in the US) that answered the survey,
// the dashboard beside their journeys shows the latest round up to its last month,
// added up exactly (a count of 1 is published: these are organisations, not
// survivors), for the jurisdiction or one organisation, to analysts and to every
// organisation's staff.
func TestDashboardSurveyOverGraphQL(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	for _, o := range []struct{ id, jurisdiction string }{{"ngo-c", "MX"}, {"ngo-us", "US"}} {
		h.must(admin, registerOrg, map[string]any{"in": map[string]any{"commandId": "org-" + o.id, "id": o.id, "name": o.id,
			"kind": "NGO", "jurisdiction": o.jurisdiction, "services": []string{}}}, nil)
	}
	answer := func(org string, round, capacity, survivors int, services, barriers, needs []string) string {
		t.Helper()
		var out struct{ AnswerBaselineSurvey struct{ Position string } }
		h.must(admin, answerSurvey, map[string]any{"in": map[string]any{
			"commandId": fmt.Sprintf("dash-survey-%s-%d", org, round), "organisationId": org, "round": round,
			"services": services, "capacity": capacity, "survivorsPerYear": survivors, "barriers": barriers, "needs": needs,
		}}, &out)
		return out.AnswerBaselineSurvey.Position
	}
	answer("shelter-a", 2025, 20, 70, []string{"SHELTER"}, []string{"NO_ID"}, []string{"TRANSPORT"})
	answer("shelter-a", 2026, 30, 120, []string{"SHELTER", "LEGAL_AID"}, []string{"NO_ID", "UNAWARE_OF_PRODUCTS"},
		[]string{"FINANCIAL_TRAINING", "MONEY_TO_OPEN_ACCOUNT"})
	answer("shelter-b", 2026, 12, 40, []string{"SHELTER"}, []string{"NO_ID", "NO_SHELTER_ACCESS"}, []string{"TRANSPORT", "MONEY_TO_OPEN_ACCOUNT"})
	answer("ngo-us", 2026, 0, 500, []string{"LEGAL_AID"}, []string{"NO_INCOME"}, []string{"ID_ASSISTANCE"})
	last := answer("ngo-c", 2025, 0, 200, []string{"LEGAL_AID", "ID_ASSISTANCE"}, []string{"NO_ID", "NO_INCOME"}, []string{"ID_ASSISTANCE"})
	h.must(analyst, `query($at: String) { organisations(minPosition: $at) { id } }`, map[string]any{"at": last}, nil) // the directory caught up

	read := func(f map[string]any) dashSurveyDoc {
		t.Helper()
		var out dashSurveyDoc
		h.must(analyst, dashboardSurveyQuery, map[string]any{"f": f}, &out)
		return out
	}
	const lists = " (9 services, 6 barriers, 4 needs)"
	for _, tt := range []struct {
		name string
		f    map[string]any
		want string
	}{
		{"Mexico, 2026's round (ngo-c has not answered it)", marchFilter(""),
			"round 2026: 2 of 3, 42 places, 160 a year | SHELTER:2 LEGAL_AID:1 | NO_ID:2 NO_SHELTER_ACCESS:1 UNAWARE_OF_PRODUCTS:1 | FINANCIAL_TRAINING:1 MONEY_TO_OPEN_ACCOUNT:2 TRANSPORT:1" + lists},
		{"Mexico in 2025: its round", map[string]any{"jurisdiction": "MX", "fromMonth": "2025-01", "toMonth": "2025-12"},
			"round 2025: 2 of 3, 20 places, 270 a year | SHELTER:1 LEGAL_AID:1 ID_ASSISTANCE:1 | NO_ID:2 NO_INCOME:1 | TRANSPORT:1 ID_ASSISTANCE:1" + lists},
		{"Mexico before any round", map[string]any{"jurisdiction": "MX", "fromMonth": "2024-01", "toMonth": "2024-12"},
			"round <nil>: 0 of 3, 0 places, 0 a year | | |" + lists},
		{"one shelter", marchFilter("shelter-b"),
			"round 2026: 1 of 1, 12 places, 40 a year | SHELTER:1 | NO_ID:1 NO_SHELTER_ACCESS:1 | MONEY_TO_OPEN_ACCOUNT:1 TRANSPORT:1" + lists},
		{"one NGO, its latest round", marchFilter("ngo-c"),
			"round 2025: 1 of 1, 0 places, 200 a year | LEGAL_AID:1 ID_ASSISTANCE:1 | NO_ID:1 NO_INCOME:1 | ID_ASSISTANCE:1" + lists},
		{"a bank's own dashboard", marchFilter("bank-a"), "round <nil>: 0 of 0, 0 places, 0 a year | | |" + lists},
		{"the US", map[string]any{"jurisdiction": "US", "fromMonth": "2026-01", "toMonth": "2026-03"},
			"round 2026: 1 of 1, 0 places, 500 a year | LEGAL_AID:1 | NO_INCOME:1 | ID_ASSISTANCE:1" + lists},
	} {
		if got := read(tt.f).counts(); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
	// Every organisation's staff read the same survey as the analyst.
	for name, actor := range map[string]app.Actor{"bank": bankA, "other shelter": otherWorker, "auditor": auditor} {
		var out dashSurveyDoc
		resp := h.do(actor, dashboardSurveyQuery, map[string]any{"f": marchFilter("")})
		if len(resp.Errors) > 0 {
			t.Errorf("%s: %+v", name, resp.Errors)
			continue
		}
		if err := json.Unmarshal(resp.Data, &out); err != nil || out.Dashboard.Survey.OrganisationsAnswered != 2 {
			t.Errorf("%s reads %+v (%v)", name, out.Dashboard.Survey, err)
		}
	}
}

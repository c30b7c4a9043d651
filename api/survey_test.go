package api_test

import (
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/eventstore"
)

const answerSurvey = `mutation($in: AnswerBaselineSurveyInput!) {
  answerBaselineSurvey(input: $in) { organisationId version position organisation { id survey { round capacity } } }
}`

const readSurvey = `query($id: ID!, $at: String) {
  organisation(id: $id, minPosition: $at) { survey { round services capacity survivorsPerYear barriers needs answeredAt } }
}`

type surveyAnswerOut struct {
	Round            int
	Services         []string
	Capacity         int
	SurvivorsPerYear int
	Barriers         []string
	Needs            []string
	AnsweredAt       string
}

func surveyInput(commandID, org string) map[string]any {
	return map[string]any{
		"commandId": commandID, "organisationId": org, "round": 2026,
		"services": []string{"SHELTER", "LEGAL_AID"}, "capacity": 30, "survivorsPerYear": 120,
		"barriers": []string{"NO_ID", "NO_INCOME", "UNAWARE_OF_PRODUCTS"},
		"needs":    []string{"FINANCIAL_TRAINING", "MONEY_TO_OPEN_ACCOUNT", "TRANSPORT"},
	}
}

// A shelter's caseworker answers the survey, corrects it, and retries; the directory
// shows the latest answer of each round, and the log keeps every answer.
func TestAnswerBaselineSurvey(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	var first struct {
		AnswerBaselineSurvey struct {
			OrganisationID, Position string
			Version                  int
			Organisation             struct {
				ID     string
				Survey []struct{ Round, Capacity int }
			}
		}
	}
	h.must(caseworker, answerSurvey, map[string]any{"in": surveyInput("s-1", "shelter-a")}, &first)
	got := first.AnswerBaselineSurvey
	if got.OrganisationID != "shelter-a" || got.Version != 2 || len(got.Organisation.Survey) != 1 || got.Organisation.Survey[0].Capacity != 30 {
		t.Fatalf("answer: %+v", got)
	}

	// A retry returns the first result and appends nothing.
	head := h.head()
	var again struct{ AnswerBaselineSurvey struct{ Position string } }
	h.must(caseworker, answerSurvey, map[string]any{"in": surveyInput("s-1", "shelter-a")}, &again)
	if again.AnswerBaselineSurvey.Position != got.Position || h.head() != head {
		t.Errorf("retry: %+v, head %s (was %s)", again, h.head(), head)
	}
	// The same command id with another answer is refused.
	other := surveyInput("s-1", "shelter-a")
	other["capacity"] = 31
	if code := h.do(caseworker, answerSurvey, map[string]any{"in": other}).code(); code != "BAD_USER_INPUT" || h.head() != head {
		t.Errorf("command id reused: %q", code)
	}

	// A correction of 2026 (by an admin) and an earlier round.
	corrected := surveyInput("s-2", "shelter-a")
	corrected["capacity"], corrected["needs"] = 35, []string{"ID_ASSISTANCE"}
	h.must(admin, answerSurvey, map[string]any{"in": corrected}, nil)
	earlier := surveyInput("s-3", "shelter-a")
	earlier["round"], earlier["services"], earlier["barriers"], earlier["needs"] = 2025, []string{}, []string{}, []string{}
	var last struct{ AnswerBaselineSurvey struct{ Position string } }
	h.must(caseworker, answerSurvey, map[string]any{"in": earlier}, &last)

	var read struct {
		Organisation struct{ Survey []surveyAnswerOut }
	}
	h.must(otherWorker, readSurvey, map[string]any{"id": "shelter-a", "at": last.AnswerBaselineSurvey.Position}, &read)
	want := []surveyAnswerOut{
		{Round: 2025, Services: []string{}, Capacity: 30, SurvivorsPerYear: 120, Barriers: []string{}, Needs: []string{}, AnsweredAt: "2026-03-02T09:00:00Z"},
		{Round: 2026, Services: []string{"SHELTER", "LEGAL_AID"}, Capacity: 35, SurvivorsPerYear: 120,
			Barriers: []string{"NO_ID", "NO_INCOME", "UNAWARE_OF_PRODUCTS"}, Needs: []string{"ID_ASSISTANCE"}, AnsweredAt: "2026-03-02T09:00:00Z"},
	}
	if !reflect.DeepEqual(read.Organisation.Survey, want) {
		t.Errorf("survey\n got %+v\nwant %+v", read.Organisation.Survey, want)
	}
	if n := h.streamLen(eventstore.StreamName(eventstore.KindOrganisation, "shelter-a")); n != 4 {
		t.Errorf("the organisation's stream holds %d events, want 4 (registered, three answers)", n)
	}
	var bank struct {
		Organisation struct{ Survey []surveyAnswerOut }
	}
	h.must(caseworker, readSurvey, map[string]any{"id": "bank-a"}, &bank)
	if bank.Organisation.Survey == nil || len(bank.Organisation.Survey) != 0 {
		t.Errorf("a bank's survey: %+v", bank.Organisation.Survey)
	}
}

// Every bad answer is BAD_USER_INPUT with a sentence naming the field, and leaves the
// store as it was.
func TestAnswerBaselineSurveyBadInput(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	h.must(admin, `mutation { deactivateOrganisation(input: {commandId: "off", organisationId: "shelter-b"}) { version } }`, nil, nil)
	tests := []struct {
		name   string
		change map[string]any
		actor  app.Actor
		says   string
	}{
		{"round before 2020", map[string]any{"round": 2019}, caseworker, "round: a round is a year from 2020 to 2027"},
		{"round two years ahead", map[string]any{"round": 2028}, caseworker, "round:"},
		{"negative capacity", map[string]any{"capacity": -1}, caseworker, "capacity: must be from 0 to 100000"},
		{"capacity too large", map[string]any{"capacity": 100001}, caseworker, "capacity:"},
		{"negative survivors", map[string]any{"survivorsPerYear": -3}, caseworker, "survivorsPerYear:"},
		{"survivors too many", map[string]any{"survivorsPerYear": 100001}, caseworker, "survivorsPerYear:"},
		{"service twice", map[string]any{"services": []string{"SHELTER", "SHELTER"}}, caseworker, `services: "shelter" is listed twice`},
		{"barrier twice", map[string]any{"barriers": []string{"NO_ID", "NO_ID"}}, caseworker, "barriers:"},
		{"need twice", map[string]any{"needs": []string{"TRANSPORT", "TRANSPORT"}}, caseworker, "needs:"},
		{"unknown need", map[string]any{"needs": []string{"BANK_ACCOUNT"}}, caseworker, ""},
		{"unknown barrier", map[string]any{"barriers": []string{"no_id"}}, caseworker, ""},
		{"round not a number", map[string]any{"round": "2026"}, caseworker, ""},
		{"round beyond 32 bits", map[string]any{"round": 1 << 40}, caseworker, ""},
		{"no command id", map[string]any{"commandId": ""}, caseworker, "commandId"},
		{"a bank answering (by an admin)", map[string]any{"organisationId": "bank-a"}, admin,
			"organisationId: only organisations that support survivors (shelters, NGOs, government services) answer the baseline survey; this organisation is a bank"},
		{"the coalition answering", map[string]any{"organisationId": "coalition"}, admin, "organisationId:"},
		{"a deactivated shelter", map[string]any{"organisationId": "shelter-b"}, admin, "organisationId: the organisation was deactivated"},
	}
	head := h.head()
	for i, tt := range tests {
		in := surveyInput("bad-"+string(rune('a'+i)), "shelter-a")
		maps.Copy(in, tt.change)
		resp := h.do(tt.actor, answerSurvey, map[string]any{"in": in})
		if resp.code() != "BAD_USER_INPUT" {
			t.Errorf("%s: code %q (%+v), want BAD_USER_INPUT", tt.name, resp.code(), resp.Errors)
			continue
		}
		if msg := resp.Errors[0].Message; msg == "" || !strings.Contains(msg, tt.says) {
			t.Errorf("%s: message %q does not say %q", tt.name, msg, tt.says)
		}
	}
	if got := h.head(); got != head {
		t.Errorf("rejected answers appended: head %s, was %s", got, head)
	}
}

// Who answers: the organisation's own caseworkers and admins. Another shelter's
// caseworker, a bank's staff (for their bank or a shelter) and analysts are refused.
func TestAnswerBaselineSurveyAuthorisation(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	head := h.head()
	for i, tt := range []struct {
		name  string
		actor app.Actor
		org   string
		want  string
	}{
		{"another shelter's caseworker", otherWorker, "shelter-a", "FORBIDDEN"},
		{"a bank's staff for their bank", bankA, "bank-a", "FORBIDDEN"},
		{"a bank's staff for a shelter", bankA, "shelter-a", "FORBIDDEN"},
		{"an analyst", analyst, "shelter-a", "FORBIDDEN"},
		{"an auditor", auditor, "shelter-a", "FORBIDDEN"},
		{"no token", app.Actor{}, "shelter-a", "UNAUTHENTICATED"},
		{"an admin, for an organisation not in the directory", admin, "shelter-z", "NOT_FOUND"},
		{"an admin, for an id that is no stream name", admin, "Shelter A!", "NOT_FOUND"},
	} {
		resp := h.do(tt.actor, answerSurvey, map[string]any{"in": surveyInput("auth-"+string(rune('a'+i)), tt.org)})
		if resp.code() != tt.want {
			t.Errorf("%s: code %q (%+v), want %s", tt.name, resp.code(), resp.Errors, tt.want)
		}
	}
	if got := h.head(); got != head {
		t.Errorf("refused answers appended: head %s, was %s", got, head)
	}
	h.must(caseworker, answerSurvey, map[string]any{"in": surveyInput("auth-own", "shelter-a")}, nil)
	h.must(admin, answerSurvey, map[string]any{"in": surveyInput("auth-admin", "shelter-b")}, nil)
}

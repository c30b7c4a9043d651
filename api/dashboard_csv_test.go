package api_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func (h *harness) getCSV(t *testing.T, token string, params url.Values) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/dashboard.csv?"+params.Encode(), nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// The CSV holds the numbers the dashboard query publishes, suppressed the same way,
// with headers in English or Spanish; a bad filter or no token is refused with a
// coded JSON error.
func TestDashboardCSV(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	for i := range 6 {
		h.refer(fmt.Sprint("csv-", i))
	}
	params := url.Values{"jurisdiction": {"MX"}, "organisationId": {"shelter-a"}, "fromMonth": {"2026-01"}, "toMonth": {"2026-03"}}
	resp, body := h.getCSV(t, h.token(analyst), params)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("HTTP %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "section,figure,name,code,period,value,median_days,p90_days,status" {
		t.Errorf("header: %v", rows[0])
	}
	var gql struct{ Dashboard dashDoc }
	h.must(analyst, dashboardQuery, map[string]any{"f": marchFilter("shelter-a")}, &gql)
	want := map[string]string{} // figure@period → value as the query publishes it
	for _, s := range append(gql.Dashboard.Funnel, gql.Dashboard.Figures...) {
		for i, c := range s.Months {
			want[s.Figure+"@"+gql.Dashboard.Months[i]] = csvValue(c)
		}
		for i, c := range s.Periods {
			want[s.Figure+"@"+gql.Dashboard.Periods[i]] = csvValue(c)
		}
	}
	seen := 0
	for _, r := range rows[1:] {
		if r[0] != "funnel" && r[0] != "figures" {
			continue
		}
		seen++
		if w, ok := want[r[1]+"@"+r[4]]; !ok || w != r[5] {
			t.Errorf("CSV %s %s = %q, the query says %q", r[1], r[4], r[5], w)
		}
	}
	if seen != len(want) || want["referrals@2026-03"] != "5" {
		t.Errorf("%d count rows, the query has %d; referrals in March: %q", seen, len(want), want["referrals@2026-03"])
	}

	h.must(caseworker, answerSurvey, map[string]any{"in": surveyInput("csv-survey", "shelter-a")}, nil)
	if _, body := h.getCSV(t, h.token(analyst), params); !strings.Contains(body, "\nsurvey,organisations_answered,organisations_answered,,2026,1,,,exact") {
		t.Errorf("no survey in the export:\n%s", body[max(0, len(body)-600):])
	}
	params.Set("lang", "es")
	if _, body := h.getCSV(t, h.token(analyst), params); !strings.HasPrefix(body, "sección,indicador,") || !strings.Contains(body, "provisional (cota inferior") {
		t.Errorf("Spanish export: %.200s", body)
	}
	for name, c := range map[string]struct {
		token  string
		params url.Values
		status int
		code   string
	}{
		"no token":        {"", params, http.StatusUnauthorized, "UNAUTHENTICATED"},
		"bad month":       {h.token(analyst), url.Values{"jurisdiction": {"MX"}, "fromMonth": {"x"}, "toMonth": {"2026-03"}}, http.StatusBadRequest, "BAD_USER_INPUT"},
		"unknown lang":    {h.token(analyst), url.Values{"jurisdiction": {"MX"}, "fromMonth": {"2026-01"}, "toMonth": {"2026-03"}, "lang": {"fr"}}, http.StatusBadRequest, "BAD_USER_INPUT"},
		"no jurisdiction": {h.token(analyst), url.Values{"fromMonth": {"2026-01"}, "toMonth": {"2026-03"}}, http.StatusBadRequest, "BAD_USER_INPUT"},
	} {
		resp, body := h.getCSV(t, c.token, c.params)
		var out gqlResponse
		if resp.StatusCode != c.status || json.Unmarshal([]byte(body), &out) != nil || out.code() != c.code {
			t.Errorf("%s: HTTP %d %s, want %d %s", name, resp.StatusCode, body, c.status, c.code)
		}
	}
}

func csvValue(c dashCount) string {
	if c.Suppressed || c.Value == nil {
		return ""
	}
	return fmt.Sprint(*c.Value)
}

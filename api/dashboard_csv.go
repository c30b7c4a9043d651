package api

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/dashboard"
)

// The CSV export of the dashboard, for funders' reports: GET /dashboard.csv with the
// filter as query parameters (jurisdiction, organisationId, fromMonth, toMonth) and
// lang=en|es for the headers and words, authenticated like /graphql. It holds exactly
// the numbers the dashboard query publishes, suppressed the same way; codes stay
// codes (stable identifiers a spreadsheet can join on).

// csvWords are the export's headers and words in each language.
var csvWords = map[string]map[string]string{
	"en": {
		"section": "section", "figure": "figure", "name": "name", "code": "code", "period": "period",
		"value": "value", "median_days": "median_days", "p90_days": "p90_days", "status": "status",
		"published": "published", "suppressed": "suppressed (fewer than %d, or would reveal one)",
		"provisional": "provisional (lower bound, moves in steps of %d)",
		"funnel":      "funnel", "figures": "figures", "durations": "durations", "open_cases": "open_cases", "stalled_cases": "stalled_cases",
		"survey": "survey", "exact": "exact (the organisations' own survey answers)",
	},
	"es": {
		"section": "sección", "figure": "indicador", "name": "nombre", "code": "código", "period": "periodo",
		"value": "valor", "median_days": "mediana_días", "p90_days": "p90_días", "status": "estado",
		"published": "publicado", "suppressed": "suprimido (menos de %d, o revelaría uno)",
		"provisional": "provisional (cota inferior, cambia de %d en %d)",
		"funnel":      "embudo", "figures": "indicadores", "durations": "tiempos", "open_cases": "casos_abiertos", "stalled_cases": "casos_estancados",
		"survey": "encuesta", "exact": "exacto (respuesta de las organizaciones a la encuesta)",
	},
}

// dashboardCSV serves /dashboard.csv; the caller is authenticated already.
func dashboardCSV(svc *app.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		lang := q.Get("lang")
		if lang == "" {
			lang = "en"
		}
		words, ok := csvWords[lang]
		if !ok {
			writeError(w, r, http.StatusBadRequest, "lang: en or es", CodeBadUserInput)
			return
		}
		in := graph.DashboardFilter{Jurisdiction: q.Get("jurisdiction"), FromMonth: q.Get("fromMonth"), ToMonth: q.Get("toMonth")}
		if org := q.Get("organisationId"); org != "" {
			in.OrganisationID = &org
		}
		f, err := dashboardFilter(in)
		if err == nil {
			var v app.DashboardView
			if v, err = svc.Dashboard(r.Context(), actorFrom(r.Context()), f); err == nil {
				w.Header().Set("Content-Type", "text/csv; charset=utf-8")
				w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="waymark-dashboard-%s-%s-%s.csv"`, f.Jurisdiction, f.From, f.To))
				w.Header().Set("Cache-Control", "no-store")
				writeDashboardCSV(w, v, words)
				return
			}
		}
		code := codeOf(err)
		status := map[string]int{CodeBadUserInput: http.StatusBadRequest, CodeForbidden: http.StatusForbidden, CodeUnauthenticated: http.StatusUnauthorized}[code]
		if status == 0 {
			status, code = http.StatusInternalServerError, CodeInternal
		}
		message := err.Error()
		if code == CodeInternal {
			message = "internal error"
		}
		writeError(w, r, status, message, code)
	})
}

func writeDashboardCSV(w http.ResponseWriter, v app.DashboardView, words map[string]string) {
	out := csv.NewWriter(w)
	row := func(cells ...string) {
		for i, c := range cells {
			cells[i] = spreadsheetSafe(c)
		}
		_ = out.Write(cells) // a failed write is the client gone: nothing to tell it
	}
	status := func(c dashboard.Count) (value, word string) {
		switch {
		case c.Suppressed:
			return "", strings.ReplaceAll(words["suppressed"], "%d", strconv.Itoa(v.MinCell))
		case c.Provisional:
			return strconv.Itoa(c.Value), strings.ReplaceAll(words["provisional"], "%d", strconv.Itoa(v.MinCell))
		}
		return strconv.Itoa(c.Value), words["published"]
	}
	row(words["section"], words["figure"], words["name"], words["code"], words["period"], words["value"], words["median_days"], words["p90_days"], words["status"])
	series := func(section string, ss []dashboard.Series) {
		for _, s := range ss {
			for i, c := range s.Months {
				value, word := status(c)
				row(words[section], string(s.Figure), s.Name(), s.Code(), v.Months[i].String(), value, "", "", word)
			}
			for i, c := range s.Periods {
				value, word := status(c)
				row(words[section], string(s.Figure), s.Name(), s.Code(), v.Periods[i].String(), value, "", "", word)
			}
		}
	}
	series("funnel", v.Funnel)
	series("figures", v.Figures)
	days := func(d *float64) string {
		if d == nil {
			return ""
		}
		return strconv.FormatFloat(*d, 'f', 1, 64)
	}
	for _, d := range v.Durations {
		value, word := status(d.Cases)
		row(words["durations"], fmt.Sprintf("%s:%s>%s", d.Kind, d.From, d.To), string(d.Kind), d.From, d.Period.String(), value, days(d.Median), days(d.P90), word)
	}
	for _, b := range v.OpenCases {
		value, word := status(b.Count)
		row(words["open_cases"], "open_cases/"+b.Band, "open_cases", b.Band, v.Current.String(), value, "", "", word)
	}
	value, word := status(v.Stalled)
	row(words["stalled_cases"], "stalled_cases", "stalled_cases", "", v.Current.String(), value, "", "", word)
	surveyRows(row, v.Survey, words)
	out.Flush()
}

// surveyRows are the baseline survey's round beside the figures: facts organisations
// state about themselves, published exactly (period: the round's year).
func surveyRows(row func(...string), s app.SurveySummary, words map[string]string) {
	if s.Round == 0 {
		return
	}
	round := strconv.Itoa(s.Round)
	add := func(figure, name, code string, n int) {
		row(words["survey"], figure, name, code, round, strconv.Itoa(n), "", "", words["exact"])
	}
	add("organisations_answered", "organisations_answered", "", s.OrganisationsAnswered)
	add("organisations", "organisations", "", s.Organisations)
	add("capacity", "capacity", "", s.Capacity)
	add("survivors_per_year", "survivors_per_year", "", s.SurvivorsPerYear)
	for _, c := range s.Services {
		add("services/"+string(c.Service), "services", string(c.Service), c.Organisations)
	}
	for _, c := range s.Barriers {
		add("barriers_seen/"+string(c.Barrier), "barriers_seen", string(c.Barrier), c.Organisations)
	}
	for _, c := range s.Needs {
		add("needs/"+string(c.Need), "needs", string(c.Need), c.Organisations)
	}
}

// spreadsheetSafe keeps a cell from being read as a formula by a spreadsheet (an
// organisation id is chosen by people, and could begin with "=").
func spreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

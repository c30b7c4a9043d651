package dashboardweb

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The dictionaries' namespaces for the schema's enums the dashboard shows: a code is
// the enum's value in lower case (DashboardSeries.code).
var enumNamespaces = map[string]string{
	"Stage":                "stage",
	"DocumentKind":         "document_kind",
	"DeclineReason":        "decline_reason",
	"AccountDeclineReason": "account_decline_reason",
	"PackRejectionReason":  "pack_rejection_reason",
	"ClosureOutcome":       "closure_outcome",
	"Barrier":              "barrier",
	"Need":                 "need",
	"DurationKind":         "duration_kind",
	"OrganisationKind":     "organisation_kind",
	"Service":              "service",
	"SurveyNeed":           "survey_need",
}

func readDictionary(t *testing.T, lang string) map[string]string {
	t.Helper()
	b, err := static.ReadFile("static/assets/i18n/" + lang + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]string
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s.json: %v", lang, err)
	}
	return d
}

func readSchema(t *testing.T) string {
	t.Helper()
	files, err := filepath.Glob("../schema/*.graphqls")
	if err != nil || len(files) == 0 {
		t.Fatalf("no schema files under ../schema: %v", err)
	}
	var all strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
		all.WriteString("\n")
	}
	return all.String()
}

// schemaEnums returns each enum's values, skipping descriptions ("..." and """...""").
func schemaEnums(schema string) map[string][]string {
	out := map[string][]string{}
	block := regexp.MustCompile(`(?s)\benum\s+([A-Za-z_]+)\s*(?:@[^{]*)?\{(.*?)\n\}`)
	descriptions := regexp.MustCompile(`(?s)"""(.*?)"""|"(?:[^"\\\n]|\\.)*"`)
	value := regexp.MustCompile(`(?m)^\s*([A-Z][A-Z0-9_]*)\b`)
	for _, m := range block.FindAllStringSubmatch(schema, -1) {
		body := descriptions.ReplaceAllString(m[2], "")
		for _, v := range value.FindAllStringSubmatch(body, -1) {
			out[m[1]] = append(out[m[1]], v[1])
		}
	}
	return out
}

// typeDoc is the description just before "type <name>" or of its field.
func typeDoc(t *testing.T, schema, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(schema)
	if m == nil {
		t.Fatalf("schema: no match for %s", re)
	}
	return m[1]
}

// figureNames are the figures of the DashboardSeries doc and the dashboard package's
// Figure constants (both, so neither can gain a figure the page does not name).
func figureNames(t *testing.T, schema string) []string {
	t.Helper()
	doc := typeDoc(t, schema, `(?s)"""\s*One figure month by month\.(.*?)A figure broken down`)
	doc = regexp.MustCompile(`(?s)\([^)]*\)`).ReplaceAllString(doc, "")
	doc = doc[strings.Index(doc, ":")+1:]
	var names []string
	for _, part := range strings.Split(doc, ",") {
		name := strings.Trim(part, " .\n\t")
		if !regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`).MatchString(name) {
			t.Fatalf("DashboardSeries doc: %q is not a figure name", name)
		}
		names = append(names, name)
	}

	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "../dashboard/figures.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	fromGo := 0
	ast.Inspect(f, func(n ast.Node) bool {
		spec, ok := n.(*ast.ValueSpec)
		if !ok || spec.Type == nil {
			return true
		}
		if id, ok := spec.Type.(*ast.Ident); !ok || id.Name != "Figure" {
			return true
		}
		for _, v := range spec.Values {
			if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, _ := strconv.Unquote(lit.Value)
				fromGo++
				if !slices.Contains(names, s) {
					names = append(names, s)
				}
			}
		}
		return true
	})
	if fromGo < 20 || len(names) < 20 {
		t.Fatalf("found %d figures in the schema's doc and %d in dashboard/figures.go: the parsing is wrong", len(names), fromGo)
	}
	return names
}

func bands(t *testing.T, schema string) []string {
	t.Helper()
	doc := typeDoc(t, schema, `"The age since referral: ([^"]*)"`)
	out := regexp.MustCompile(`\d+-\d+|\d+\+`).FindAllString(doc, -1)
	if len(out) < 3 {
		t.Fatalf("age bands from %q: %v", doc, out)
	}
	return out
}

// Every code the dashboard can show has a label in both languages.
func TestEveryCodeIsTranslated(t *testing.T) {
	schema := readSchema(t)
	enums := schemaEnums(schema)
	var want []string
	for enum, ns := range enumNamespaces {
		values, ok := enums[enum]
		if !ok {
			t.Errorf("schema has no enum %s (or the test cannot read it)", enum)
			continue
		}
		for _, v := range values {
			want = append(want, ns+"."+strings.ToLower(v))
		}
	}
	for _, f := range figureNames(t, schema) {
		want = append(want, "figure."+f)
	}
	for _, b := range bands(t, schema) {
		want = append(want, "band."+b)
	}
	for _, lang := range []string{"en", "es"} {
		d := readDictionary(t, lang)
		for _, k := range want {
			if strings.TrimSpace(d[k]) == "" {
				t.Errorf("%s.json: no translation for %s", lang, k)
			}
		}
	}
	if len(want) < 100 {
		t.Errorf("only %d codes found: the schema parsing is wrong", len(want))
	}
}

// The two dictionaries have the same keys: a label added in one language only would
// show as its key in the other.
func TestDictionariesHaveTheSameKeys(t *testing.T) {
	en, es := readDictionary(t, "en"), readDictionary(t, "es")
	for k, v := range en {
		if _, ok := es[k]; !ok {
			t.Errorf("es.json lacks %s", k)
		}
		if strings.TrimSpace(v) == "" {
			t.Errorf("en.json: %s is empty", k)
		}
	}
	for k, v := range es {
		if _, ok := en[k]; !ok {
			t.Errorf("en.json lacks %s", k)
		}
		if strings.TrimSpace(v) == "" {
			t.Errorf("es.json: %s is empty", k)
		}
	}
}

// Every key the page's HTML and scripts name literally is in the dictionaries.
func TestKeysUsedByThePageExist(t *testing.T) {
	en := readDictionary(t, "en")
	keys := regexp.MustCompile(`(?:data-i18n(?:-placeholder|-label)?="|\bt\(')((?:ui|survey)\.[A-Za-z0-9_]+)`)
	for _, dir := range []string{"static", "static/assets/js"} {
		entries, err := static.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			b, _ := static.ReadFile(dir + "/" + e.Name())
			for _, m := range keys.FindAllStringSubmatch(string(b), -1) {
				if _, ok := en[m[1]]; !ok {
					t.Errorf("%s/%s uses %s, which no dictionary has", dir, e.Name(), m[1])
				}
			}
		}
	}
}

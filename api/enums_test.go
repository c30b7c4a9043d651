package api_test

import (
	"go/constant"
	"go/types"
	"reflect"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/codegen/config"
	"github.com/vektah/gqlparser/v2/ast"
	"golang.org/x/tools/go/packages"

	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/dashboard"
	"github.com/waymark-org/waymark/domain"
)

// domainEnum is the Go type a GraphQL enum is bound to, with its values and its
// check, taken from the type itself.
type domainEnum struct {
	goType string // "github.com/.../domain.Need"
	all    []string
	valid  func(string) bool
}

func enumOf[T interface {
	~string
	Valid() bool
}](all func() []T) domainEnum {
	rt := reflect.TypeFor[T]()
	e := domainEnum{goType: rt.PkgPath() + "." + rt.Name(), valid: func(s string) bool { return T(s).Valid() }}
	for _, v := range all() {
		e.all = append(e.all, string(v))
	}
	return e
}

// boundEnums names, for every GraphQL enum, the Go type gqlgen.yml binds it to. A new
// enum fails the test until it is added here (and bound in gqlgen.yml).
var boundEnums = map[string]domainEnum{
	"FieldGroup":           enumOf(app.Groups),
	"Stage":                enumOf(domain.AllStage),
	"DurationKind":         enumOf(dashboard.AllDurationKind),
	"WorkKind":             enumOf(app.AllWorkKind),
	"CaseStatus":           enumOf(domain.AllStatus),
	"Need":                 enumOf(domain.AllNeed),
	"Barrier":              enumOf(domain.AllBarrier),
	"DataCategory":         enumOf(domain.AllDataCategory),
	"Purpose":              enumOf(domain.AllPurpose),
	"DocumentKind":         enumOf(domain.AllDocumentKind),
	"DocumentStatus":       enumOf(domain.AllDocumentStatus),
	"OrganisationKind":     enumOf(domain.AllOrganisationKind),
	"Service":              enumOf(domain.AllService),
	"AccountProduct":       enumOf(domain.AllAccountProduct),
	"ContactChannel":       enumOf(domain.AllContactChannel),
	"ConcernCategory":      enumOf(domain.AllConcernCategory),
	"ConcernStatus":        enumOf(domain.AllConcernStatus),
	"ItemKind":             enumOf(domain.AllItemKind),
	"ItemOutcome":          enumOf(domain.AllItemOutcome),
	"EvidenceKind":         enumOf(domain.AllEvidenceKind),
	"Programme":            enumOf(domain.AllProgramme),
	"OfferStatus":          enumOf(domain.AllOfferStatus),
	"PackStatus":           enumOf(domain.AllPackStatus),
	"ApplicationStatus":    enumOf(domain.AllApplicationStatus),
	"DisputeStatus":        enumOf(domain.AllDisputeStatus),
	"DisputeOutcome":       enumOf(domain.AllDisputeOutcome),
	"ClosureOutcome":       enumOf(domain.AllClosureOutcome),
	"RefusalReason":        enumOf(domain.AllRefusalReason),
	"DeclineReason":        enumOf(domain.AllDeclineReason),
	"PackRejectionReason":  enumOf(domain.AllPackRejectionReason),
	"AccountDeclineReason": enumOf(domain.AllAccountDeclineReason),
	"DisputeReason":        enumOf(domain.AllDisputeReason),
	"ConcernResolution":    enumOf(domain.AllConcernResolution),
	"ReopenReason":         enumOf(domain.AllReopenReason),
	"ErasureReason":        enumOf(domain.AllErasureReason),

	"TransferReason":        enumOf(domain.AllTransferReason),
	"TransferDeclineReason": enumOf(domain.AllTransferDeclineReason),
	"TransferStatus":        enumOf(domain.AllTransferStatus),

	"SurveyNeed": enumOf(domain.AllSurveyNeed),
}

// TestEnumsMapToTheDomain: every value of every GraphQL enum is bound (gqlgen.yml) to
// a constant of the domain type whose Valid() holds, no two values to the same one,
// and every value the domain lists (All<Enum>()) has its GraphQL value: a mismatch
// fails here, not at run time. The generated code maps exactly these bindings, both
// ways. Names follow one rule, BANK_ACCOUNT ⇄ "bank_account" (the stored value);
// a deliberate exception belongs in this test.
func TestEnumsMapToTheDomain(t *testing.T) {
	t.Chdir("..") // gqlgen.yml names its schema files from the repository's root
	cfg, err := config.LoadConfig("gqlgen.yml")
	if err != nil {
		t.Fatal(err)
	}
	consts := stringConstants(t, "github.com/waymark-org/waymark/domain", "github.com/waymark-org/waymark/app", "github.com/waymark-org/waymark/dashboard")
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	enums := 0
	for name, def := range schema.Types {
		if def.Kind != ast.Enum || def.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		enums++
		want, ok := boundEnums[name]
		if !ok {
			t.Errorf("enum %s: no domain type in boundEnums; bind it in gqlgen.yml and add it here", name)
			continue
		}
		model := cfg.Models[name]
		if len(model.Model) != 1 || model.Model[0] != want.goType {
			t.Errorf("enum %s is bound to %v in gqlgen.yml, want %s", name, model.Model, want.goType)
		}
		back := map[string]string{} // domain value → GraphQL value
		for _, v := range def.EnumValues {
			bound, ok := model.EnumValues[v.Name]
			if !ok {
				t.Errorf("%s.%s: no enum_values binding in gqlgen.yml", name, v.Name)
				continue
			}
			value, ok := consts[bound.Value]
			switch {
			case !ok:
				t.Errorf("%s.%s is bound to %s, which is not a string constant", name, v.Name, bound.Value)
				continue
			case !want.valid(value):
				t.Errorf("%s.%s is bound to %q, not a valid %s", name, v.Name, value, want.goType)
			case back[value] != "":
				t.Errorf("%s.%s and %s.%s are both bound to %q: the way back is ambiguous", name, back[value], name, v.Name, value)
			case value != strings.ToLower(v.Name):
				t.Errorf("%s.%s is bound to %q, want %q (GraphQL names are the stored values in upper case)", name, v.Name, value, strings.ToLower(v.Name))
			}
			back[value] = v.Name
		}
		for _, value := range want.all {
			if back[value] == "" {
				t.Errorf("%s value %q has no GraphQL value in %s", want.goType, value, name)
			}
		}
	}
	if enums != len(boundEnums) {
		t.Errorf("the schema has %d enums, boundEnums lists %d: remove the ones the schema lost", enums, len(boundEnums))
	}
}

// stringConstants returns the string constants of packages by qualified name
// ("github.com/.../domain.NeedBankAccount"), as the compiler sees them.
func stringConstants(t *testing.T, paths ...string) map[string]string {
	t.Helper()
	pkgs, err := packages.Load(&packages.Config{Mode: packages.NeedName | packages.NeedTypes}, paths...)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range pkgs {
		for _, e := range p.Errors {
			t.Fatalf("load %s: %v", p.PkgPath, e)
		}
		scope := p.Types.Scope()
		for _, name := range scope.Names() {
			if c, ok := scope.Lookup(name).(*types.Const); ok && c.Val().Kind() == constant.String {
				out[p.PkgPath+"."+name] = constant.StringVal(c.Val())
			}
		}
	}
	return out
}

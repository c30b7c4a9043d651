package domain

import (
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestNewEventKnowsEveryType(t *testing.T) {
	names := EventTypes()
	seen := map[string]bool{}
	for _, name := range names {
		if seen[name] {
			t.Errorf("%s listed twice", name)
		}
		seen[name] = true
		e, ok := NewEvent(name)
		if !ok {
			t.Fatalf("NewEvent(%q) not found", name)
		}
		if reflect.ValueOf(e).Kind() != reflect.Pointer {
			t.Errorf("NewEvent(%q) = %T, want a pointer", name, e)
		}
		v := Deref(e)
		if reflect.ValueOf(v).Kind() != reflect.Struct || v.EventType() != name {
			t.Errorf("Deref(NewEvent(%q)) = %T (%s)", name, v, v.EventType())
		}
		if !reflect.DeepEqual(Deref(v), v) {
			t.Errorf("Deref of a value must return it unchanged")
		}
	}
	if _, ok := NewEvent("SurvivorTeleported"); ok {
		t.Errorf("an unknown type must not decode")
	}
}

func TestEventsRoundTripThroughJSON(t *testing.T) {
	all := append(append(journey(), laterEvents()...),
		ConsentWithdrawn{GrantID: "g-bank", At: at(11)},
		IDDocumentRefused{DocumentID: "doc-2", ReasonCode: RefusalNotEligible, At: at(11), Personal: &ReasonDetails{Text: "no record"}},
		AccountApplicationDeclined{Bank: "org-bank", ReasonCode: AccountInsufficientDocumentation, At: at(11), Personal: &ReasonDetails{Text: "no proof of address"}},
		SurvivorDataErased{ReasonCode: ErasureSurvivorRequest, At: at(12)},
		IDDocumentRequested{DocumentID: "doc-3", Kind: DocBirthCertificate, At: at(11), Personal: &AuthorityDetails{IssuingAuthority: "Registro Civil"}},
		OrganisationDeactivated{At: at(12)},
		OrganisationReactivated{At: at(13)},
		TokenRevoked{TokenID: "jti-1", At: at(12)},
		SubjectRevoked{Subject: "u-1", At: at(12)},
		OrganisationRegistered{Name: "Banco", Kind: OrgBank, Jurisdiction: "MX", Services: []Service{ServiceBanking}, At: at(0)},
		SurvivorReferred{ReferringOrganisation: "org-ngo", Jurisdiction: "US", At: at(0), Personal: &SurvivorDetails{
			FullName: "B", Aliases: []string{"C"}, DateOfBirth: "2000-01-01", Phone: "+1 555 0100", Email: "b@example.org", Address: "x"}},
	)
	covered := map[string]bool{}
	for _, e := range all {
		covered[e.EventType()] = true
		data, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := NewEvent(e.EventType())
		if err := json.Unmarshal(data, p); err != nil {
			t.Fatalf("%s: %v", e.EventType(), err)
		}
		if got := Deref(p); !reflect.DeepEqual(got, e) {
			t.Errorf("%s round trip\n got %#v\nwant %#v\njson %s", e.EventType(), got, e, data)
		}
	}
	for _, name := range EventTypes() {
		if !covered[name] {
			t.Errorf("%s not covered by the round-trip test", name)
		}
	}
}

// Personal data lives only in the one "personal" object, so sealing it seals all.
func TestPersonalDataOnlyInsidePersonal(t *testing.T) {
	for _, name := range EventTypes() {
		p, _ := NewEvent(name)
		typ := reflect.TypeOf(p).Elem()
		for i := range typ.NumField() {
			f := typ.Field(i)
			tag := f.Tag.Get("json")
			if tag == "" || tag == "-" || strings.ToLower(tag[:1]) != tag[:1] {
				t.Errorf("%s.%s: json tag %q is not camelCase", name, f.Name, tag)
			}
			isPersonal := f.Type.Kind() == reflect.Pointer
			if isPersonal != (f.Name == "Personal") || (isPersonal && tag != "personal,omitempty") {
				t.Errorf("%s.%s: only a pointer field Personal tagged personal,omitempty may hold personal data", name, f.Name)
			}
		}
	}
	secrets := []string{"Ana", "CURP123", "Account works.", "Lucía", "held her card", "old address", "Financiera Norte", "FN-0042"}
	for _, e := range append(journey(), laterEvents()...) {
		v := reflect.New(reflect.TypeOf(e)).Elem()
		v.Set(reflect.ValueOf(e))
		if f := v.FieldByName("Personal"); f.IsValid() {
			f.SetZero()
		}
		data, _ := json.Marshal(v.Interface())
		for _, s := range secrets {
			if strings.Contains(string(data), s) {
				t.Errorf("%s carries %q outside personal: %s", e.EventType(), s, data)
			}
		}
	}
}

func TestRuleError(t *testing.T) {
	e := error(&RuleError{Err: ErrInvalidInput, Field: "survivor.fullName", Reason: "the survivor's full name is required"})
	if e.Error() != "survivor.fullName: the survivor's full name is required" {
		t.Errorf("Error() = %q", e.Error())
	}
	if !errors.Is(e, ErrInvalidInput) || errors.Is(e, ErrInvalidTransition) {
		t.Errorf("errors.Is must follow Err")
	}
	if got := (&RuleError{Err: ErrCaseNotFound}).Error(); got != "case not found" {
		t.Errorf("a RuleError without detail falls back to its sentinel, got %q", got)
	}
	if errors.Is(consentRequired("x"), ErrInvalidTransition) {
		t.Errorf("ErrConsentRequired is its own sentinel")
	}
	if mutationName("RequestIDDocument") != "requestIDDocument" || mutationName("") != "" {
		t.Errorf("mutationName")
	}
}

func TestEnums(t *testing.T) {
	snake := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	check := func(name string, values []string, valid func(string) bool) {
		t.Helper()
		if len(values) == 0 || valid("") || valid("Nope") {
			t.Errorf("%s: empty or accepts junk", name)
		}
		for i, v := range values {
			if !snake.MatchString(v) || !valid(v) || slices.Contains(values[:i], v) {
				t.Errorf("%s: bad value %q", name, v)
			}
		}
	}
	check("Need", strs(AllNeed()), func(s string) bool { return Need(s).Valid() })
	check("Barrier", strs(AllBarrier()), func(s string) bool { return Barrier(s).Valid() })
	check("DataCategory", strs(AllDataCategory()), func(s string) bool { return DataCategory(s).Valid() })
	check("Purpose", strs(AllPurpose()), func(s string) bool { return Purpose(s).Valid() })
	check("DocumentKind", strs(AllDocumentKind()), func(s string) bool { return DocumentKind(s).Valid() })
	check("OrganisationKind", strs(AllOrganisationKind()), func(s string) bool { return OrganisationKind(s).Valid() })
	check("Service", strs(AllService()), func(s string) bool { return Service(s).Valid() })
	check("AccountProduct", strs(AllAccountProduct()), func(s string) bool { return AccountProduct(s).Valid() })
	check("DisputeOutcome", strs(AllDisputeOutcome()), func(s string) bool { return DisputeOutcome(s).Valid() })
	check("ClosureOutcome", strs(AllClosureOutcome()), func(s string) bool { return ClosureOutcome(s).Valid() })
	check("Stage", strs(AllStage()), func(s string) bool { return Stage(s).Valid() })
	check("Status", strs(AllStatus()), func(s string) bool { return Status(s).Valid() })
	check("ApplicationStatus", strs(AllApplicationStatus()), func(s string) bool { return ApplicationStatus(s).Valid() })
	check("DocumentStatus", strs(AllDocumentStatus()), func(s string) bool { return DocumentStatus(s).Valid() })
	check("DisputeStatus", strs(AllDisputeStatus()), func(s string) bool { return DisputeStatus(s).Valid() })
	check("ContactChannel", strs(AllContactChannel()), func(s string) bool { return ContactChannel(s).Valid() })
	check("ConcernCategory", strs(AllConcernCategory()), func(s string) bool { return ConcernCategory(s).Valid() })
	check("ConcernStatus", strs(AllConcernStatus()), func(s string) bool { return ConcernStatus(s).Valid() })
	check("ItemKind", strs(AllItemKind()), func(s string) bool { return ItemKind(s).Valid() })
	check("ItemOutcome", strs(AllItemOutcome()), func(s string) bool { return ItemOutcome(s).Valid() })
	check("EvidenceKind", strs(AllEvidenceKind()), func(s string) bool { return EvidenceKind(s).Valid() })
	check("Programme", strs(AllProgramme()), func(s string) bool { return Programme(s).Valid() })
	check("OfferStatus", strs(AllOfferStatus()), func(s string) bool { return OfferStatus(s).Valid() })
	check("PackStatus", strs(AllPackStatus()), func(s string) bool { return PackStatus(s).Valid() })

	for _, k := range AllOrganisationKind() {
		if k.SupportsSurvivors() != (k == OrgShelter || k == OrgNGO || k == OrgGovernment) {
			t.Errorf("%s.SupportsSurvivors() = %v", k, k.SupportsSurvivors())
		}
	}
	// All* hands out a fresh slice: changing one cannot change the enum.
	AllNeed()[0] = "money"
	if !NeedBankAccount.Valid() || Need("money").Valid() {
		t.Errorf("All* must not share state")
	}
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

package domain

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestEventsRoundTripThroughJSON(t *testing.T) {
	all := append(append(journey(), laterEvents()...),
		ConsentWithdrawn{GrantID: "g-bank", At: at(11)},
		IDDocumentRefused{DocumentID: "doc-2", ReasonCode: RefusalNotEligible, At: at(11), Personal: &ReasonDetails{Text: "no record"}},
		AccountApplicationDeclined{Bank: "org-bank", ReasonCode: AccountInsufficientDocumentation, At: at(11), Personal: &ReasonDetails{Text: "no proof of address"}},
		SurvivorDataErased{ReasonCode: ErasureSurvivorRequest, At: at(12)},
		IDDocumentRequested{DocumentID: "doc-3", Kind: DocBirthCertificate, At: at(11), Personal: &AuthorityDetails{IssuingAuthority: "Registro Civil"}},
		OrganisationDeactivated{At: at(12)},
		OrganisationReactivated{At: at(13)},
		BaselineSurveyAnswered{Round: 2026, Services: []Service{ServiceShelter, ServiceLegalAid}, Capacity: 30, SurvivorsPerYear: 120,
			Barriers: []Barrier{BarrierNoID, BarrierUnawareOfProducts}, Needs: []SurveyNeed{SurveyNeedFinancialTraining}, At: at(14)},
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
		spec, ok := EventSpecOf(e)
		if !ok {
			t.Fatalf("%T is not in the event table", e)
		}
		got, err := spec.Decode(spec.SchemaVersion, data)
		if err != nil {
			t.Fatalf("%s: %v", e.EventType(), err)
		}
		if !reflect.DeepEqual(got, e) {
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
	for _, spec := range Events() {
		name, typ := spec.Type, spec.GoType
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

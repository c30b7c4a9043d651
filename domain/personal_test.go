package domain

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// Every string an event stores outside its Personal object is a closed vocabulary (a
// type with Valid() bool) or tagged with what it is (waymark:"id", "code" or
// "public"). Anything else would be free text stored in plaintext, beyond erasure:
// this test walks every field of every event type, so a field added later cannot be
// forgotten.
func TestFreeTextLivesOnlyInPersonal(t *testing.T) {
	for _, spec := range Events() {
		name, typ := spec.Type, spec.GoType
		for _, bad := range untaggedStrings(typ, name, "") {
			t.Errorf("%s is a string outside Personal with no closed vocabulary and no waymark tag: "+
				"free text is personal data (move it into Personal), or tag it id, code or public", bad)
		}
		if f, ok := typ.FieldByName("Personal"); ok && (f.Type.Kind() != reflect.Pointer || f.Tag.Get("json") != "personal,omitempty") {
			t.Errorf("%s.Personal must be a pointer with the json name \"personal,omitempty\"", name)
		}
	}
}

var (
	validator = reflect.TypeOf((*interface{ Valid() bool })(nil)).Elem()
	timeType  = reflect.TypeOf(time.Time{})
)

// untaggedStrings lists the string fields of typ (nested structs and slices
// included) that are neither a closed vocabulary nor tagged.
func untaggedStrings(typ reflect.Type, path, tag string) []string {
	switch typ.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return untaggedStrings(typ.Elem(), path+"[]", tag)
	case reflect.String:
		if typ.Implements(validator) || tag == "id" || tag == "code" || tag == "public" {
			return nil
		}
		return []string{path}
	case reflect.Struct:
		if typ == timeType {
			return nil
		}
		var out []string
		for i := range typ.NumField() {
			f := typ.Field(i)
			if f.Name == "Personal" {
				continue
			}
			out = append(out, untaggedStrings(f.Type, path+"."+f.Name, f.Tag.Get("waymark"))...)
		}
		return out
	case reflect.Map, reflect.Interface:
		return []string{path + " (" + typ.Kind().String() + ": say what it holds)"}
	}
	return nil
}

// The walk catches what it must: a plain string, nested or not.
func TestUntaggedStringsIsNotBlind(t *testing.T) {
	type inner struct {
		Code Need   `json:"code"`
		Note string `json:"note"`
	}
	type probe struct {
		ID       string       `json:"id" waymark:"id"`
		Reason   string       `json:"reason"`
		Items    []inner      `json:"items"`
		At       time.Time    `json:"at"`
		Personal *NoteDetails `json:"personal,omitempty"`
	}
	got := strings.Join(untaggedStrings(reflect.TypeOf(probe{}), "probe", ""), ",")
	if got != "probe.Reason,probe.Items[].Note" {
		t.Errorf("untagged strings = %q", got)
	}
}

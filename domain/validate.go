package domain

import (
	"fmt"
	"slices"
	"strings"
)

// Input checks shared by the case and organisation rules. They judge a value on its
// own, without the case; every concern's rules use them first.

func one(e Event) ([]Event, error) { return []Event{e}, nil }

// enum is a closed vocabulary. Every enum is a string type whose values are the
// lower_snake_case names stored in events, so a stored event reads the same in every
// language; it lives with its concern (OfferStatus in offers.go, ContactChannel in
// contact.go, ...). Each has Valid() (for input checks in Decide) and an All<Type>()
// that lists its values in order (for API enum mapping and exhaustive tests).
// All<Type> returns a fresh slice each call: there is no package-level mutable state.
type enum interface {
	~string
	Valid() bool
}

// checkList rejects unknown values and duplicates (a duplicate is a mistake in the
// form, and sets are what the events mean).
func checkList[T enum](field string, xs []T, atLeastOne bool) error {
	if atLeastOne && len(xs) == 0 {
		return invalid(field, "at least one value is required")
	}
	for i, x := range xs {
		if !x.Valid() {
			return invalid(field, fmt.Sprintf("unknown value %q", string(x)))
		}
		if slices.Contains(xs[:i], x) {
			return invalid(field, fmt.Sprintf("%q is listed twice", string(x)))
		}
	}
	return nil
}

// checkOrg rejects a reference the application layer did not resolve.
func checkOrg(field string, ref OrgRef) error {
	if strings.TrimSpace(ref.ID) == "" {
		return invalid(field, "an organisation id is required")
	}
	if !ref.Kind.Valid() {
		return unknownOrganisation(field, fmt.Sprintf("organisation %s is not in the directory", ref.ID))
	}
	return nil
}

func checkOrgKind(field string, ref OrgRef, want OrganisationKind) error {
	if err := checkOrg(field, ref); err != nil {
		return err
	}
	if ref.Kind != want {
		return wrongKind(field, fmt.Sprintf("organisation %s is not a %s (it is registered as %s)", ref.ID, kindName(want), kindName(ref.Kind)))
	}
	return nil
}

// kindName writes a kind the way a case worker says it: "credit bureau".
func kindName(k OrganisationKind) string {
	if k == OrgNGO {
		return "NGO"
	}
	return strings.ReplaceAll(string(k), "_", " ")
}

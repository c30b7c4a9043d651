package domain

import "fmt"

// Reasons are recorded twice: as a code from a closed list, which dashboards and the
// analytics feed count, and optionally as text a person wrote, which is personal data
// (sealed in the event's personal object, erased with the case, its reads logged).
// Every list ends in "other" so that no reason is forced into a wrong code; the text
// says more. Each list lives with its concern (RefusalReason in idrecovery.go,
// DeclineReason in offers.go, ...).

// ReasonDetails is the optional free text beside a reason code.
type ReasonDetails struct {
	Text string `json:"text"`
}

// reasonText checks the optional text of a reason and returns the personal object to
// store (nil when there is no text).
func reasonText(field, text string) (*ReasonDetails, error) {
	t, err := cleanText(field, text, reasonRule)
	if err != nil || t == "" {
		return nil, err
	}
	return &ReasonDetails{Text: t}, nil
}

// checkCode checks a reason code that is required.
func checkCode[T enum](field string, code T, what string) error {
	if code == "" {
		return invalid(field, fmt.Sprintf("a %s is required", what))
	}
	if !code.Valid() {
		return invalid(field, fmt.Sprintf("unknown %s %q", what, string(code)))
	}
	return nil
}

// checkOptionalCode checks a reason code that may be left out.
func checkOptionalCode[T enum](field string, code T, what string) error {
	if code != "" && !code.Valid() {
		return invalid(field, fmt.Sprintf("unknown %s %q", what, string(code)))
	}
	return nil
}

package analytics

import (
	"encoding/json"
	"strings"
	"time"
	"unicode"
)

// The CloudEvents envelope's constants for every message of the feed.
const (
	SpecVersion     = "1.0"
	Source          = "urn:waymark:case" // one producer: a consumer tells jurisdictions by data.jurisdiction
	TypePrefix      = "org.waymark.case."
	ContractVersion = "v1" // the analytics contract's version, not the store's schema version
	ContentType     = "application/json"
	SchemaBase      = "https://waymark.example/asyncapi.yaml#/components/schemas/"
	SubjectPrefix   = "waymark.analytics."
)

// CloudEvent is one message of the analytics feed: a CloudEvents 1.0 event in
// structured JSON mode. Data holds only de-identified fields (map.go).
type CloudEvent struct {
	SpecVersion     string         `json:"specversion"`
	ID              string         `json:"id"`
	Source          string         `json:"source"`
	Type            string         `json:"type"`
	Time            string         `json:"time"` // the event's day, at 00:00Z
	Subject         string         `json:"subject"`
	DataContentType string         `json:"datacontenttype"`
	DataSchema      string         `json:"dataschema"`
	Data            map[string]any `json:"data"`
}

// Marshal is the message's published bytes.
func (ce CloudEvent) Marshal() ([]byte, error) { return json.Marshal(ce) }

// TypeToken is the kebab-case name of a stored event type with a leading "Case" word
// dropped (CaseClosed → closed, BankAccountOpened → bank-account-opened): the one rule
// for every type, used in the CloudEvents type and the subject.
func TypeToken(eventType string) string {
	name := strings.TrimPrefix(eventType, "Case")
	if name == "" || !unicode.IsUpper(rune(name[0])) {
		name = eventType // a type merely starting with "Case…" in lower case keeps it
	}
	var b strings.Builder
	rs := []rune(name)
	for i, r := range rs {
		if unicode.IsUpper(r) {
			// A new word starts at an upper-case letter after a lower-case one, or at
			// the last upper-case letter of an acronym (IDDocument → id-document).
			if i > 0 && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1]))) {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CloudEventType is the CloudEvents type of a stored event type.
func CloudEventType(eventType string) string {
	return TypePrefix + TypeToken(eventType) + "." + ContractVersion
}

// SchemaName is the name of the schema of a message's data in asyncapi.yaml (its
// dataschema); the whole message's schema is named after the event type.
func SchemaName(eventType string) string { return eventType + "Data" }

// Subject is the NATS subject a message is published on:
// waymark.analytics.<jurisdiction>.<pseudonym>.<event-type>, lowercase tokens, so one
// journey can be purged by its pseudonym.
func Subject(ce CloudEvent) string {
	j, _ := ce.Data["jurisdiction"].(string)
	tok := strings.TrimSuffix(strings.TrimPrefix(ce.Type, TypePrefix), "."+ContractVersion)
	return SubjectPrefix + strings.ToLower(j) + "." + strings.ToLower(ce.Subject) + "." + tok
}

// day is t's day at 00:00 UTC, the only time the feed publishes.
func day(t time.Time) string {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)
}

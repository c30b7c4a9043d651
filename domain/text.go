package domain

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// What people type is checked before it is stored: it is kept forever (sealed, but
// kept), shown to other organisations and read back by auditors. Every free-text field
// has a length limit, and no field may hold control characters or the invisible
// characters that make text display other than it reads (bidi overrides, zero-width
// spaces): "Ana\u202Eetnom" shows as "Anamonte". Line breaks are allowed only in
// multi-line texts (notes, details). The limits are in runes (characters), and they
// are documented in schema.graphql beside each field.
const (
	MaxNameLength          = 200   // a person's or an organisation's name, an alias, a staff member
	MaxAliases             = 10    // aliases of one survivor
	MaxPhoneLength         = 40    // "+52 (55) 1234-5678 ext. 12"
	MaxEmailLength         = 254   // RFC 5321's path limit
	MaxAddressLength       = 500   // a postal address, on several lines if need be
	MaxDocumentNumberLen   = 64    // passports, CURP (18), INE, national ids
	MaxReferenceLength     = 64    // a creditor's account reference
	MaxReasonTextLength    = 2000  // the optional text beside a reason code
	MaxIssuingAuthorityLen = 200   // an authority named in free text
	MaxIDLength            = 100   // client-chosen ids: commandId, item ids, references
	MaxDisputeItems        = 100   // items in one dispute
	MaxNoteLength          = 10000 // a case note, in characters
)

// idPattern is what a client-chosen id may look like: letters, digits, '-' and '_'
// (a UUID fits). Ids become parts of stream names and subjects, and are stored in
// plaintext, so they are kept plain.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// CheckID checks an id given by a client (a command id, a dispute item id, a
// reference to an entry of the case): 1–100 letters, digits, '-' or '_'.
func CheckID(field, id string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return invalid(field, "an id is required")
	case len(id) > MaxIDLength:
		return invalid(field, fmt.Sprintf("an id is at most %d characters long (got %d)", MaxIDLength, len(id)))
	case !idPattern.MatchString(id):
		return invalid(field, "an id is made of letters, digits, '-' and '_' only")
	}
	return nil
}

func checkID(field, id string) error { return CheckID(field, id) }

// textRule says how one free-text field is checked.
type textRule struct {
	max       int  // in runes
	multiline bool // line breaks allowed (CR LF becomes LF)
	required  string
}

// cleanText trims s and checks it against r: "" (when not required) passes as "".
// The returned text is what is stored.
func cleanText(field, s string, r textRule) (string, error) {
	if r.multiline {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	s = strings.TrimSpace(s)
	if s == "" {
		if r.required != "" {
			return "", invalid(field, r.required)
		}
		return "", nil
	}
	if !utf8.ValidString(s) {
		return "", invalid(field, "the text is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n > r.max {
		return "", invalid(field, fmt.Sprintf("the text is %d characters long; at most %d are allowed", n, r.max))
	}
	for _, c := range s {
		if bad, what := forbiddenRune(c, r.multiline); bad {
			return "", invalid(field, fmt.Sprintf("the text contains %s (U+%04X), which is not allowed", what, c))
		}
	}
	return s, nil
}

// forbiddenRune reports whether c may not appear in stored text, and names it.
func forbiddenRune(c rune, multiline bool) (bool, string) {
	switch {
	case c == '\n' && multiline:
		return false, ""
	case c == '\t' && multiline:
		return false, ""
	case c == '\n' || c == '\r':
		return true, "a line break"
	case unicode.Is(unicode.Cc, c):
		return true, "a control character"
	case isBidiControl(c):
		return true, "a bidirectional-text control"
	case c == '\u200B' || c == '\uFEFF' || c == '\u2028' || c == '\u2029' || c == '\u00AD' || c == '\u2060':
		return true, "an invisible character"
	case unicode.Is(unicode.Co, c) || unicode.Is(unicode.Cs, c) || c == utf8.RuneError:
		return true, "an unassigned or private-use character"
	}
	return false, ""
}

// isBidiControl reports the characters that reorder how text is displayed.
func isBidiControl(c rune) bool {
	return (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069') ||
		c == '\u200E' || c == '\u200F' || c == '\u061C'
}

// Rules of the free-text fields, by kind.
var (
	nameRule      = textRule{max: MaxNameLength}
	reasonRule    = textRule{max: MaxReasonTextLength, multiline: true}
	noteRule      = textRule{max: MaxNoteLength, multiline: true, required: "the note is empty"}
	authorityRule = textRule{max: MaxIssuingAuthorityLen}
)

// CheckJurisdiction is checkJurisdiction for a jurisdiction that is no command's
// field (a dashboard's filter).
func CheckJurisdiction(field, j string) error { return checkJurisdiction(field, j) }

// checkJurisdiction wants an ISO 3166-1 alpha-2 country code ("MX", "US", "GB") so
// cases and organisations group the same way on every dashboard.
func checkJurisdiction(field, j string) error {
	bad := func(why string) error {
		return invalid(field, fmt.Sprintf("jurisdiction must be an ISO 3166-1 alpha-2 country code in capitals such as MX, US or GB (%s)", why))
	}
	if len(j) != 2 || j != strings.ToUpper(j) {
		return bad(fmt.Sprintf("got %q", clip(j)))
	}
	if j == "UK" {
		return bad(`the United Kingdom is "GB"`)
	}
	r, err := language.ParseRegion(j)
	if err != nil || !r.IsCountry() {
		return bad(fmt.Sprintf("%q is not a country", j))
	}
	return nil
}

// MaxAge is how far back a date of birth may lie: survivors of any age, minors
// included, but not a typo for the year 0001.
const MaxAge = 110

// checkDateOfBirth wants YYYY-MM-DD within the last MaxAge years, not in the future.
func checkDateOfBirth(field, dob string, now time.Time) error {
	d, err := time.Parse(dateLayout, dob)
	if err != nil {
		return invalid(field, fmt.Sprintf("date of birth must be a date written YYYY-MM-DD, e.g. 1990-04-23 (got %q)", clip(dob)))
	}
	if d.After(now) {
		return invalid(field, "date of birth cannot be in the future")
	}
	if d.Before(now.AddDate(-MaxAge, 0, 0)) {
		return invalid(field, fmt.Sprintf("date of birth must lie within the last %d years", MaxAge))
	}
	return nil
}

// checkEmail is a loose check: one '@' with something on both sides, a dot in the
// domain, no spaces. Mail servers decide the rest.
func checkEmail(field, email string) error {
	local, domainPart, ok := strings.Cut(email, "@")
	switch {
	case len(email) > MaxEmailLength:
		return invalid(field, fmt.Sprintf("an email address is at most %d characters long", MaxEmailLength))
	case !ok || local == "" || domainPart == "" || strings.Contains(domainPart, "@"),
		!strings.Contains(domainPart, "."), strings.HasPrefix(domainPart, "."), strings.HasSuffix(domainPart, "."),
		strings.ContainsFunc(email, unicode.IsSpace):
		return invalid(field, "this does not look like an email address (name@example.org)")
	}
	return nil
}

// checkPhone is a loose check: digits with the usual separators, an optional leading
// '+', and 5 to 20 digits in all ("+52 (55) 1234-5678").
func checkPhone(field, phone string) error {
	digits := 0
	for i, c := range phone {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '+' && i == 0, c == ' ', c == '-', c == '(', c == ')', c == '.', c == '/':
		default:
			return invalid(field, "a phone number holds digits, spaces, '+', '-', '(', ')', '.' and '/' only")
		}
	}
	if digits < 5 || digits > 20 {
		return invalid(field, fmt.Sprintf("a phone number has 5 to 20 digits (got %d)", digits))
	}
	return nil
}

// clip bounds a value quoted back in an error message.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

package access

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxReasonLength bounds a break-glass reason, in characters.
const MaxReasonLength = 500

// CheckReason checks the reason an auditor states for reading personal data (the
// break-glass X-Access-Reason) and returns it trimmed. It is read by whoever reviews
// the access log, so it must say something: at least two words of two letters or
// more, ten letters in all, and nothing invisible (a zero-width space is not a
// reason).
func CheckReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > MaxReasonLength {
		return "", errors.New("a reason is at most 500 characters long")
	}
	letters, words := 0, 0
	for _, w := range strings.FieldsFunc(reason, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		n := 0
		for _, r := range w {
			if unicode.IsLetter(r) {
				n++
			}
		}
		if n >= 2 {
			words++
		}
		letters += n
	}
	for _, r := range reason {
		if !unicode.IsPrint(r) && r != ' ' {
			return "", errors.New("a reason may not hold control or invisible characters")
		}
	}
	if words < 2 || letters < 10 {
		return "", errors.New("state the reason in words (at least two words, e.g. \"complaint 2026-14 review\")")
	}
	return reason, nil
}

package sealing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Blind index kinds. Any kind string works (without a 0x00 byte); these are the ones
// with agreed meanings.
const (
	// KindName indexes a survivor's name: Normalise(value).
	KindName = "name"
	// KindDocument indexes a document number: Normalise(value) with its separators
	// removed, so "ABC-123 45", "abc 12345" and "abc12345" index alike.
	KindDocument = "document"
)

// BlindIndex returns a keyed blind index of value, to find a case by a survivor's name
// or document number without storing either: the hex HMAC-SHA-256, keyed with the
// keyring's IndexKey, of kind + 0x00 + the normalised value (Normalise; for KindDocument
// also without spaces). The same value under another kind or another index key gives an
// unrelated index. A value that normalises to nothing returns "": index nothing for it.
func (v *Vault) BlindIndex(kind, value string) string {
	n := Normalise(value)
	if kind == KindDocument {
		n = strings.ReplaceAll(n, " ", "")
	}
	if n == "" {
		return ""
	}
	v.mu.RLock()
	key := v.ring.IndexKey
	v.mu.RUnlock()
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(kind))
	mac.Write([]byte{0})
	mac.Write([]byte(n))
	return hex.EncodeToString(mac.Sum(nil))
}

// Normalise folds the spellings of one name together, for the blind index:
//
//   - compatibility decomposition (Unicode NFKD, golang.org/x/text/unicode/norm), then
//     every combining mark (category Mn) dropped: "José" → "Jose", "ＡＢＣ" → "ABC";
//   - lower case, and Latin letters that do not decompose spelled out: ß→ss, æ→ae, œ→oe,
//     ø→o, đ/ð→d, ł→l, ı→i, þ→th, ħ→h, ŧ→t;
//   - apostrophes (' ’ ʼ ‘ `) removed: "O'Brien" → "obrien";
//   - every other run of characters that are neither letters nor digits (whitespace,
//     punctuation, symbols, controls) collapsed to one space; leading and trailing
//     spaces trimmed.
//
// So "José  María", "JOSE MARIA" and "josé-maría" all give "jose maria". Scripts other
// than Latin keep their letters (lower-cased where they have case) and lose only their
// nonspacing marks.
func Normalise(value string) string {
	var b strings.Builder
	b.Grow(len(value))
	space := false // a separator is pending
	for _, r := range norm.NFKD.String(value) {
		switch {
		case unicode.Is(unicode.Mn, r) || isApostrophe(r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			r = unicode.ToLower(r)
			if s, ok := latinFolds[r]; ok {
				b.WriteString(s)
			} else {
				b.WriteRune(r)
			}
		default:
			space = true
		}
	}
	return b.String()
}

// latinFolds spells out lower-case Latin letters with no decomposition.
var latinFolds = map[rune]string{
	'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'đ': "d", 'ð': "d",
	'ł': "l", 'ı': "i", 'þ': "th", 'ħ': "h", 'ŧ': "t",
}

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '\u2019', '\u02BC', '\u2018', '`':
		return true
	}
	return false
}

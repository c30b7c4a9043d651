package projections

import (
	"encoding/json"
	"strings"
)

// decodeTokens reads an opened blind index: a JSON array of strings. A start opens
// every case's (100,000 cases: a fifth of a second of encoding/json), and the tokens
// are hex (sealing.BlindIndex), so the plain shape is read here, into one string the
// tokens share; anything else (spaces, escapes, other bytes, another shape) is left
// to encoding/json, which answers the same for the plain shape.
func decodeTokens(raw []byte) ([]string, error) {
	if tokens, ok := plainTokens(raw); ok {
		return tokens, nil
	}
	var tokens []string
	if err := json.Unmarshal(raw, &tokens); err != nil {
		return nil, err
	}
	return tokens, nil
}

// plainTokens reads raw if it is [] or ["t",...] with no space and every t printable
// ASCII other than a quote or a backslash; ok is false otherwise.
func plainTokens(raw []byte) (tokens []string, ok bool) {
	if len(raw) < 2 || raw[0] != '[' || raw[len(raw)-1] != ']' {
		return nil, false
	}
	body := string(raw[1 : len(raw)-1]) // the one allocation the tokens share
	if body == "" {
		return []string{}, true
	}
	tokens = make([]string, 0, strings.Count(body, ",")+1)
	for part := range strings.SplitSeq(body, ",") {
		if len(part) < 2 || part[0] != '"' || part[len(part)-1] != '"' {
			return nil, false
		}
		t := part[1 : len(part)-1]
		for i := 0; i < len(t); i++ {
			if c := t[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
				return nil, false
			}
		}
		tokens = append(tokens, t)
	}
	return tokens, true
}

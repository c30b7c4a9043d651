package auth

import (
	"fmt"
	"strings"
)

// BearerToken extracts the token from an Authorization header value of the form
// "Bearer <token>" (the scheme is case-insensitive, RFC 7235). An empty header, a
// different scheme or a missing or space-containing token is ErrMissingToken. The
// header's value never appears in the error.
func BearerToken(header string) (string, error) {
	header = strings.TrimSpace(header)
	if header == "" {
		return "", fmt.Errorf("%w: no Authorization header", ErrMissingToken)
	}
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", fmt.Errorf("%w: Authorization scheme is not Bearer", ErrMissingToken)
	}
	token = strings.TrimSpace(token)
	if token == "" || strings.ContainsAny(token, " \t\r\n") {
		return "", fmt.Errorf("%w: malformed Bearer credentials", ErrMissingToken)
	}
	return token, nil
}

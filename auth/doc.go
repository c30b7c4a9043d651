// Package auth issues and verifies Waymark's access tokens: JWTs signed with Ed25519
// (EdDSA) keys identified by a key id, carrying the user (sub), their organisation
// (org) and role (role). Parsing and signature checks are done by
// github.com/golang-jwt/jwt/v5; this package fixes the algorithm, picks the key by
// kid, requires the claims Waymark relies on and maps every refusal to a sentinel
// that also matches ErrInvalidToken.
//
// It decides who the caller is, never what they may do: role values are passed
// through unvalidated for the authorisation layer.
package auth

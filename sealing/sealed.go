package sealing

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// The sealed form replaces the plaintext personal sub-object inside an event's JSON data:
//
//	{"sealed":1,"alg":"A256GCM","n":"<base64 nonce>","c":"<base64 ciphertext+tag>"}
//
// n is the 12-byte GCM nonce, c the ciphertext followed by the 16-byte tag, both in
// standard base64 with padding. The associated data (wrap.go) is not stored: it is
// rebuilt from the event's case id, event id and schema version when opening.
const (
	sealedVersion = 1
	algA256GCM    = "A256GCM"
	gcmNonceSize  = 12
	gcmTagSize    = 16
)

type sealedObject struct {
	Sealed int    `json:"sealed"`
	Alg    string `json:"alg"`
	N      []byte `json:"n"`
	C      []byte `json:"c"`
}

// encodeSealed returns the sealed form.
func encodeSealed(nonce, ciphertext []byte) (json.RawMessage, error) {
	b, err := json.Marshal(sealedObject{Sealed: sealedVersion, Alg: algA256GCM, N: nonce, C: ciphertext})
	if err != nil {
		return nil, fmt.Errorf("sealing: encode sealed object: %w", err)
	}
	return b, nil
}

// decodeSealed parses the sealed form strictly; anything else is ErrTampered.
func decodeSealed(raw json.RawMessage) (sealedObject, error) {
	if s, ok := decodeCanonical(raw); ok {
		return s, nil
	}
	return decodeSealedJSON(raw)
}

// The form encodeSealed writes, byte for byte, around the two base64 strings.
const (
	canonicalHead = `{"sealed":1,"alg":"A256GCM","n":"`
	canonicalMid  = `","c":"`
	canonicalTail = `"}`
)

// decodeCanonical reads the sealed form exactly as encodeSealed writes it, without
// encoding/json: opening every case's blind index at start (and every personal read)
// parses one of these, and the reflecting decoder was most of an open's cost. Anything
// else — other spacing or member order, escapes, bad base64 — is left to the strict
// decoder (ok false), which accepts or refuses it as before.
func decodeCanonical(raw []byte) (sealedObject, bool) {
	rest, ok := bytes.CutPrefix(raw, []byte(canonicalHead))
	if !ok {
		return sealedObject{}, false
	}
	n, rest, ok := bytes.Cut(rest, []byte(canonicalMid))
	if !ok {
		return sealedObject{}, false
	}
	c, ok := bytes.CutSuffix(rest, []byte(canonicalTail))
	if !ok || bytes.IndexByte(c, '"') >= 0 || bytes.IndexByte(c, '\\') >= 0 {
		return sealedObject{}, false
	}
	nonce, err := decodeStdBase64(n)
	if err != nil || len(nonce) != gcmNonceSize {
		return sealedObject{}, false
	}
	ct, err := decodeStdBase64(c)
	if err != nil || len(ct) < gcmTagSize {
		return sealedObject{}, false
	}
	return sealedObject{Sealed: sealedVersion, Alg: algA256GCM, N: nonce, C: ct}, true
}

// decodeStdBase64 decodes standard base64 with padding, as encoding/json writes []byte.
func decodeStdBase64(b []byte) ([]byte, error) {
	out := make([]byte, base64.StdEncoding.DecodedLen(len(b)))
	n, err := base64.StdEncoding.Strict().Decode(out, b)
	return out[:n], err
}

// decodeSealedJSON is the strict, general parse of the sealed form.
func decodeSealedJSON(raw json.RawMessage) (sealedObject, error) {
	var s sealedObject
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil || dec.More() {
		return sealedObject{}, fmt.Errorf("%w: not a sealed object", ErrTampered)
	}
	switch {
	case s.Sealed != sealedVersion:
		return sealedObject{}, fmt.Errorf("%w: sealed version %d", ErrTampered, s.Sealed)
	case s.Alg != algA256GCM:
		return sealedObject{}, fmt.Errorf("%w: algorithm %q", ErrTampered, s.Alg)
	case len(s.N) != gcmNonceSize:
		return sealedObject{}, fmt.Errorf("%w: nonce of %d bytes", ErrTampered, len(s.N))
	case len(s.C) < gcmTagSize:
		return sealedObject{}, fmt.Errorf("%w: ciphertext of %d bytes", ErrTampered, len(s.C))
	}
	return s, nil
}

// IsSealed reports whether raw is a personal sub-object in the sealed form (rather than
// plaintext from before sealing, or JSON null). It does not authenticate anything.
func IsSealed(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return false
	}
	var probe struct {
		Sealed *int    `json:"sealed"`
		Alg    *string `json:"alg"`
		N      *string `json:"n"`
		C      *string `json:"c"`
	}
	if json.Unmarshal(raw, &probe) != nil {
		return false
	}
	return probe.Sealed != nil && *probe.Sealed == sealedVersion &&
		probe.Alg != nil && probe.N != nil && probe.C != nil
}

// Placeholder returns a stand-in for the sealed form of n bytes of plaintext, exactly
// as long as what Seal returns for them, for sizing an event before its case has a
// key (a referral's key is made only once the command owns its id). It opens nothing.
func Placeholder(n int) json.RawMessage {
	b, err := encodeSealed(make([]byte, gcmNonceSize), make([]byte, n+gcmTagSize))
	if err != nil {
		panic(err) // a fixed struct of byte slices always marshals
	}
	return b
}

package sealing

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/waymark-org/waymark/internal/fsync"
)

// keyringJSON is the stored form of a Keyring (see Keyring).
type keyringJSON struct {
	Active   string            `json:"active"`
	KEKs     map[string][]byte `json:"keks"`
	IndexKey []byte            `json:"index_key"`
}

// marshalKeyring returns the stored form; the caller clears it when done.
func marshalKeyring(k Keyring, indent bool) ([]byte, error) {
	if err := k.Validate(); err != nil {
		return nil, err
	}
	v := keyringJSON{Active: k.Active, KEKs: k.KEKs, IndexKey: k.IndexKey}
	var (
		data []byte
		err  error
	)
	if indent {
		data, err = json.MarshalIndent(v, "", "  ")
	} else {
		data, err = json.Marshal(v)
	}
	if err != nil {
		return nil, fmt.Errorf("sealing: encode keyring: %w", err)
	}
	return data, nil
}

// EncodeKeyring returns k in the WAYMARK_MASTER_KEY form: standard base64 of its JSON
// (ParseKeyring reads it back). It is the master key itself: print it only to the
// operator, never to a log.
func EncodeKeyring(k Keyring) (string, error) {
	data, err := marshalKeyring(k, false)
	if err != nil {
		return "", err
	}
	defer clear(data)
	return base64.StdEncoding.EncodeToString(data), nil
}

// WriteKeyring saves k as JSON at path, readable by its owner only (0600), atomically:
// it writes a temporary file in the same directory, syncs it and renames it over path,
// so a crash leaves either the old keyring or the new one, never half of either.
func WriteKeyring(path string, k Keyring) (err error) {
	data, err := marshalKeyring(k, true)
	if err != nil {
		return err
	}
	defer clear(data)
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("sealing: write keyring: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	// CreateTemp makes the file 0600 already; say so explicitly, before any key byte.
	if err = f.Chmod(0o600); err != nil {
		return fmt.Errorf("sealing: write keyring: %w", err)
	}
	if _, err = f.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("sealing: write keyring: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("sealing: write keyring: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("sealing: write keyring: %w", err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("sealing: write keyring: %w", err)
	}
	_ = fsync.Path(dir) // makes the rename durable where the platform allows it
	return nil
}

// ReadKeyring reads and validates a keyring file written by WriteKeyring (or by hand in
// the same JSON form, or base64 of it).
func ReadKeyring(path string) (Keyring, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Keyring{}, fmt.Errorf("sealing: read keyring: %w", err)
	}
	defer clear(data)
	k, err := parseKeyring(data)
	if err != nil {
		return Keyring{}, fmt.Errorf("%w (file %s)", err, path)
	}
	return k, nil
}

// ParseKeyring parses the WAYMARK_MASTER_KEY form: the keyring's JSON, or base64
// (standard or URL alphabet, padded or not) of that JSON. Errors never quote the input.
func ParseKeyring(s string) (Keyring, error) {
	return parseKeyring([]byte(s))
}

func parseKeyring(data []byte) (Keyring, error) {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] != '{' {
		decoded, ok := decodeBase64(string(data))
		if !ok {
			return Keyring{}, errors.New("sealing: keyring is neither JSON nor base64 of JSON")
		}
		defer clear(decoded)
		data = bytes.TrimSpace(decoded)
	}
	var kj keyringJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&kj); err != nil {
		// json's errors may quote a few input bytes: say only where it went wrong.
		return Keyring{}, fmt.Errorf("sealing: keyring JSON is malformed (after byte %d)", dec.InputOffset())
	}
	if dec.More() {
		return Keyring{}, errors.New("sealing: keyring JSON has trailing data")
	}
	k := Keyring{Active: kj.Active, KEKs: kj.KEKs, IndexKey: kj.IndexKey}
	if err := k.Validate(); err != nil {
		return Keyring{}, err
	}
	return k, nil
}

// decodeBase64 accepts the standard and URL alphabets, with or without padding.
func decodeBase64(s string) ([]byte, bool) {
	s = strings.Join(strings.Fields(s), "") // tolerate wrapped lines
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

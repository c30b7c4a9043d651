package sealing

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenerateAndExtendKeyring(t *testing.T) {
	t.Parallel()
	r1 := newRing(t, "k1")
	if err := r1.Validate(); err != nil {
		t.Fatal(err)
	}
	r2, err := r1.WithNewKEK("k2")
	if err != nil {
		t.Fatal(err)
	}
	if r2.Active != "k2" || len(r2.KEKs) != 2 || !bytes.Equal(r2.KEKs["k1"], r1.KEKs["k1"]) ||
		!bytes.Equal(r2.IndexKey, r1.IndexKey) || bytes.Equal(r2.KEKs["k2"], r1.KEKs["k1"]) {
		t.Errorf("WithNewKEK = %v", r2)
	}
	if r1.Active != "k1" || len(r1.KEKs) != 1 {
		t.Errorf("WithNewKEK changed its receiver: %v", r1)
	}
	if _, err := r2.WithNewKEK("k1"); err == nil {
		t.Error("WithNewKEK reused an id")
	}
	for _, bad := range []string{"", "a b", "k/1", strings.Repeat("k", 65)} {
		if _, err := GenerateKeyring(bad); err == nil {
			t.Errorf("GenerateKeyring(%q) accepted a bad id", bad)
		}
	}
}

func TestValidateKeyring(t *testing.T) {
	t.Parallel()
	good := newRing(t, "k1")
	for name, mutate := range map[string]func(*Keyring){
		"no active":        func(k *Keyring) { k.Active = "" },
		"missing active":   func(k *Keyring) { k.Active = "k9" },
		"short KEK":        func(k *Keyring) { k.KEKs["k1"] = k.KEKs["k1"][:16] },
		"short index key":  func(k *Keyring) { k.IndexKey = nil },
		"index key is KEK": func(k *Keyring) { k.IndexKey = bytes.Clone(k.KEKs["k1"]) },
	} {
		k := good.clone()
		mutate(&k)
		if err := k.Validate(); err == nil {
			t.Errorf("%s: Validate accepted %v", name, k)
		}
	}
}

// TestKeyringNeverPrintsKeyBytes: fmt (every verb, also nested) and slog show ids only.
func TestKeyringNeverPrintsKeyBytes(t *testing.T) {
	t.Parallel()
	r, _ := newRing(t, "k1").WithNewKEK("k2")
	if got, want := r.String(), "keyring{active=k2, keks=[k1 k2]}"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("ring", "ring", r, "nested", struct{ R Keyring }{r})
	slog.New(slog.NewTextHandler(&logged, nil)).Info("ring", "ring", r, "nested", struct{ R Keyring }{r})
	encoded, _ := json.Marshal(struct{ R Keyring }{r})
	outputs := []string{
		fmt.Sprint(r), fmt.Sprintf("%s %v %+v %#v", r, r, r, r), fmt.Sprintf("%v %+v", &r, struct{ R Keyring }{r}),
		logged.String(), string(encoded),
	}
	secrets := [][]byte{r.KEKs["k1"], r.KEKs["k2"], r.IndexKey}
	for _, out := range outputs {
		for _, s := range secrets {
			for _, form := range []string{string(s), base64.StdEncoding.EncodeToString(s), hex.EncodeToString(s),
				strings.Trim(fmt.Sprint(s), "[]"), fmt.Sprintf("%x", s[:8])} {
				if strings.Contains(out, form) {
					t.Fatalf("key bytes printed: %s", out)
				}
			}
		}
	}
}

func TestKeyringFileAndEnvForms(t *testing.T) {
	t.Parallel()
	r, _ := newRing(t, "k1").WithNewKEK("k2")
	path := filepath.Join(t.TempDir(), "master.key")
	if err := WriteKeyring(path, r); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("keyring file mode = %v, %v; want 0600", st.Mode(), err)
	}
	if err := WriteKeyring(path, r); err != nil { // overwrites atomically
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	read, err := ReadKeyring(path)
	if err != nil || read.String() != r.String() || !sameKeys(read, r) {
		t.Fatalf("ReadKeyring = %v, %v", read, err)
	}

	js, _ := marshalKeyring(r, false)
	env, err := EncodeKeyring(r)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]string{
		"EncodeKeyring": env,
		"json":          string(js),
		"base64":        base64.StdEncoding.EncodeToString(js),
		"base64url raw": base64.RawURLEncoding.EncodeToString(js),
		"padded spaces": "\n  " + base64.StdEncoding.EncodeToString(js) + "\n",
	} {
		got, err := ParseKeyring(s)
		if err != nil || !sameKeys(got, r) {
			t.Errorf("ParseKeyring(%s) = %v, %v", name, got, err)
		}
	}
	if err := WriteKeyring(path, Keyring{}); err == nil {
		t.Error("WriteKeyring accepted an invalid keyring")
	}
}

// TestParseKeyringErrorsDoNotEchoInput: a malformed master key must not land in a log.
func TestParseKeyringErrorsDoNotEchoInput(t *testing.T) {
	t.Parallel()
	const secret = "c2VjcmV0LWtleS1tYXRlcmlhbA"
	for _, in := range []string{
		`{"active":"k1","keks":{"k1":"` + secret + `"}`,                               // truncated JSON
		`{"active":"k1","keks":{"k1":` + secret + `}}`,                                // bad token
		`{"active":"k1","keks":{"k1":"` + secret + `"},"index_key":"` + secret + `"}`, // wrong sizes
		secret + "!!!", // neither form
		`{"active":"k1","surprise":"` + secret + `"}`,
	} {
		_, err := ParseKeyring(in)
		if err == nil {
			t.Errorf("ParseKeyring accepted %q", in)
			continue
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), secret[:6]) {
			t.Errorf("error quotes the input: %v", err)
		}
	}
}

func sameKeys(a, b Keyring) bool {
	if a.Active != b.Active || !bytes.Equal(a.IndexKey, b.IndexKey) || len(a.KEKs) != len(b.KEKs) {
		return false
	}
	for id, k := range a.KEKs {
		if !bytes.Equal(k, b.KEKs[id]) {
			return false
		}
	}
	return true
}

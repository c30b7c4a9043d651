package webhooks

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "bank.secret"), strings.Repeat("s", 40)+"\n")
	cfg := filepath.Join(dir, "webhooks.json")
	writeFile(t, cfg, `[{"organisation":"us-bank","url":"https://hooks.example.org/waymark","secretFile":"bank.secret"}]`)
	eps, err := LoadConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(eps) != 1 || eps[0].Organisation != "us-bank" || string(eps[0].Secret) != strings.Repeat("s", 40) {
		t.Fatalf("endpoints = %+v", eps)
	}

	writeFile(t, filepath.Join(dir, "short.secret"), "short")
	for _, tc := range []struct{ name, file, want string }{
		{"http", `[{"organisation":"us-bank","url":"http://hooks.example.org/","secretFile":"bank.secret"}]`, "HTTPS only"},
		{"relative url", `[{"organisation":"us-bank","url":"/hook","secretFile":"bank.secret"}]`, "absolute https://"},
		{"credentials in url", `[{"organisation":"us-bank","url":"https://u:p@hooks.example.org/","secretFile":"bank.secret"}]`, "carries credentials"},
		{"short secret", `[{"organisation":"us-bank","url":"https://hooks.example.org/","secretFile":"short.secret"}]`, "at least 32"},
		{"missing secret", `[{"organisation":"us-bank","url":"https://hooks.example.org/","secretFile":"none.secret"}]`, "secret file"},
		{"no secret", `[{"organisation":"us-bank","url":"https://hooks.example.org/"}]`, "secretFile is required"},
		{"twice", `[{"organisation":"us-bank","url":"https://a.example.org/","secretFile":"bank.secret"},{"organisation":"us-bank","url":"https://b.example.org/","secretFile":"bank.secret"}]`, "one per organisation"},
		{"bad organisation", `[{"organisation":"US Bank","url":"https://a.example.org/","secretFile":"bank.secret"}]`, "not an organisation id"},
		{"unknown field", `[{"organisation":"us-bank","url":"https://a.example.org/","secret":"inline"}]`, "not a list"},
		{"not a list", `{"organisation":"us-bank"}`, "not a list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			writeFile(t, cfg, tc.file)
			_, err := LoadConfig(cfg)
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadConfig = %v, want ErrConfig saying %q", err, tc.want)
			}
			if strings.Contains(err.Error(), strings.Repeat("s", 40)) {
				t.Fatal("the error quotes the secret")
			}
		})
	}
}

func TestTLSConfigCA(t *testing.T) {
	dir := t.TempDir()
	if _, err := TLSConfig(filepath.Join(dir, "none.pem")); err == nil {
		t.Fatal("a missing CA file is accepted")
	}
	writeFile(t, filepath.Join(dir, "bad.pem"), "not a certificate")
	if _, err := TLSConfig(filepath.Join(dir, "bad.pem")); !errors.Is(err, ErrConfig) {
		t.Fatalf("a file without PEM: %v", err)
	}
}

// The log rotates past its size and keeps a bounded number of files; ReadLog returns
// what is kept, oldest first.
func TestDeliveryLogRotation(t *testing.T) {
	dir := t.TempDir()
	l, err := OpenLog(dir, 400, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := range 30 {
		if err := l.Append(Record{Delivery: "d" + string(rune('a'+i)), Organisation: "bank-a", Type: "work.added", Attempt: 1, Outcome: OutcomeDelivered}); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := ReadLog(dir, "bank-a")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 || len(recs) >= 30 {
		t.Fatalf("kept %d of 30 records; want the newest few", len(recs))
	}
	if last := recs[len(recs)-1].Delivery; last != "d"+string(rune('a'+29)) {
		t.Fatalf("newest record %q", last)
	}
	for i := 1; i < len(recs); i++ {
		if recs[i].Delivery <= recs[i-1].Delivery {
			t.Fatalf("records out of order: %q then %q", recs[i-1].Delivery, recs[i].Delivery)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, LogFile+".3")); !os.IsNotExist(err) {
		t.Fatalf("a third rotated file is kept: %v", err)
	}
	st, _ := os.Stat(filepath.Join(dir, LogFile))
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("log mode %v", st.Mode().Perm())
	}
}

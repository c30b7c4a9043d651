package kurrentdb_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/kurrentdb"
	"github.com/waymark-org/waymark/eventstore/kurrentdb/kurrenttest"
)

const (
	testUser     = "waymark"
	testPassword = "Corr3ct-Horse-Battery"
)

// secureServer starts a double that serves TLS with a certificate from a CA made for
// the test and requires testUser's credentials, and returns it with the path of the
// CA's certificate (the client's tlsCAFile).
func secureServer(t *testing.T) (*kurrenttest.Server, string) {
	t.Helper()
	certs, err := kurrenttest.NewCerts()
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, certs.CAPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := kurrenttest.Start(kurrenttest.WithTLS(certs.CertPEM, certs.KeyPEM), kurrenttest.WithCredentials(testUser, testPassword))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv, caFile
}

// The store takes TLS and credentials from the connection string: over TLS, trusting
// the CA tlsCAFile names, with the user and password sent on every call, it appends,
// reads and subscribes.
func TestTLSAndCredentials(t *testing.T) {
	t.Parallel()
	srv, caFile := secureServer(t)
	url := "esdb://" + testUser + ":" + testPassword + "@" + srv.Addr() + "?tls=true&tlsCAFile=" + caFile
	s, err := kurrentdb.Open(t.Context(), kurrentdb.Config{URL: url, Logger: quiet()})
	if err != nil {
		t.Fatalf("open over TLS with credentials: %v", err)
	}
	defer s.Close()
	sub, err := s.Subscribe(t.Context(), eventstore.Start)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if _, err := s.Append(t.Context(), "case-1", eventstore.NoStream, event(1), event(2)); err != nil {
		t.Fatal(err)
	}
	events, err := s.ReadStream(t.Context(), "case-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 {
		t.Fatalf("read %d events, want 2", len(events))
	}
	receive(t, sub, event(1).ID)
	receive(t, sub, event(2).ID)
	if srv.StreamLen("case-1") != 2 {
		t.Errorf("the double holds %d events of case-1, want 2", srv.StreamLen("case-1"))
	}
}

// Credentials the server refuses, or none where it requires them, fail Open at once
// with an error that says so (not retried for RetryFor as if the server were down)
// and quotes neither the password nor the connection string, in the error or the log.
// RetryFor is an hour and the context 20 s: a failure retried as transient would end
// with the context's error instead.
func TestCredentialsRefused(t *testing.T) {
	t.Parallel()
	srv, caFile := secureServer(t)
	const wrong = "Wr0ng-Passw0rd-Here"
	for _, tc := range []struct {
		name, userinfo string
		want           error
	}{
		{"wrong password", testUser + ":" + wrong + "@", kurrentdb.ErrUnauthenticated},
		{"unknown user", "nobody:" + wrong + "@", kurrentdb.ErrUnauthenticated},
		{"no credentials", "", kurrentdb.ErrAccessDenied},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			url := "esdb://" + tc.userinfo + srv.Addr() + "?tls=true&tlsCAFile=" + caFile
			s, err := kurrentdb.Open(ctx, kurrentdb.Config{URL: url, Logger: logger, RetryFor: time.Hour})
			if err == nil {
				s.Close()
				t.Fatal("open succeeded")
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("open: %v, want %v", err, tc.want)
			}
			t.Logf("open: %v", err)
			for _, secret := range []string{wrong, testPassword, url} {
				if strings.Contains(err.Error(), secret) || strings.Contains(logs.String(), secret) {
					t.Errorf("the error or the log quotes %q:\nerror: %v\nlog:\n%s", secret, err, logs.String())
				}
			}
		})
	}
}

// A server certificate the client cannot trust (tls=true, no tlsCAFile: the system's
// CAs did not sign the test's) fails Open at once with an error that says it is the
// certificate; tlsVerifyCert=false accepts it.
func TestUntrustedCertificate(t *testing.T) {
	t.Parallel()
	srv, _ := secureServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	s, err := kurrentdb.Open(ctx, kurrentdb.Config{URL: srv.URL(), Logger: quiet(), RetryFor: time.Hour})
	if err == nil {
		s.Close()
		t.Fatal("open trusted a certificate no known CA signed")
	}
	if !errors.Is(err, kurrentdb.ErrTLS) || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("open: %v, want ErrTLS about the certificate", err)
	}
	t.Logf("open: %v", err)
	if strings.Contains(err.Error(), testPassword) {
		t.Errorf("the error quotes the password: %v", err)
	}

	s, err = kurrentdb.Open(t.Context(), kurrentdb.Config{URL: srv.URL() + "&tlsVerifyCert=false", Logger: quiet()})
	if err != nil {
		t.Fatalf("open with tlsVerifyCert=false: %v", err)
	}
	defer s.Close()
	if _, err := s.Append(t.Context(), "case-1", eventstore.NoStream, event(1)); err != nil {
		t.Fatal(err)
	}
}

// tls=true against a server that serves no TLS (an insecure one) fails Open at once,
// saying so, rather than retrying a server that seems down.
func TestTLSToInsecureServer(t *testing.T) {
	t.Parallel()
	srv, err := kurrenttest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	url := "esdb://" + srv.Addr() + "?tls=true&tlsVerifyCert=false"
	s, err := kurrentdb.Open(ctx, kurrentdb.Config{URL: url, Logger: quiet(), RetryFor: time.Hour})
	if err == nil {
		s.Close()
		t.Fatal("open over TLS to an insecure server succeeded")
	}
	if !errors.Is(err, kurrentdb.ErrTLS) || !strings.Contains(err.Error(), "tls=false") {
		t.Fatalf("open: %v, want ErrTLS suggesting tls=false", err)
	}
}

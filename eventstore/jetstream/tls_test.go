package jetstream

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/analytics"
)

// testPKI is a CA and the certificates it signed, as PEM files in dir.
type testPKI struct {
	dir              string
	ca               *x509.Certificate
	caKey            *ecdsa.PrivateKey
	caFile           string
	serverCert       tls.Certificate
	clientCertFile   string
	clientKeyFile    string
	strangerCertFile string // signed by another CA
	strangerKeyFile  string
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	p := &testPKI{dir: t.TempDir()}
	p.ca, p.caKey = selfSigned(t, "waymark test CA")
	p.caFile = p.writePEM(t, "ca.pem", "CERTIFICATE", p.ca.Raw)
	der, key := p.sign(t, p.ca, p.caKey, "nats server", x509.ExtKeyUsageServerAuth)
	p.serverCert = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	der, key = p.sign(t, p.ca, p.caKey, "waymark", x509.ExtKeyUsageClientAuth)
	p.clientCertFile, p.clientKeyFile = p.writePEM(t, "client.pem", "CERTIFICATE", der), p.writeKey(t, "client.key", key)
	other, otherKey := selfSigned(t, "another CA")
	der, key = p.sign(t, other, otherKey, "stranger", x509.ExtKeyUsageClientAuth)
	p.strangerCertFile, p.strangerKeyFile = p.writePEM(t, "stranger.pem", "CERTIFICATE", der), p.writeKey(t, "stranger.key", key)
	return p
}

func selfSigned(t *testing.T, name string) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func (p *testPKI) sign(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, name string, usage x509.ExtKeyUsage) ([]byte, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return der, key
}

func (p *testPKI) writePEM(t *testing.T, name, kind string, der []byte) string {
	t.Helper()
	path := filepath.Join(p.dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func (p *testPKI) writeKey(t *testing.T, name string, key *ecdsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return p.writePEM(t, name, "EC PRIVATE KEY", der)
}

// An external server that speaks only TLS and asks for a client certificate: the
// store and the analysts' side connect with the CA and the client certificate given
// (the copy of the feed follows); without the CA, or with a certificate of another
// CA, Open fails with the reason and no store.
func TestExternalServerOverTLS(t *testing.T) {
	pki := newTestPKI(t)
	opts, err := server.ProcessConfigFile(filepath.Join("testdata", "analysts-external.conf"))
	if err != nil {
		t.Fatal(err)
	}
	opts.Host, opts.Port, opts.StoreDir, opts.NoSigs = "127.0.0.1", -1, t.TempDir(), true
	pool := x509.NewCertPool()
	pool.AddCert(pki.ca)
	opts.TLSConfig = &tls.Config{Certificates: []tls.Certificate{pki.serverCert}, ClientCAs: pool,
		ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12}
	opts.TLS, opts.TLSVerify, opts.TLSTimeout = true, true, 5
	opts.DisableShortFirstPing = true // as startConfiguredServer, for its bcrypt checks
	srv, err := runServer(opts, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	url := fmt.Sprintf("tls://%s", srv.Addr().String())
	cfg := Config{NATSURL: url, NATSUser: AppUser, NATSPassword: "waymark-password-0123456789",
		AnalystsNATSUser: AnalystsUser, AnalystsNATSPassword: "analysts-password-0123456789",
		NATSCAFile: pki.caFile, NATSCertFile: pki.clientCertFile, NATSKeyFile: pki.clientKeyFile}

	for _, bad := range []struct {
		name string
		edit func(*Config)
		say  string
	}{
		{"no CA", func(c *Config) { c.NATSCAFile = "" }, "certificate"},
		{"a stranger's certificate", func(c *Config) { c.NATSCertFile, c.NATSKeyFile = pki.strangerCertFile, pki.strangerKeyFile }, ""},
		{"no client certificate", func(c *Config) { c.NATSCertFile, c.NATSKeyFile = "", "" }, ""},
		{"a certificate without its key", func(c *Config) { c.NATSKeyFile = "" }, "go together"},
		{"a missing CA file", func(c *Config) { c.NATSCAFile = filepath.Join(pki.dir, "none.pem") }, "none.pem"},
	} {
		c := cfg
		bad.edit(&c)
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		s, err := Open(ctx, c)
		cancel()
		if err == nil {
			s.Close()
			t.Errorf("%s: opened", bad.name)
		} else if !strings.Contains(err.Error(), bad.say) {
			t.Errorf("%s: %v, want it to say %q", bad.name, err, bad.say)
		}
	}
	if _, err := Open(t.Context(), Config{DataDir: t.TempDir(), NATSCAFile: pki.caFile}); err == nil || !strings.Contains(err.Error(), "external server") {
		t.Errorf("TLS files without a NATS URL: %v", err)
	}

	s := mustOpen(t, cfg)
	defer s.Close()
	kept := pseudonym(3)
	publishFeed(t, s, kept, "step-0")
	waitFor(t, "the analysts' copy over TLS", func() bool {
		info, err := s.analysts.Stream().Info(t.Context(), jetstream.WithSubjectFilter(">"))
		return err == nil && info.State.Subjects["waymark.analytics.mx."+kept+".step-0"] == 1
	})
	if _, err := s.js.Stream(t.Context(), analytics.StreamName); err != nil {
		t.Errorf("the feed's stream over TLS: %v", err)
	}
}

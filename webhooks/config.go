package webhooks

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
)

// Endpoint is where one organisation's notifications go, and the secret they are
// signed with.
type Endpoint struct {
	Organisation string
	URL          string
	Secret       Secret
}

// Secret is an endpoint's signing secret. It prints and logs as "[redacted]": a
// secret never reaches a log, an error or a delivery record.
type Secret []byte

func (Secret) String() string               { return "[redacted]" }
func (Secret) GoString() string             { return "[redacted]" }
func (Secret) LogValue() slog.Value         { return slog.StringValue("[redacted]") }
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"[redacted]"`), nil }

// MinSecret is the shortest secret accepted: 32 bytes, HMAC-SHA256's own strength.
const MinSecret = 32

// ErrConfig is a webhook configuration that cannot be used; the error says why.
var ErrConfig = errors.New("invalid webhook configuration")

// entry is one element of the configuration file.
type entry struct {
	Organisation string `json:"organisation"`
	URL          string `json:"url"`
	SecretFile   string `json:"secretFile"`
}

var orgID = regexp.MustCompile(`^[a-z0-9-]{3,64}$`) // the directory's organisation ids

// LoadConfig reads the webhook configuration: a JSON list of {organisation, url,
// secretFile}, one entry per organisation. URLs must be https:// (personal data never
// goes this way, but ids of cases and work still tell a story to whoever listens on
// the wire); a secret file (relative paths are read from the configuration file's
// directory) holds at least MinSecret bytes, surrounding white space ignored.
func LoadConfig(path string) ([]Endpoint, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("webhooks %s: %w", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var entries []entry
	if err := dec.Decode(&entries); err != nil {
		return nil, fmt.Errorf("webhooks %s: %w: not a list of {organisation, url, secretFile}: %v", path, ErrConfig, err)
	}
	seen := map[string]bool{}
	out := make([]Endpoint, 0, len(entries))
	for i, e := range entries {
		where := fmt.Sprintf("webhooks %s: entry %d", path, i+1)
		if !orgID.MatchString(e.Organisation) {
			return nil, fmt.Errorf("%s: %w: organisation %q is not an organisation id (3-64 of a-z, 0-9, '-')", where, ErrConfig, e.Organisation)
		}
		if seen[e.Organisation] {
			return nil, fmt.Errorf("%s: %w: organisation %s has a webhook already; one per organisation", where, ErrConfig, e.Organisation)
		}
		seen[e.Organisation] = true
		if err := checkURL(e.URL); err != nil {
			return nil, fmt.Errorf("%s (%s): %w", where, e.Organisation, err)
		}
		if e.SecretFile == "" {
			return nil, fmt.Errorf("%s (%s): %w: secretFile is required", where, e.Organisation, ErrConfig)
		}
		secretPath := e.SecretFile
		if !filepath.IsAbs(secretPath) {
			secretPath = filepath.Join(filepath.Dir(path), secretPath)
		}
		secret, err := readSecret(secretPath)
		if err != nil {
			return nil, fmt.Errorf("%s (%s): %w", where, e.Organisation, err)
		}
		out = append(out, Endpoint{Organisation: e.Organisation, URL: e.URL, Secret: secret})
	}
	return out, nil
}

// checkURL wants an absolute https:// URL without credentials in it.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: url is not a URL", ErrConfig)
	}
	switch {
	case u.Scheme == "http":
		return fmt.Errorf("%w: url %s is http://; webhooks are delivered over HTTPS only (https://...)", ErrConfig, u.Redacted())
	case u.Scheme != "https" || u.Host == "":
		return fmt.Errorf("%w: url %q must be an absolute https:// URL", ErrConfig, u.Redacted())
	case u.User != nil:
		return fmt.Errorf("%w: url %s carries credentials; the signature authenticates deliveries", ErrConfig, u.Redacted())
	}
	return nil
}

func readSecret(path string) (Secret, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: secret file: %w", ErrConfig, err)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return nil, fmt.Errorf("%w: secret file %s: %w", ErrConfig, path, err)
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) < MinSecret {
		return nil, fmt.Errorf("%w: secret file %s holds %d bytes; at least %d are needed (openssl rand -hex 32)", ErrConfig, path, len(raw), MinSecret)
	}
	return Secret(raw), nil
}

// TLSConfig is the TLS configuration deliveries use: TLS 1.2 at least, the system's
// roots, and with caFile (PEM, "" for none) a private CA trusted beside them.
func TLSConfig(caFile string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile == "" {
		return cfg, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("webhook CA %s: %w", caFile, err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("webhook CA %s: %w: no PEM certificate in it", caFile, ErrConfig)
	}
	cfg.RootCAs = pool
	return cfg, nil
}

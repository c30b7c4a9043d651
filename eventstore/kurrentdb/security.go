package kurrentdb

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

// Errors of TLS and credentials: the connection string, or the server's set-up, is
// wrong, and trying again cannot help, so they fail at once (not retried for
// RetryFor). Their messages never quote the connection string or the password.
var (
	// ErrUnauthenticated: the server refused the user and password of the connection
	// string (a wrong password, an unknown user).
	ErrUnauthenticated = errors.New("the server refused the user and password of the connection string")
	// ErrAccessDenied: the server's ACLs refuse the call to this user, or to an
	// anonymous one when the connection string has no user and password.
	ErrAccessDenied = errors.New("access denied (does the connection string name a user with access to the streams?)")
	// ErrTLS: no TLS connection could be set up: a server certificate the client does
	// not trust (tlsCAFile, or tlsVerifyCert=false for a test server), one for another
	// host name, a user certificate that cannot be loaded, or a server that does not
	// speak TLS (tls=false for an insecure one).
	ErrTLS = errors.New("TLS")
)

// securityErr gives an authentication or authorization failure of the client its
// sentinel; any other error comes back as it was.
func securityErr(err error) error {
	var e *esdb.Error
	if !errors.As(err, &e) {
		return err
	}
	switch e.Code() {
	case esdb.ErrorCodeUnauthenticated:
		return fmt.Errorf("%w: %w", ErrUnauthenticated, err)
	case esdb.ErrorCodeAccessDenied:
		return fmt.Errorf("%w: %w", ErrAccessDenied, err)
	}
	return err
}

// checkTLS makes one TLS handshake with the server as the client library would, and
// fails at once when the certificates cannot work. The library itself cannot tell a
// certificate it refuses from a server that is down: it reports both as the server
// unavailable after failing to connect MaxDiscoverAttempts times, which the store
// would retry for RetryFor. A server that cannot be reached is left to the library and
// the store's retries (a cluster may have a node down); so is tls=false, where there is
// no certificate to check.
func checkTLS(ctx context.Context, cfg *esdb.Configuration) error {
	if cfg.DisableTLS {
		return nil
	}
	tlsCfg := &tls.Config{
		InsecureSkipVerify: cfg.SkipCertificateVerification,
		RootCAs:            cfg.RootCAs,
		NextProtos:         []string{"h2"},
	}
	if cfg.UserCertFile != "" && cfg.UserKeyFile != "" {
		cert, err := tls.LoadX509KeyPair(cfg.UserCertFile, cfg.UserKeyFile)
		if err != nil {
			return fmt.Errorf("%w: load the user certificate (userCertFile, userKeyFile): %w", ErrTLS, err)
		}
		tlsCfg.Certificates = []tls.Certificate{cert}
	}
	addrs := []string{cfg.Address}
	if len(cfg.GossipSeeds) > 0 {
		addrs = addrs[:0]
		for _, seed := range cfg.GossipSeeds {
			addrs = append(addrs, seed.String())
		}
	}
	for _, addr := range addrs {
		if err := handshake(ctx, addr, tlsCfg); err != nil {
			return err
		}
	}
	return nil
}

// handshake fails on a certificate or protocol failure at addr, and is silent when
// nothing answers there (a node down, a name that does not resolve yet).
func handshake(ctx context.Context, addr string, tlsCfg *tls.Config) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil // the library reports a bad address
	}
	cfg := tlsCfg.Clone()
	cfg.ServerName = host
	d := tls.Dialer{Config: cfg}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err == nil {
		return conn.Close()
	}
	var (
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
		alert    tls.AlertError
	)
	switch {
	case errors.As(err, &verify), errors.As(err, &unknown), errors.As(err, &hostname), errors.As(err, &invalid):
		return fmt.Errorf("%w: the server's certificate at %s is not trusted (set tlsCAFile to the CA that signed it): %w", ErrTLS, addr, err)
	case errors.As(err, &record):
		return fmt.Errorf("%w: the server at %s does not speak TLS (an insecure server needs tls=false)", ErrTLS, addr)
	case errors.As(err, &alert):
		return fmt.Errorf("%w: the server at %s refused the TLS handshake: %w", ErrTLS, addr, err)
	}
	return nil
}

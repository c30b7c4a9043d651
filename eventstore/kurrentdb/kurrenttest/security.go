package kurrenttest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Option configures a double.
type Option func(*options) error

type options struct {
	tls      *tls.Config
	user     string
	password string
}

// WithTLS serves TLS (HTTP/2 over TLS, as KurrentDB does by default) with the given
// PEM certificate and key, instead of insecure gRPC. The client then needs
// tls=true and the CA that signed the certificate (tlsCAFile=...), or tlsVerifyCert=false.
func WithTLS(certPEM, keyPEM []byte) Option {
	return func(o *options) error {
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return fmt.Errorf("kurrenttest: TLS certificate: %w", err)
		}
		o.tls = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		return nil
	}
}

// WithCredentials requires every call to the Streams service to carry this user's
// credentials, as a KurrentDB server with anonymous access disabled (its default
// since 23.10) does for an ordinary user's streams. The client library sends them
// only over TLS, so this goes with WithTLS.
func WithCredentials(user, password string) Option {
	return func(o *options) error {
		if user == "" || password == "" {
			return fmt.Errorf("kurrenttest: credentials need a user and a password")
		}
		o.user, o.password = user, password
		return nil
	}
}

// The client library (v4.2.0, esdb/impl.go) sends the connection string's user and
// password on each call as gRPC metadata "authorization: Basic base64(user:password)",
// and only when TLS is on. It does not send them when asking ServerFeatures which
// methods exist on connecting (that call goes out on the bare connection), so a real
// server must answer that anonymously, and the double does.
//
// The answers follow KurrentDB's:
//   - credentials that do not match a user (wrong password, unknown user, a malformed
//     header): gRPC Unauthenticated, which the client reports as
//     ErrorCodeUnauthenticated (the client's own tests against a real server with
//     "bad_user:bad_password" expect exactly that);
//   - no credentials: the server treats the call as anonymous and its ACLs refuse it:
//     gRPC PermissionDenied with the trailer "exception: access-denied", which the
//     client reports as ErrorCodeAccessDenied. This is from KurrentDB's source
//     (RpcExceptions.AccessDenied), not checked against a running server.
//
// The double has one user with every right; it does not model ACLs, roles, the
// $admins-only system streams, or X.509 user certificates.
func (o *options) checkAuth(ctx context.Context, method string) error {
	if o.user == "" || strings.HasPrefix(method, "/"+serverfeatures.ServerFeatures_ServiceDesc.ServiceName+"/") {
		return nil
	}
	md, _ := metadata.FromIncomingContext(ctx)
	values := md.Get("authorization")
	if len(values) == 0 {
		_ = grpc.SetTrailer(ctx, metadata.Pairs("exception", "access-denied"))
		return status.Error(codes.PermissionDenied, "Access denied")
	}
	scheme, encoded, ok := strings.Cut(values[0], " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return status.Error(codes.Unauthenticated, "Bad HTTP authentication header")
	}
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return status.Error(codes.Unauthenticated, "Bad HTTP authentication header")
	}
	user, password, _ := strings.Cut(string(raw), ":")
	if subtle.ConstantTimeCompare([]byte(user), []byte(o.user)) != 1 ||
		subtle.ConstantTimeCompare([]byte(password), []byte(o.password)) != 1 {
		return status.Error(codes.Unauthenticated, "Bad HTTP authentication header")
	}
	return nil
}

func (o *options) serverOptions() []grpc.ServerOption {
	var opts []grpc.ServerOption
	if o.tls != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(o.tls)))
	}
	opts = append(opts,
		grpc.UnaryInterceptor(func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			if err := o.checkAuth(ctx, info.FullMethod); err != nil {
				return nil, err
			}
			return h(ctx, req)
		}),
		grpc.StreamInterceptor(func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			if err := o.checkAuth(ss.Context(), info.FullMethod); err != nil {
				return err
			}
			return h(srv, ss)
		}),
	)
	return opts
}

// Certs is a certificate authority and a server certificate it signed for 127.0.0.1
// and localhost, all PEM, made fresh for a test.
type Certs struct {
	CAPEM   []byte // the CA's certificate: the client's tlsCAFile
	CertPEM []byte // the server's certificate
	KeyPEM  []byte // the server's private key
}

// NewCerts makes a CA and a server certificate valid for a day.
func NewCerts() (*Certs, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("kurrenttest: CA key: %w", err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "kurrenttest CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("kurrenttest: CA certificate: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("kurrenttest: CA certificate: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("kurrenttest: server key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "kurrenttest node"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("kurrenttest: server certificate: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("kurrenttest: server key: %w", err)
	}
	return &Certs{
		CAPEM:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
	}, nil
}

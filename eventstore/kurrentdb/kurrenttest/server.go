// Package kurrenttest is a test double of a single KurrentDB node: the Streams and
// ServerFeatures gRPC services, built on the server interfaces the official client
// module generates (protos/streams, protos/serverfeatures), served over a real gRPC
// connection on 127.0.0.1: insecure, or over TLS (WithTLS), optionally requiring a
// user's credentials (WithCredentials). The real client library
// (EventStore-Client-Go/v4) talks to it exactly as it talks to a server, so tests of
// eventstore/kurrentdb exercise the client, the wire protocol and the store's use of
// them, without a KurrentDB server (none exists where CI runs).
//
// It implements what the client calls for Waymark's store and nothing else, in memory:
//   - ServerFeatures.GetSupportedMethods (the client asks on connecting);
//   - Streams.Append, with every expected-revision kind and the WrongExpectedVersion
//     answer carrying the current revision, all events of one append or none, and
//     KurrentDB's default 1 MiB limit on an append;
//   - Streams.Read of a stream (forwards and backwards, with StreamNotFound), of $all
//     (forwards and backwards), and catch-up subscriptions to $all (stored events, a
//     caught-up notice, then live ones) with the server-side filter on stream-name or
//     event-type prefixes or a regular expression.
//
// Positions are (commit, prepare) pairs as a real server's: byte offsets with gaps, one
// commit position shared by the events of an append, each event at its own prepare
// position; the log starts with two system events, as a real one does.
//
// What it does not do (see README, "Scaling out"): no cluster, gossip, leader
// elections, ACLs, roles or user certificates (one user, with every right), stream
// metadata, deletes, tombstones, links, projections or persistent subscriptions; no BatchAppend (the client appends with
// Append); no idempotent re-append by event id; nothing is written to disk. Stop and
// Restart stand in for a server restart on the same data.
package kurrenttest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc"
)

// MaxAppendSize is KurrentDB's default limit on the bytes of one append.
const MaxAppendSize = 1 << 20

// Version is the server version the double reports.
const Version = "24.10.0"

// Server is a running double.
type Server struct {
	log  *memLog
	addr string
	opts options

	mu   sync.Mutex
	grpc *grpc.Server
	done chan struct{}
}

// Start serves a double with an empty log on 127.0.0.1, on a port of its own:
// insecure gRPC with no authentication unless opts say otherwise.
func Start(opts ...Option) (*Server, error) {
	var o options
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("kurrenttest: listen: %w", err)
	}
	s := &Server{log: newLog(), addr: lis.Addr().String(), opts: o}
	s.serve(lis)
	return s, nil
}

// URL is the connection string for the double, with its user and password when it
// requires them. With TLS it says tls=true and leaves the CA to the caller (append
// "&tlsCAFile=..." or "&tlsVerifyCert=false").
func (s *Server) URL() string {
	userinfo := ""
	if s.opts.user != "" {
		userinfo = url.UserPassword(s.opts.user, s.opts.password).String() + "@"
	}
	if s.opts.tls != nil {
		return "esdb://" + userinfo + s.addr + "?tls=true"
	}
	return "esdb://" + userinfo + s.addr + "?tls=false"
}

// Addr is the address the double listens on.
func (s *Server) Addr() string { return s.addr }

func (s *Server) serve(lis net.Listener) {
	g := grpc.NewServer(s.opts.serverOptions()...)
	streams.RegisterStreamsServer(g, &streamsService{log: s.log})
	serverfeatures.RegisterServerFeaturesServer(g, featuresService{})
	done := make(chan struct{})
	s.mu.Lock()
	s.grpc, s.done = g, done
	s.mu.Unlock()
	go func() {
		defer close(done)
		_ = g.Serve(lis)
	}()
}

// Stop stops serving, as a server going down: every call and subscription under way
// fails, and new ones find nothing listening. The data stays for Restart.
func (s *Server) Stop() {
	s.mu.Lock()
	g, done := s.grpc, s.done
	s.grpc = nil
	s.mu.Unlock()
	if g != nil {
		g.Stop()
		<-done
	}
}

// Restart serves the same data on the same address again.
func (s *Server) Restart() error {
	s.mu.Lock()
	running := s.grpc != nil
	s.mu.Unlock()
	if running {
		return errors.New("kurrenttest: restart: still running")
	}
	lis, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("kurrenttest: restart: %w", err)
	}
	s.serve(lis)
	return nil
}

// Close stops the double for good.
func (s *Server) Close() { s.Stop() }

// featuresService answers the client's question on connecting: which version, and
// which optional methods (none: the client then appends with Append, not BatchAppend).
type featuresService struct {
	serverfeatures.UnimplementedServerFeaturesServer
}

func (featuresService) GetSupportedMethods(context.Context, *shared.Empty) (*serverfeatures.SupportedMethods, error) {
	return &serverfeatures.SupportedMethods{
		EventStoreServerVersion: Version,
		Methods: []*serverfeatures.SupportedMethod{
			{ServiceName: "event_store.client.streams.streams", MethodName: "read"},
			{ServiceName: "event_store.client.streams.streams", MethodName: "append"},
		},
	}, nil
}

// StreamLen is how many events stream holds (0: none), for tests that check where
// events went.
func (s *Server) StreamLen(stream string) int {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return len(s.log.streams[stream])
}

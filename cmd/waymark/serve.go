package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/demo"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/node"
)

func serve(ctx context.Context, args []string, logger *slog.Logger) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	httpAddr := fs.String("http-addr", "127.0.0.1:8080", "address of the HTTP API")
	natsListen := fs.String("nats-listen", "127.0.0.1:4222", "address the embedded NATS server accepts outside clients on ('' for none)")
	withDemo := fs.Bool("demo", false, "seed the demo coalition and journeys when the store is empty")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := requireLoopback("http-addr", *httpAddr); err != nil {
		return err
	}
	if sf.natsURL != "" {
		*natsListen = "" // an external server is reached, not served
	}
	if err := requireLoopback("nats-listen", *natsListen); err != nil {
		return err
	}

	n, err := startNode(ctx, sf, *natsListen, logger)
	if err != nil {
		return err
	}
	defer func() {
		if err := n.Close(); err != nil {
			logger.Error("close", "err", err)
		}
	}()
	if *withDemo {
		if err := seedIfEmpty(ctx, n, sf, logger); err != nil {
			return err
		}
	}

	ln, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *httpAddr, err)
	}
	srv := api.NewServer(*httpAddr, n.Handler)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("waymark serving", "graphql", "http://"+ln.Addr().String()+"/graphql",
		"graphiql", "http://"+ln.Addr().String()+"/", "nats", natsAddr(n, sf), "data_dir", sf.dataDir)

	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http shutdown: %w", err)
	}
	return nil
}

func startNode(ctx context.Context, sf storeFlags, natsListen string, logger *slog.Logger) (*node.Node, error) {
	key, err := loadCommandKey(commandKeyPath(sf))
	if err != nil {
		return nil, err
	}
	return node.Start(ctx, node.Config{
		Store: jetstream.Config{
			DataDir: sf.dataDir, ListenAddr: natsListen, NATSURL: sf.natsURL, Sync: sf.sync,
		},
		HashKey: key,
		Logger:  logger,
	})
}

func seedIfEmpty(ctx context.Context, n *node.Node, sf storeFlags, logger *slog.Logger) error {
	head, err := n.Store.Head(ctx)
	if err != nil {
		return fmt.Errorf("read store head: %w", err)
	}
	if !head.IsStart() {
		logger.Info("store is not empty; demo data not seeded")
		return nil
	}
	key, err := loadCommandKey(commandKeyPath(sf))
	if err != nil {
		return err
	}
	if _, err := demo.Seed(ctx, n.Store, key, time.Now().UTC(), logger); err != nil {
		return fmt.Errorf("seed demo data: %w", err)
	}
	// Serve only once the read models show the demo data.
	if head, err = n.Store.Head(ctx); err != nil {
		return fmt.Errorf("read store head: %w", err)
	}
	return n.Runner.WaitFor(ctx, head)
}

func commandKeyPath(sf storeFlags) string {
	if sf.commandKey != "" {
		return sf.commandKey
	}
	return filepath.Join(sf.dataDir, "secrets", "command-hash.key")
}

func natsAddr(n *node.Node, sf storeFlags) string {
	if sf.natsURL != "" {
		return sf.natsURL
	}
	if srv := n.Store.Server(); srv != nil && srv.Addr() != nil {
		return "nats://" + srv.Addr().String()
	}
	return "in-process only"
}

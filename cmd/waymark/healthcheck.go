package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

const healthcheckHelp = `Asks a running server for /healthz (with --ready, /readyz) and exits 0 when it answers
200, 1 otherwise. It is the container image's health check: the image has no shell and
no curl. --http-addr is serve's flag, with serve's variable (WAYMARK_HTTP_ADDR), so the
address a container serves on is the one asked; an unspecified host (0.0.0.0, [::] or
none) is asked on loopback.`

// healthcheck: waymark healthcheck [--http-addr ADDR] [--ready]
func healthcheck(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	addr := fs.String("http-addr", "127.0.0.1:8080", "the address serve listens on")
	ready := fs.Bool("ready", false, "ask /readyz (the read models have caught up) instead of /healthz (the process serves)")
	timeout := fs.Duration("timeout", 5*time.Second, "give up after this long")
	if err := parse(fs, args); err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		return fmt.Errorf("%w: --http-addr %q: %v", errUsage, *addr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	path := "/healthz"
	if *ready {
		path = "/readyz"
	}
	url := "http://" + net.JoinHostPort(host, port) + path
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	_, err = fmt.Fprintf(out, "GET %s: %s\n", url, resp.Status)
	return err
}

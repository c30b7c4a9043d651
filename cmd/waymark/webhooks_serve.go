package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/waymark-org/waymark/webhooks"
)

// webhookFlags are serve's webhook flags.
type webhookFlags struct {
	file *string
	ca   *string
}

func registerWebhookFlags(fs *flag.FlagSet) webhookFlags {
	return webhookFlags{
		file: fs.String("webhooks", "", "webhook configuration: a JSON list of {organisation, url (https only), secretFile} (none: no webhooks)"),
		ca:   fs.String("webhook-ca", "", "PEM file of a private CA to trust for webhook receivers, beside the system's roots"),
	}
}

// webhookDir is where the delivery log lives in a data directory.
func webhookDir(dataDir string) string { return filepath.Join(dataDir, "webhooks") }

// webhookSetup is a webhook configuration read and checked, not yet started.
type webhookSetup struct {
	endpoints []webhooks.Endpoint
	tls       *tls.Config
}

// load reads and checks the configuration before serve touches the data directory:
// one it cannot use (http://, a short secret, a CA file without a certificate) stops
// the start with its sentence. Without --webhooks: none.
func (f webhookFlags) load() (*webhookSetup, error) {
	if *f.file == "" {
		if *f.ca != "" {
			return nil, fmt.Errorf("%w: --webhook-ca without --webhooks: there is nothing to deliver", errUsage)
		}
		return nil, nil
	}
	endpoints, err := webhooks.LoadConfig(*f.file)
	if err != nil {
		return nil, err
	}
	tlsCfg, err := webhooks.TLSConfig(*f.ca)
	if err != nil {
		return nil, err
	}
	return &webhookSetup{endpoints: endpoints, tls: tlsCfg}, nil
}

// start opens the delivery log in the data directory and starts the dispatcher (nil,
// and nothing started, without a configuration). Work changes reach it through
// Dispatcher.Enqueue; stop delivers no more and logs what was still waiting.
// observe, if set, is told of every delivery record (the metrics).
func (w *webhookSetup) start(dataDir string, logger *slog.Logger, observe func(webhooks.Record)) (_ *webhooks.Dispatcher, stop func(), _ error) {
	if w == nil {
		return nil, func() {}, nil
	}
	log, err := webhooks.OpenLog(webhookDir(dataDir), 0, 0)
	if err != nil {
		return nil, nil, err
	}
	d, err := webhooks.New(webhooks.Config{Endpoints: w.endpoints, Log: log, TLS: w.tls, Logger: logger.With("component", "webhooks"), Observe: observe})
	if err != nil {
		log.Close()
		return nil, nil, err
	}
	logger.Info("webhooks configured", "organisations", len(w.endpoints), "delivery_log", webhookDir(dataDir))
	return d, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := d.Close(ctx); err != nil {
			logger.Warn("webhooks: deliveries under way cut short", "err", err)
		}
		log.Close()
	}, nil
}

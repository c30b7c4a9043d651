package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/waymark-org/waymark/accesslog"
	"github.com/waymark-org/waymark/admin"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/bundle"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/node"
	"github.com/waymark-org/waymark/sealing"
)

var _ admin.Exporter = (*serverOps)(nil)

// Export builds an export on the server's own stores (asked on its admin socket).
func (o *serverOps) Export(ctx context.Context, req admin.ExportRequest, w io.Writer) error {
	return buildExport(ctx, o.store, o.service(), req, w)
}

// buildExport writes the export req asks for: the audit bundle (the store alone) or
// the survivor's own record (the service: it decides, logs and decrypts). Its errors
// carry admin's sentinels, so a server's refusal reaches the command as one.
func buildExport(ctx context.Context, store eventstore.Store, svc *app.Service, req admin.ExportRequest, w io.Writer) error {
	if !req.ForSurvivor {
		c, err := bundle.Build(ctx, store, req.CaseID, time.Now())
		if errors.Is(err, bundle.ErrNoCase) {
			return fmt.Errorf("%w: no case %q in the event store", admin.ErrNotFound, req.CaseID)
		}
		if err != nil {
			return err
		}
		c.AuditKeyPEM = req.AuditKeyPEM
		return bundle.Write(w, c)
	}
	if svc == nil {
		return fmt.Errorf("%w: this server makes no survivor's records", admin.ErrRefused)
	}
	rec, err := svc.SubjectAccessExport(ctx, req.CaseID, req.RequestID)
	switch {
	case errors.Is(err, eventstore.ErrStreamNotFound):
		return fmt.Errorf("%w: no case %q in the event store", admin.ErrNotFound, req.CaseID)
	case errors.Is(err, app.ErrNoSubjectAccessRequest), errors.Is(err, app.ErrForbidden), errors.Is(err, app.ErrNotFound):
		// A request whose caseworker no longer acts for the owning organisation is
		// refused by the one decision (NOT_FOUND or FORBIDDEN there): refused here.
		return fmt.Errorf("%w: %w", admin.ErrRefused, err)
	case err != nil:
		return err
	}
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return fmt.Errorf("survivor's record of case %s: %w", req.CaseID, err)
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

// exportOffline builds an export on the data directory this command owns: the event
// store for a bundle; with the key store, the keyring and the access log for a
// survivor's record (no read models: the record is folded from the case's events).
func exportOffline(ctx context.Context, sf storeFlags, req admin.ExportRequest, w io.Writer, logger *slog.Logger) error {
	cfg := node.JetStreamConfig{Store: sf.storeConfig(""), KeysDir: sf.keysDir, KeysNATS: sf.keysNATS(), Logger: logger, NoKeyStore: !req.ForSurvivor}
	backends, err := node.OpenJetStream(ctx, cfg)
	if err != nil {
		return err
	}
	defer backends.Close()
	var svc *app.Service
	if req.ForSurvivor {
		ring, err := sf.secrets.keyring()
		if err != nil {
			return err
		}
		// The record runs no command, so the key that hashes commands is never used: a
		// random one keeps this from creating the command-key file as a side effect.
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return err
		}
		vault, err := sealing.NewVault(backends.Keys, ring)
		if err != nil {
			return fmt.Errorf("open vault: %w", err)
		}
		log := accesslog.New(backends.AccessLog)
		defer log.Close()
		if svc, err = app.New(app.Config{Store: backends.Store, Vault: vault, AccessLog: log, HashKey: key, Logger: logger}); err != nil {
			return err
		}
	}
	return buildExport(ctx, backends.Store, svc, req, w)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/waymark-org/waymark/admin"
	"github.com/waymark-org/waymark/backup"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/node"
	"github.com/waymark-org/waymark/sealing/jskeys"
)

// backupOps adds backups to what a serving waymark does on its admin socket.
type backupOps struct {
	analyticsOps
	backups *backupSource
}

var _ admin.BackupMaker = backupOps{}

func (o backupOps) Backup(ctx context.Context, req admin.BackupRequest) (admin.BackupMade, error) {
	return o.backups.take(ctx, req.To, req.IncludeKeys)
}

// backupSource is what this process takes backups from: the stores it owns.
type backupSource struct {
	events *jetstream.Store
	keys   *jskeys.Store // nil: the key store is not open here (no --include-keys)
	// secrets lists the secret files (and what a backup cannot hold) as this process
	// is configured; read when a backup is taken (some are made at start).
	secrets func() ([]backup.Secret, []string)
	// quiesce stops the analytics feed's publisher while fn runs (nil: none runs).
	quiesce func(ctx context.Context, fn func() error) error
	by      string
	// refused, when set, says why this process takes no backup (its events are in
	// KurrentDB, which waymark backup does not copy).
	refused string
}

// serverBackups is a serving waymark's backup source.
func serverBackups(backends *node.JetStream, feed *analyticsFeed, sf storeFlags, auditKey string, by string) *backupSource {
	b := &backupSource{events: backends.Store, keys: backends.Keys, by: by,
		secrets: func() ([]backup.Secret, []string) { return backupSecrets(sf.secrets, auditKey) }}
	if feed != nil {
		b.quiesce = func(_ context.Context, fn func() error) error { return feed.Paused(fn) }
	}
	if backends.Events != nil {
		b.refused = "the events are in KurrentDB, which waymark backup does not copy: back them up with KurrentDB's own tools (or waymark migrate them to a JetStream data directory and back that up)"
	}
	return b
}

// take writes a backup of the stores into to (absolute, not existing yet). Its errors
// carry admin's sentinels, so a refusal reaches the command as one.
func (b *backupSource) take(ctx context.Context, to string, includeKeys bool) (admin.BackupMade, error) {
	if b.refused != "" {
		return admin.BackupMade{}, fmt.Errorf("%w: %s", admin.ErrRefused, b.refused)
	}
	src := backup.Source{Events: b.events, Quiesce: b.quiesce, By: b.by}
	var notes []string
	if includeKeys {
		if b.keys == nil {
			return admin.BackupMade{}, fmt.Errorf("%w: this process has no key store open to back up", admin.ErrRefused)
		}
		src.Keys = b.keys
		src.Secrets, notes = b.secrets()
	}
	m, err := backup.Write(ctx, to, src)
	if errors.Is(err, backup.ErrExists) || errors.Is(err, backup.ErrNoDir) {
		return admin.BackupMade{}, fmt.Errorf("%w: %w", admin.ErrRefused, err)
	}
	if err != nil {
		return admin.BackupMade{}, err
	}
	made := admin.BackupMade{Dir: to, CreatedAt: m.CreatedAt, By: m.By, IncludesKeys: m.IncludesKeys, Notes: notes}
	for _, s := range m.Streams {
		made.Streams = append(made.Streams, admin.BackupStream{Name: s.Name, Messages: s.Messages, LastSeq: s.LastSeq, Size: s.Size})
	}
	for _, s := range m.Secrets {
		made.Secrets = append(made.Secrets, s.Name)
	}
	return made, nil
}

// Secret names in a backup (backup.Secret), each restored to the place the restoring
// command's flags give it (secretPath).
const (
	secretKeyring   = "keyring.json"
	secretSigning   = "signing.key.pem"
	secretPublicDir = "public/"
	secretCommand   = "command-hash.key"
	secretAnalytics = "analytics.key"
)

// backupSecrets lists the secret files a backup with its keys holds: those of sec
// that exist, and the audit key (auditKey, or the default) with its public half. A
// keyring given in WAYMARK_MASTER_KEY is no file: the note says so.
func backupSecrets(sec secretFlags, auditKey string) ([]backup.Secret, []string) {
	var out []backup.Secret
	var notes []string
	add := func(name, path string) {
		if fileExists(path) {
			out = append(out, backup.Secret{Name: name, Path: path})
		}
	}
	if file := sec.keyringFile(); file == "" {
		notes = append(notes, "the keyring comes from WAYMARK_MASTER_KEY and is not in the backup: keep it with the backup, or the case keys in it open nothing")
	} else {
		add(secretKeyring, file)
	}
	add(secretSigning, sec.signingKey)
	if entries, err := os.ReadDir(sec.publicKeys); err == nil {
		for _, e := range entries {
			if e.Type().IsRegular() {
				add(secretPublicDir+e.Name(), filepath.Join(sec.publicKeys, e.Name()))
			}
		}
	} else {
		add(secretPublicDir+filepath.Base(sec.publicKeys), sec.publicKeys)
	}
	add(secretCommand, sec.commandKey)
	add(secretAnalytics, sec.analyticsKey)
	if auditKey == "" {
		auditKey = sec.auditKeyFile()
	}
	add(auditKeyName, auditKey)
	add(auditPubKeyName, auditPublicKeyFile(auditKey))
	return out, notes
}

// secretPath is where restore puts the backup's secret name, under sec (auditKey: the
// audit key's file, "" for the default).
func secretPath(sec secretFlags, auditKey, name string) (string, error) {
	if auditKey == "" {
		auditKey = sec.auditKeyFile()
	}
	switch name {
	case secretKeyring:
		return sec.masterKey, nil
	case secretSigning:
		return sec.signingKey, nil
	case secretCommand:
		return sec.commandKey, nil
	case secretAnalytics:
		return sec.analyticsKey, nil
	case auditKeyName:
		return auditKey, nil
	case auditPubKeyName:
		return auditPublicKeyFile(auditKey), nil
	}
	if file, ok := strings.CutPrefix(name, secretPublicDir); ok && file != "" && filepath.IsLocal(file) && filepath.Base(file) == file {
		return filepath.Join(sec.publicKeys, file), nil
	}
	return "", fmt.Errorf("the backup holds a secret %q this waymark does not know", name)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/backup"
	"github.com/waymark-org/waymark/node"
	"github.com/waymark-org/waymark/sealing"
	"github.com/waymark-org/waymark/sealing/erasurelog"
)

// The erasure ledger a restore applies. It is kept beside the key store
// (<keys-dir>/erasures.log), never in a backup: a restore reads it from there, or from
// --erasure-ledger when the key store is restored from the backup into an empty
// directory (the ledger is then copied beside it). Every case it names that the
// restored log holds is made erased again (app.ReapplyErasure): its key destroyed —
// a key store restored from the backup has it again — and SurvivorDataErased appended
// when the backup was taken before the erasure.
//
// Without a ledger: a restore that brings the backup's keys back is refused (the
// survivors erased since would be readable again) unless --no-erasure-ledger says
// none was ever kept; one that keeps the key store it finds goes ahead, since the
// keys destroyed in that store stay destroyed, and says what is missing.

// ledgerPlan is the ledger a restore applies, decided before anything is written.
type ledgerPlan struct {
	path    string // where the entries were read ("": none)
	entries []sealing.Erasure
	copyTo  string // the restored key store's own ledger, when the entries come from elsewhere
	notes   []string
}

func planLedger(sf storeFlags, b *backup.Backup, includeKeys bool, file string, none bool) (*ledgerPlan, error) {
	p := &ledgerPlan{}
	own := erasurelog.Path(sf.keysDir)
	switch path := file; {
	case none:
		p.notes = append(p.notes, "--no-erasure-ledger: survivors erased after this backup was taken can be read again")
	default:
		if path == "" {
			path = own
		}
		entries, err := erasurelog.Read(path)
		switch {
		case err == nil:
			p.path, p.entries = path, entries
		case errors.Is(err, fs.ErrNotExist) && file == "" && includeKeys:
			return nil, fmt.Errorf("this restore brings the backup's case keys back, and the survivors erased since the backup would be readable again: "+
				"give --erasure-ledger FILE, the %s kept beside the key store the server used (never in a backup), or --no-erasure-ledger if none was ever kept", erasurelog.FileName)
		case errors.Is(err, fs.ErrNotExist) && file == "" && keyStoreIn(sf.keysDir):
			p.notes = append(p.notes, fmt.Sprintf("no erasure ledger at %s: the keys destroyed in the key store there stay destroyed, "+
				"but erasures made since the backup are not added to the restored log", path))
		case errors.Is(err, fs.ErrNotExist) && file == "":
			p.notes = append(p.notes, fmt.Sprintf("no key store in %s: the personal data in this backup cannot be opened until the key store it was sealed with is there (--keys-dir)", sf.keysDir))
		default:
			return nil, err
		}
	}
	if includeKeys && p.path != "" && p.path != own {
		p.copyTo = own
	}
	if len(p.entries) == 0 {
		return p, nil
	}
	// Appending the erasures needs the service's keys, the ones the server used.
	has := func(name string) bool {
		for _, f := range b.Manifest.Secrets {
			if f.Name == name {
				return includeKeys
			}
		}
		return false
	}
	_, ringErr := sf.secrets.keyring()
	if (!has(secretKeyring) && ringErr != nil) || (!has(secretCommand) && !fileExists(sf.secrets.commandKey)) {
		return nil, fmt.Errorf("applying the erasure ledger %s (%d erasures) needs the keyring and the command-hash key the server used: "+
			"point --secrets-dir (or --master-key-file, WAYMARK_MASTER_KEY, --command-key-file) at them, or restore them from a backup made with --include-keys", p.path, len(p.entries))
	}
	return p, nil
}

// apply applies the ledger to the restored store (the streams, and with
// --include-keys the keys and secrets, are in place).
func (p *ledgerPlan) apply(ctx context.Context, out io.Writer, sf storeFlags, logger *slog.Logger) error {
	for _, n := range p.notes {
		fmt.Fprintln(out, "  note:", n)
	}
	if p.copyTo != "" {
		if err := copyLedger(ctx, p.copyTo, p.entries); err != nil {
			return err
		}
	}
	if p.path == "" {
		return nil
	}
	if len(p.entries) == 0 {
		fmt.Fprintf(out, "  erasure ledger %s: no erasures to apply\n", p.path)
		return nil
	}
	ring, err := sf.secrets.keyring()
	if err != nil {
		return err
	}
	key, err := loadCommandKey(sf.secrets.commandKey)
	if err != nil {
		return err
	}
	cfg := sf.storeConfig("")
	cfg.Logger = logger
	backends, err := node.OpenJetStream(ctx, node.JetStreamConfig{Store: cfg, KeysDir: sf.keysDir, Logger: logger})
	if err != nil {
		return err
	}
	defer backends.Close()
	vault, err := sealing.NewVault(backends.Keys, ring)
	if err != nil {
		return fmt.Errorf("open vault: %w", err)
	}
	// No read models and no access log: the service only appends the erasures.
	svc, err := app.New(app.Config{Store: backends.Store, Vault: vault, HashKey: key, Logger: logger})
	if err != nil {
		return err
	}
	counts := map[app.Reapplied]int{}
	seen := map[string]bool{}
	for _, e := range p.entries {
		if seen[e.CaseID] {
			continue // a second line for one case: a retry of its erasure
		}
		seen[e.CaseID] = true
		r, err := svc.ReapplyErasure(ctx, e)
		if err != nil {
			return err
		}
		counts[r]++
	}
	fmt.Fprintf(out, "  erasure ledger %s: %d erased cases: %d %s (erased after the backup was taken), %d %s, %d %s\n", p.path, len(seen),
		counts[app.ReappliedErased], app.ReappliedErased, counts[app.ReappliedAlready], app.ReappliedAlready, counts[app.ReappliedNoCase], app.ReappliedNoCase)
	return nil
}

// copyLedger writes the entries into the ledger at path (the restored key store's).
func copyLedger(ctx context.Context, path string, entries []sealing.Erasure) error {
	l, err := erasurelog.Open(path)
	if err != nil {
		return err
	}
	defer l.Close()
	for _, e := range entries {
		if err := l.RecordErasure(ctx, e); err != nil {
			return err
		}
	}
	return l.Close()
}

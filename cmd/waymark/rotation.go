package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/waymark-org/waymark/admin"
	"github.com/waymark-org/waymark/sealing"
)

// errKeyringInEnv: the keyring came from WAYMARK_MASTER_KEY. A rotation writes the new
// keyring before rewrapping the case keys under it; waymark cannot rewrite an
// environment variable, so the new key would live nowhere and the next start could
// open none of the rewrapped keys.
var errKeyringInEnv = errors.New("the keyring comes from the WAYMARK_MASTER_KEY environment variable, " +
	"which waymark cannot rewrite, so it does not rotate it: keep the keyring in a file (--master-key-file) to rotate")

// keyRotation rotates a vault's key-encryption key with its keyring file: the offline
// 'keys rotate' and a serving waymark, asked on its admin socket, do it the same way.
type keyRotation struct {
	vault *sealing.Vault
	file  string // the keyring file; "" when the keyring came from WAYMARK_MASTER_KEY

	mu sync.Mutex // one rotation at a time: each reads, then writes, the file
}

// rotate adds a new active key-encryption key to the keyring file and rewraps every
// case key under it. The new ring is written first: if rewrapping stops half way,
// both keys are in the file and every case key still opens; rotating again finishes
// the job.
func (r *keyRotation) rotate(ctx context.Context) (sealing.Keyring, int, error) {
	if r.file == "" {
		return sealing.Keyring{}, 0, errKeyringInEnv
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	// The file, not the ring this process started with: an earlier rotation (or an
	// operator dropping a retired key) changed it since.
	ring, err := sealing.ReadKeyring(r.file)
	if err != nil {
		return sealing.Keyring{}, 0, fmt.Errorf("read keyring %s: %w", r.file, err)
	}
	next, err := ring.WithNewKEK(keyID("kek"))
	if err != nil {
		return sealing.Keyring{}, 0, err
	}
	if err := sealing.WriteKeyring(r.file, next); err != nil {
		return sealing.Keyring{}, 0, fmt.Errorf("write keyring %s: %w", r.file, err)
	}
	n, err := r.vault.Rotate(ctx, next)
	if err != nil {
		return next, n, fmt.Errorf("rotate: %w (the keyring keeps both keys; run rotate again)", err)
	}
	return next, n, nil
}

// rotationReport is what a rotation tells its caller: key ids only.
func rotationReport(next sealing.Keyring, n int, file string) admin.Rotation {
	return admin.Rotation{Active: next.Active, KEKs: slices.Sorted(maps.Keys(next.KEKs)), Rewrapped: n, KeyringFile: file}
}

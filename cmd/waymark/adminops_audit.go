package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/waymark-org/waymark/admin"
	"github.com/waymark-org/waymark/audit"
)

// What a serving waymark does for waymark checkpoint, checkpoint export and verify on
// its admin socket: on its own store, with its own (and only) audit Signer.

// errNoSigner: the server runs without an audit key.
var errNoSigner = errors.New("the server owning this data directory runs without an audit key, so it signs no checkpoints: create one with 'waymark keys generate' and restart it")

func (o *serverOps) Checkpoint(ctx context.Context) (admin.CheckpointMade, error) {
	if o.audit == nil || o.audit.signer == nil {
		return admin.CheckpointMade{}, fmt.Errorf("%w: %w", admin.ErrRefused, errNoSigner)
	}
	c, made, err := o.audit.checkpoint(ctx, "asked for")
	if err != nil {
		return admin.CheckpointMade{}, err
	}
	return admin.Summary(c, made), nil
}

func (o *serverOps) Checkpoints(ctx context.Context) ([]audit.Checkpoint, error) {
	return audit.StoredCheckpoints(ctx, o.store)
}

// Verify runs the verification waymark verify runs offline (runVerify), on this
// server's store and access log.
func (o *serverOps) Verify(ctx context.Context, req admin.VerifyRequest) (admin.VerifyReport, error) {
	var pinned ed25519.PublicKey
	if req.Key != nil {
		if len(req.Key) != ed25519.PublicKeySize {
			return admin.VerifyReport{}, fmt.Errorf("%w: the pinned key is not an Ed25519 public key", admin.ErrRefused)
		}
		pinned = req.Key
	}
	var checkpoints []audit.Checkpoint
	if req.CheckpointsFile != "" {
		var err error
		if checkpoints, err = readCheckpoints(req.CheckpointsFile); err != nil {
			return admin.VerifyReport{}, fmt.Errorf("%w: %w", admin.ErrRefused, err)
		}
	}
	var access audit.AccessLog
	if o.audit != nil {
		access = o.audit.access
	}
	rep, err := runVerify(ctx, o.store, access, req.Case, req.CheckpointsFile != "", checkpoints, pinned)
	if errors.Is(err, errUnknownCase) {
		return admin.VerifyReport{}, fmt.Errorf("%w: %w", admin.ErrNotFound, err)
	}
	return rep, err
}

package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/waymark-org/waymark/admin"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// serverOps is what a serving waymark does for the commands that reach it on its admin
// socket, on its own stores.
type serverOps struct {
	store    eventstore.Store
	keysDir  string
	rotation *keyRotation
	audit    *auditing // checkpoints and verification (adminops_audit.go)
	// service is the serving generation's application service (a live rebuild swaps
	// it): survivors' records (adminops_export.go).
	service func() *app.Service
}

var _ admin.Operations = (*serverOps)(nil)

func (o *serverOps) Status(context.Context) (admin.Status, error) {
	return admin.Status{KeysDir: o.keysDir, KeyringFile: o.rotation.file}, nil
}

// RotateKeys rotates this server's own vault, in the same order as the offline
// rotation (keyring file first). A keyring from the environment cannot be rewritten:
// refused.
func (o *serverOps) RotateKeys(ctx context.Context) (admin.Rotation, error) {
	next, n, err := o.rotation.rotate(ctx)
	if errors.Is(err, errKeyringInEnv) {
		return admin.Rotation{}, fmt.Errorf("%w: %w", admin.ErrRefused, err)
	}
	if err != nil {
		return admin.Rotation{}, err
	}
	return rotationReport(next, n, o.rotation.file), nil
}

func (o *serverOps) Organisation(ctx context.Context, id string) (admin.Organisation, error) {
	org, err := lookupOrganisation(ctx, o.store, id)
	if errors.Is(err, domain.ErrUnknownOrganisation) {
		return admin.Organisation{}, fmt.Errorf("%w: organisation %q is not in the directory", admin.ErrNotFound, id)
	}
	return org, err
}

package api

import (
	"context"
	"fmt"

	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
)

// change runs a command on an existing case: the shared path of every case mutation
// except referSurvivor.
func (r *Resolver) change(ctx context.Context, commandID, caseID string, expected *int, cmd domain.Command) (*graph.CaseResult, error) {
	version, err := expectedVersion(expected)
	if err != nil {
		return nil, err
	}
	res, err := r.svc.ChangeCase(ctx, actorFrom(ctx), app.CaseCommand{
		CommandID: commandID, CaseID: caseID, ExpectedVersion: version, Command: cmd,
	})
	return caseResult(res, err)
}

// expectedVersion checks an optional expectedVersion.
func expectedVersion(v *int) (*uint64, error) {
	if v == nil {
		return nil, nil
	}
	if *v < 0 {
		return nil, fmt.Errorf("expectedVersion must not be negative: %w", app.ErrBadInput)
	}
	u := uint64(*v)
	return &u, nil
}

func caseResult(res app.Result, err error) (*graph.CaseResult, error) {
	if err != nil {
		return nil, err
	}
	return &graph.CaseResult{CaseID: res.ID, Version: int(res.Version), Position: res.Position.String()}, nil
}

func organisationResult(res app.Result, err error) (*graph.OrganisationResult, error) {
	if err != nil {
		return nil, err
	}
	return &graph.OrganisationResult{OrganisationID: res.ID, Version: int(res.Version), Position: res.Position.String()}, nil
}

func revocationResult(res app.Result, err error) (*graph.RevocationResult, error) {
	if err != nil {
		return nil, err
	}
	return &graph.RevocationResult{Version: int(res.Version), Position: res.Position.String()}, nil
}

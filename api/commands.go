package api

import (
	"context"

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

func (r *Resolver) cases(ctx context.Context, filter *graph.CaseFilter, first *int, after *string, minPosition *string) (*graph.CaseConnection, error) {
	q := app.CaseQuery{First: pageSize(first), After: deref(after), MinPosition: deref(minPosition)}
	if f := filter; f != nil {
		if f.Stage != nil {
			q.Filter.Stage = toDomain[domain.Stage](*f.Stage)
		}
		if f.Status != nil {
			q.Filter.Status = toDomain[domain.Status](*f.Status)
		}
		if f.Barrier != nil {
			q.Filter.Barrier = toDomain[domain.Barrier](*f.Barrier)
		}
		q.SurvivorName, q.DocumentNumber = deref(f.SurvivorName), deref(f.DocumentNumber)
		q.Filter.Jurisdiction = deref(f.Jurisdiction)
		q.Filter.Organisation = deref(f.OrganisationID)
	}
	page, err := r.svc.Cases(ctx, actorFrom(ctx), q)
	if err != nil {
		return nil, err
	}
	conn := &graph.CaseConnection{
		Edges:      make([]graph.CaseEdge, len(page.Cases)),
		PageInfo:   &graph.PageInfo{HasNextPage: page.HasNextPage},
		TotalCount: page.TotalCount,
	}
	for i, v := range page.Cases {
		conn.Edges[i] = graph.CaseEdge{Cursor: app.Cursor(v), Node: v}
	}
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.EndCursor = &conn.Edges[n-1].Cursor
	}
	return conn, nil
}

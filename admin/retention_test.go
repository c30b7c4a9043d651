package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// retentionOps is testOps that also applies retention.
type retentionOps struct {
	testOps
	runs int
}

func (o *retentionOps) RetentionPlan(_ context.Context, req RetentionRequest) (RetentionResult, error) {
	if req.PoliciesFile == "/bad.json" {
		return RetentionResult{}, fmt.Errorf("%w: retention policy /bad.json: invalid retention policy: \"default\" is missing", ErrRefused)
	}
	return RetentionResult{DryRun: true, At: time.Unix(10, 0).UTC(), MoreDue: req.Batch,
		Due: []RetentionCase{{CaseID: "case-1", Jurisdiction: "MX", ClosedAt: time.Unix(1, 0).UTC(), Policy: "MX:10y"}}, AccessLogDropped: 3}, nil
}

func (o *retentionOps) RetentionRun(context.Context, RetentionRequest) (RetentionResult, error) {
	o.runs++
	return RetentionResult{Erased: []string{"case-1"}}, nil
}

// The retention routes carry the request, the reply and the server's sentences; a
// server that does not apply retention refuses with a sentence.
func TestRetentionOverTheSocket(t *testing.T) {
	ops := &retentionOps{}
	_, lock := start(t, ops)
	c := NewClient(SocketPath(lock.Dir()))
	ctx := t.Context()
	plan, err := c.RetentionPlan(ctx, RetentionRequest{Batch: 7})
	if err != nil || !plan.DryRun || plan.MoreDue != 7 || len(plan.Due) != 1 || plan.Due[0].Policy != "MX:10y" || plan.AccessLogDropped != 3 {
		t.Fatalf("plan: %+v, %v", plan, err)
	}
	if ops.runs != 0 {
		t.Fatal("a dry run ran")
	}
	if _, err := c.RetentionPlan(ctx, RetentionRequest{PoliciesFile: "/bad.json"}); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), `"default" is missing`) {
		t.Fatalf("a bad policy file: %v", err)
	}
	run, err := c.RetentionRun(ctx, RetentionRequest{})
	if err != nil || len(run.Erased) != 1 || ops.runs != 1 {
		t.Fatalf("run: %+v, %v", run, err)
	}
	_, plain := start(t, &testOps{})
	if _, err := NewClient(SocketPath(plain.Dir())).RetentionRun(ctx, RetentionRequest{}); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "does not apply retention") {
		t.Fatalf("a server without retention: %v", err)
	}
}

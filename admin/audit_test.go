package admin

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/audit"
)

// The audit operations of testOps: a fixed run of checkpoints, a key that refuses,
// and a verification that names its request back.

// testCheckpoints is more than a buffered reply could hold (maxReplyBody): the export
// streams.
func testCheckpoints() []audit.Checkpoint {
	out := make([]audit.Checkpoint, 400)
	for i := range out {
		heads := map[string]audit.Head{}
		for j := range 40 {
			heads[fmt.Sprintf("case-%d-%d", i, j)] = audit.Head{Revision: uint64(j), Hash: strings.Repeat("ab", 32)}
		}
		out[i] = audit.Checkpoint{Sequence: uint64(i + 1), At: time.Date(2026, 3, 2, 9, 0, i, 0, time.UTC), Heads: heads, KeyID: "audit-1", Signature: "c2ln"}
	}
	return out
}

func (o *testOps) Checkpoint(context.Context) (CheckpointMade, error) {
	o.calls.Add(1)
	if o.rotateErr != nil { // the test's way of saying: no audit key here
		return CheckpointMade{}, fmt.Errorf("%w: no audit key", ErrRefused)
	}
	return Summary(testCheckpoints()[0], true), nil
}

func (o *testOps) Checkpoints(context.Context) ([]audit.Checkpoint, error) {
	o.calls.Add(1)
	return testCheckpoints(), nil
}

func (o *testOps) Verify(_ context.Context, req VerifyRequest) (VerifyReport, error) {
	o.calls.Add(1)
	switch req.Case {
	case "missing":
		return VerifyReport{}, fmt.Errorf("no case %q: %w", req.Case, ErrNotFound)
	case "tampered":
		b := &audit.Break{Stream: "case-tampered", Revision: 2, Problem: "does not link", Expected: "aa", Found: "bb"}
		return VerifyReport{Case: req.Case, Failure: b.Error(), Break: b}, nil
	}
	return VerifyReport{Case: req.Case, Events: 3, Signed: len(req.Key) == ed25519.PublicKeySize, HeadHash: req.CheckpointsFile}, nil
}

func TestAuditRequestsAndReplies(t *testing.T) {
	ops := &testOps{}
	_, lock := start(t, ops)
	c := NewClient(SocketPath(lock.Dir()))
	ctx := t.Context()

	made, err := c.Checkpoint(ctx)
	if want := Summary(testCheckpoints()[0], true); err != nil || !made.At.Equal(want.At) || made.Hash != want.Hash || made.Streams != 40 || !made.Made {
		t.Errorf("checkpoint: %+v, %v", made, err)
	}
	cps, err := c.Checkpoints(ctx)
	if err != nil || !reflect.DeepEqual(cps, testCheckpoints()) {
		t.Errorf("checkpoints: %d, %v", len(cps), err)
	}

	pub := make(ed25519.PublicKey, ed25519.PublicKeySize)
	rep, err := c.Verify(ctx, VerifyRequest{Case: "c1", CheckpointsFile: "/tmp/cps.jsonl", Key: pub})
	if err != nil || rep != (VerifyReport{Case: "c1", Events: 3, Signed: true, HeadHash: "/tmp/cps.jsonl"}) {
		t.Errorf("verify: %+v, %v", rep, err)
	}
	rep, err = c.Verify(ctx, VerifyRequest{Case: "tampered"})
	if err != nil || rep.Break == nil || rep.Break.Revision != 2 || !strings.Contains(rep.Failure, "case-tampered revision 2") {
		t.Errorf("a tampered case: %+v, %v", rep, err)
	}
	if _, err := c.Verify(ctx, VerifyRequest{Case: "missing"}); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `no case "missing"`) {
		t.Errorf("an unknown case: %v", err)
	}
	ops.rotateErr = errors.New("x")
	if _, err := c.Checkpoint(ctx); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "no audit key") {
		t.Errorf("a checkpoint without a key: %v", err)
	}
}

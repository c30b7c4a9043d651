package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/waymark-org/waymark/admin"
	"github.com/waymark-org/waymark/node"
)

// nodeOps is what a serving waymark does on its admin socket beyond serverOps:
// replaying a case from its store and rebuilding its read models while it serves.
type nodeOps struct {
	*serverOps
	node *node.Node
}

var (
	_ admin.Replayer  = nodeOps{}
	_ admin.Rebuilder = nodeOps{}
)

func (o nodeOps) Timeline(ctx context.Context, id string) ([]admin.TimelineEvent, error) {
	return caseTimeline(ctx, o.node.Store, id)
}

// StartRebuild starts a live rebuild that outlives the request: it stops only when
// it is done or the node closes.
func (o nodeOps) StartRebuild(context.Context) (admin.RebuildStatus, error) {
	if _, err := o.node.StartRebuild(context.Background()); errors.Is(err, node.ErrRebuilding) {
		return admin.RebuildStatus{}, fmt.Errorf("%w: %w", admin.ErrRefused, err)
	} else if err != nil {
		return admin.RebuildStatus{}, err
	}
	return o.RebuildStatus(context.Background())
}

func (o nodeOps) RebuildStatus(context.Context) (admin.RebuildStatus, error) {
	st := o.node.RebuildStatus()
	out := admin.RebuildStatus{
		State: string(st.State), Events: st.Progress.Events, Total: st.Progress.EstimatedEvents(), CaughtUp: st.Progress.Ready,
		Started: st.Started, Finished: st.Finished, Error: st.Err, Cases: st.Cases,
	}
	return out, nil
}

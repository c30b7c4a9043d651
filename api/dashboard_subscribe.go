package api

import (
	"context"
	"errors"
	"time"

	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
)

// subscribeDashboard is dashboardUpdated: the socket's token expiry ends it, as it
// ends workChanged, and the limits answer RATE_LIMITED.
func (r *Resolver) subscribeDashboard(ctx context.Context, filter graph.DashboardFilter) (<-chan *graph.Dashboard, error) {
	f, err := dashboardFilter(filter)
	if err != nil {
		return nil, err
	}
	cancel := context.CancelFunc(func() {})
	if exp, ok := ctx.Value(socketExpiryKey{}).(time.Time); ok && !exp.IsZero() {
		ctx, cancel = context.WithTimeout(ctx, exp.Sub(r.svc.Now()))
	}
	views, err := r.svc.SubscribeDashboard(ctx, actorFrom(ctx), f)
	if err != nil {
		cancel()
		if errors.Is(err, app.ErrTooManySubscriptions) {
			coded := gqlerror.Errorf("%s", err.Error())
			errcode.Set(coded, CodeRateLimited)
			return nil, coded
		}
		return nil, err
	}
	out := make(chan *graph.Dashboard)
	go func() {
		defer cancel()
		defer close(out)
		for v := range views {
			select {
			case out <- dashboardToGraph(v):
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

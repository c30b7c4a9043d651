package node

import (
	"net/http"

	"github.com/waymark-org/waymark/accesslog"
	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/app"
)

// readModelProjections is the metrics' name for the read models one runner feeds in
// one pass (cases, organisations, revocations, command ids, work queues): they are
// always at the same position, so one name covers them.
const readModelProjections = "projections"

// publicHandler is Handler: the request log around the dashboard page, if mounted,
// and the API of the current generation.
func (n *Node) publicHandler() http.Handler {
	var h http.Handler = http.HandlerFunc(n.serveHTTP)
	if n.cfg.Mount != nil {
		h = n.cfg.Mount(h)
	}
	return api.LogRequests(n.logger, n.apiMetrics(), h)
}

// The node's metrics as each package asks for them: a nil interface, not a nil
// *metrics.Registry in one, when there are none.

func (n *Node) apiMetrics() api.Metrics {
	if n.cfg.Metrics == nil {
		return nil
	}
	return n.cfg.Metrics
}

func (n *Node) appMetrics() app.Metrics {
	if n.cfg.Metrics == nil {
		return nil
	}
	return n.cfg.Metrics
}

func (n *Node) accessLogMetrics() accesslog.Metrics {
	if n.cfg.Metrics == nil {
		return nil
	}
	return n.cfg.Metrics
}

package metrics

import (
	"net/http"
	"net/http/pprof"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// AdminHandler serves the admin listener (serve --admin-addr): the metrics at
// /metrics and Go's profiles under /debug/pprof/. The profiles are registered on this
// handler's own mux only: importing net/http/pprof also puts them on
// http.DefaultServeMux, which nothing in Waymark serves, and the public API has a mux
// of its own. /debug/pprof/cmdline is left out: the command line may hold a password
// (--nats-password), and the profiles do not need it.
func (r *Registry) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{Registry: r.reg, ErrorHandling: promhttp.ContinueOnError}))
	mux.HandleFunc("GET /debug/pprof/", pprof.Index) // and every named profile: /debug/pprof/heap, goroutine, ...
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("POST /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("GET /debug/pprof/cmdline", http.NotFound)
	return mux
}

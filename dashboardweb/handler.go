// Package dashboardweb is the coalition dashboard's web page at /dashboard: static
// files embedded in the binary (no build step, nothing fetched from elsewhere) that
// sign in with a bearer token and read the dashboard query and subscription from
// /graphql like any other client. The page holds no secret and no data of its own.
package dashboardweb

import (
	"embed"
	"net/http"
	"strings"

	"github.com/waymark-org/waymark/internal/embedpage"
)

//go:embed static
var static embed.FS

// ContentSecurityPolicy allows the page its own files and its own API only: no inline
// script or style (an injected string cannot run), no framing (no clickjacking of the
// sign-in), websockets for the live updates.
const ContentSecurityPolicy = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"

const (
	pagePath    = "/dashboard"
	assetPrefix = "/dashboard/assets/"
)

// Handler serves GET /dashboard (the page) and /dashboard/assets/... (its scripts,
// styles and dictionaries). Every other path under /dashboard/ is 404.
func Handler() http.Handler {
	page := embedpage.Load(static, "static", ContentSecurityPolicy)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !page.Begin(w, r) {
			return
		}
		switch {
		case r.URL.Path == pagePath:
			page.ServePage(w, r, "index.html")
		case r.URL.Path == pagePath+"/":
			http.Redirect(w, r, pagePath, http.StatusMovedPermanently)
		case strings.HasPrefix(r.URL.Path, assetPrefix):
			page.ServeAsset(w, r, "assets", strings.TrimPrefix(r.URL.Path, assetPrefix))
		default:
			embedpage.NotFound(w, r)
		}
	})
}

// Mount serves /dashboard and /dashboard/... with Handler and everything else (the
// API, /dashboard.csv among it) with next. It sits in front of the node's handler
// rather than in the API's mux: the page is static and asks nothing of the
// application, which the API alone speaks to.
func Mount(next http.Handler) http.Handler {
	page := Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == pagePath || strings.HasPrefix(r.URL.Path, pagePath+"/") {
			page.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

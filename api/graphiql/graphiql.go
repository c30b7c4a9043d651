// Package graphiql serves the GraphiQL page (at / with --dev or --demo) from files
// embedded in the binary: GraphiQL, React and ReactDOM as published on npm (versions
// and how to update them in README.md), and the page's own script and style. Nothing
// is fetched from another host, so the page works on a machine with no network, and
// its Content-Security-Policy lets it load scripts and styles from this server only.
package graphiql

import (
	"embed"
	"net/http"
	"strings"

	"github.com/waymark-org/waymark/internal/embedpage"
)

//go:embed index.html assets
var files embed.FS

// ContentSecurityPolicy allows the page this server's scripts and styles only (no
// inline script or style: an injected string cannot run), its fonts and icons from the
// stylesheet's data: URLs, and requests to this server's API, websockets included.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const (
	// PagePath is where the page is served.
	PagePath = "/"
	// AssetPrefix is where its scripts, styles and licences are served.
	AssetPrefix = "/graphiql/assets/"
)

// Handler serves the page at PagePath and the files under AssetPrefix; any other path
// under AssetPrefix is 404. The caller routes only those paths here (and only with
// --dev or --demo).
func Handler() http.Handler {
	page := embedpage.Load(files, ".", ContentSecurityPolicy)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !page.Begin(w, r) {
			return
		}
		switch {
		case r.URL.Path == PagePath:
			page.ServePage(w, r, "index.html")
		case strings.HasPrefix(r.URL.Path, AssetPrefix):
			page.ServeAsset(w, r, "assets", strings.TrimPrefix(r.URL.Path, AssetPrefix))
		default:
			embedpage.NotFound(w, r)
		}
	})
}

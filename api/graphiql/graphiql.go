// Package graphiql serves the GraphiQL page (at / with --dev or --demo) from files
// embedded in the binary: GraphiQL, React and ReactDOM as published on npm (versions
// and how to update them in README.md), and the page's own script and style. Nothing
// is fetched from another host, so the page works on a machine with no network, and
// its Content-Security-Policy lets it load scripts and styles from this server only.
package graphiql

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
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

// asset is one embedded file, ready to serve.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// Handler serves the page at PagePath and the files under AssetPrefix; any other path
// under AssetPrefix is 404. The caller routes only those paths here (and only with
// --dev or --demo).
func Handler() http.Handler {
	assets := map[string]asset{}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		assets[p] = asset{body: body, contentType: contentType(p), etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	if err != nil {
		panic("graphiql: embedded files unreadable: " + err.Error()) // a broken build, not a runtime condition
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY") // frame-ancestors for browsers that predate it
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		switch {
		case r.URL.Path == PagePath:
			h.Set("Cache-Control", "no-store") // tiny, and names the assets: a new release shows at once
			serve(w, r, assets["index.html"])
		case strings.HasPrefix(r.URL.Path, AssetPrefix):
			name := strings.TrimPrefix(r.URL.Path, AssetPrefix)
			a, ok := assets["assets/"+name]
			if !ok || path.Clean("/"+name) != "/"+name {
				h.Set("Cache-Control", "no-store")
				http.NotFound(w, r)
				return
			}
			h.Set("Cache-Control", "no-cache") // revalidated by ETag: the names carry no version
			serve(w, r, a)
		default:
			h.Set("Cache-Control", "no-store")
			http.NotFound(w, r)
		}
	})
}

func serve(w http.ResponseWriter, r *http.Request, a asset) {
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("ETag", a.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}

// contentType is set explicitly (nosniff makes browsers trust it): the system's MIME
// table may give JavaScript an old name, and the licences have no extension.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	}
	return "text/plain; charset=utf-8"
}

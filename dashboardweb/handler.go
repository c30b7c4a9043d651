// Package dashboardweb is the coalition dashboard's web page at /dashboard: static
// files embedded in the binary (no build step, nothing fetched from elsewhere) that
// sign in with a bearer token and read the dashboard query and subscription from
// /graphql like any other client. The page holds no secret and no data of its own.
package dashboardweb

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
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

// asset is one embedded file, ready to serve.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// Handler serves GET /dashboard (the page) and /dashboard/assets/... (its scripts,
// styles and dictionaries). Every other path under /dashboard/ is 404.
func Handler() http.Handler {
	assets := map[string]asset{}
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		assets[strings.TrimPrefix(p, "static/")] = asset{
			body:        body,
			contentType: contentType(p),
			etag:        `"` + hex.EncodeToString(sum[:8]) + `"`,
		}
		return nil
	})
	if err != nil {
		panic("dashboardweb: embedded files unreadable: " + err.Error()) // a broken build, not a runtime condition
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
		case r.URL.Path == pagePath:
			// The page is tiny and names the assets: never cached, so a new release
			// is picked up at once and a shared machine keeps no copy.
			h.Set("Cache-Control", "no-store")
			serve(w, r, assets["index.html"])
		case r.URL.Path == pagePath+"/":
			http.Redirect(w, r, pagePath, http.StatusMovedPermanently)
		case strings.HasPrefix(r.URL.Path, assetPrefix):
			name := strings.TrimPrefix(r.URL.Path, assetPrefix)
			a, ok := assets["assets/"+name]
			if !ok || path.Clean("/"+name) != "/"+name {
				h.Set("Cache-Control", "no-store")
				http.NotFound(w, r)
				return
			}
			// Revalidated every time (the names carry no version), cheaply by ETag.
			h.Set("Cache-Control", "no-cache")
			serve(w, r, a)
		default:
			h.Set("Cache-Control", "no-store")
			http.NotFound(w, r)
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

func serve(w http.ResponseWriter, r *http.Request, a asset) {
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("ETag", a.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}

// contentType is set explicitly (nosniff makes browsers trust it): the system's MIME
// table may lack .mjs or give JavaScript an old name.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".json":
		return "application/json; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

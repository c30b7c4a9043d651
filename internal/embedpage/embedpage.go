// Package embedpage serves a web page made of files embedded in the binary: the
// page itself, never cached, and its assets, revalidated by ETag, each with its
// content type set explicitly and the headers that keep the page to its own files (a
// Content-Security-Policy without inline script or style, nosniff, no referrer, no
// framing). GraphiQL (api/graphiql) and the dashboard (dashboardweb) are such pages;
// each keeps its own routes and policy.
package embedpage

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// Files are a page's embedded files by name, ready to serve.
type Files struct {
	csp    string
	assets map[string]asset
}

type asset struct {
	body        []byte
	contentType string
	etag        string
}

// Load reads every file under root in fsys (named relative to root) for a page with
// the Content-Security-Policy csp. Unreadable embedded files are a broken build: it
// panics.
func Load(fsys fs.FS, root, csp string) *Files {
	f := &Files{csp: csp, assets: map[string]asset{}}
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		name := strings.TrimPrefix(p, root+"/")
		if root == "." {
			name = p
		}
		f.assets[name] = asset{body: body, contentType: ContentType(p), etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	if err != nil {
		panic("embedpage: embedded files unreadable: " + err.Error())
	}
	return f
}

// Begin sets the page's security headers and refuses any method but GET and HEAD
// (405 with Allow); it reports whether the request goes on.
func (f *Files) Begin(w http.ResponseWriter, r *http.Request) bool {
	h := w.Header()
	h.Set("Content-Security-Policy", f.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY") // frame-ancestors for browsers that predate it
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return false
	}
	return true
}

// ServePage serves the file name as the page: never cached, since it is tiny and
// names the assets, so a new release shows at once and a shared machine keeps no copy.
func (f *Files) ServePage(w http.ResponseWriter, r *http.Request, name string) {
	w.Header().Set("Cache-Control", "no-store")
	f.serve(w, r, f.assets[name])
}

// ServeAsset serves the file dir/name, revalidated every time by ETag (the names
// carry no version); a name that is not one of the files, or not clean, is 404.
func (f *Files) ServeAsset(w http.ResponseWriter, r *http.Request, dir, name string) {
	a, ok := f.assets[dir+"/"+name]
	if !ok || path.Clean("/"+name) != "/"+name {
		NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	f.serve(w, r, a)
}

// NotFound is 404, not cached.
func NotFound(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	http.NotFound(w, r)
}

func (f *Files) serve(w http.ResponseWriter, r *http.Request, a asset) {
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("ETag", a.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}

// ContentType is a file's type by its name, set explicitly (nosniff makes browsers
// trust it): the system's MIME table may lack .mjs or give JavaScript an old name, and
// licences have no extension (plain text).
func ContentType(name string) string {
	switch ext := path.Ext(name); ext {
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
	case "", ".md", ".txt":
		return "text/plain; charset=utf-8"
	default:
		if t := mime.TypeByExtension(ext); t != "" {
			return t
		}
		return "application/octet-stream"
	}
}

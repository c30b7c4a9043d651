package embedpage

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"
)

func TestFiles(t *testing.T) {
	files := Load(fstest.MapFS{
		"web/index.html":      {Data: []byte("<p>page</p>")},
		"web/assets/app.js":   {Data: []byte("console.log(1)")},
		"web/assets/LICENSE":  {Data: []byte("MIT")},
		"web/assets/logo.svg": {Data: []byte("<svg/>")},
	}, "web", "default-src 'self'")
	serve := func(method, target string, header http.Header, f func(w http.ResponseWriter, r *http.Request)) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, target, nil)
		for k, v := range header {
			r.Header[k] = v
		}
		w := httptest.NewRecorder()
		if files.Begin(w, r) {
			f(w, r)
		}
		return w
	}
	page := serve("GET", "/", nil, func(w http.ResponseWriter, r *http.Request) { files.ServePage(w, r, "index.html") })
	if page.Code != 200 || page.Body.String() != "<p>page</p>" || page.Header().Get("Cache-Control") != "no-store" ||
		page.Header().Get("Content-Security-Policy") != "default-src 'self'" || page.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("the page: %d %q %v", page.Code, page.Body, page.Header())
	}
	asset := func(name string, header http.Header) *httptest.ResponseRecorder {
		return serve("GET", "/a/"+name, header, func(w http.ResponseWriter, r *http.Request) { files.ServeAsset(w, r, "assets", name) })
	}
	for name, want := range map[string]string{"app.js": "text/javascript; charset=utf-8", "LICENSE": "text/plain; charset=utf-8", "logo.svg": "image/svg+xml"} {
		got := asset(name, nil)
		if got.Code != 200 || got.Header().Get("Content-Type") != want || got.Header().Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: %d %v", name, got.Code, got.Header())
		}
	}
	if again := asset("app.js", http.Header{"If-None-Match": {asset("app.js", nil).Header().Get("ETag")}}); again.Code != http.StatusNotModified {
		t.Errorf("a revalidation with the ETag: %d, want 304", again.Code)
	}
	for _, name := range []string{"missing.js", "../index.html", "./app.js"} {
		if got := asset(name, nil); got.Code != 404 || got.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d %v, want 404 no-store", name, got.Code, got.Header())
		}
	}
	post := serve("POST", "/", nil, func(w http.ResponseWriter, r *http.Request) { t.Error("a POST went on") })
	if post.Code != http.StatusMethodNotAllowed || post.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d %v", post.Code, post.Header())
	}
}

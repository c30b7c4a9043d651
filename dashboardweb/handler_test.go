package dashboardweb

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, method, path string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec.Result()
}

func checkSecurityHeaders(t *testing.T, path string, resp *http.Response) {
	t.Helper()
	want := map[string]string{
		"Content-Security-Policy": "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
	}
	for k, v := range want {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", path, k, got, v)
		}
	}
}

func TestPageAndAssetsAreServedWithStrictHeaders(t *testing.T) {
	h := Handler()
	page := get(t, h, http.MethodGet, "/dashboard")
	body, _ := io.ReadAll(page.Body)
	if page.StatusCode != http.StatusOK || !strings.Contains(string(body), `src="/dashboard/assets/js/main.js"`) {
		t.Fatalf("GET /dashboard: %d\n%s", page.StatusCode, body)
	}
	checkSecurityHeaders(t, "/dashboard", page)
	if got := page.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("page Cache-Control %q, want no-store", got)
	}
	if got := page.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Errorf("page Content-Type %q", got)
	}

	types := map[string]string{
		"/dashboard/assets/js/main.js":    "text/javascript; charset=utf-8",
		"/dashboard/assets/dashboard.css": "text/css; charset=utf-8",
		"/dashboard/assets/i18n/es.json":  "application/json; charset=utf-8",
	}
	for path, ct := range types {
		resp := get(t, h, http.MethodGet, path)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
			continue
		}
		checkSecurityHeaders(t, path, resp)
		if got := resp.Header.Get("Content-Type"); got != ct {
			t.Errorf("%s: Content-Type %q, want %q", path, got, ct)
		}
		if resp.Header.Get("ETag") == "" {
			t.Errorf("%s: no ETag", path)
		}
	}

	// Every file the page names is served (a typo in a path would be a blank page).
	for _, ref := range regexp.MustCompile(`(?:href|src)="(/dashboard/[^"]+)"`).FindAllStringSubmatch(string(body), -1) {
		if resp := get(t, h, http.MethodGet, ref[1]); resp.StatusCode != http.StatusOK {
			t.Errorf("the page names %s: %d", ref[1], resp.StatusCode)
		}
	}
}

func TestUnknownPathsAreNotFound(t *testing.T) {
	h := Handler()
	for _, path := range []string{
		"/dashboard/assets/nope.js",
		"/dashboard/assets/",
		"/dashboard/assets/js",
		"/dashboard/assets/js/",
		"/dashboard/assets/../index.html",
		"/dashboard/assets/js/../../index.html",
		"/dashboard/index.html",
		"/dashboard/static/index.html",
		"/dashboard/anything",
	} {
		resp := get(t, h, http.MethodGet, path)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
		checkSecurityHeaders(t, path, resp)
	}
	if resp := get(t, h, http.MethodPost, "/dashboard"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /dashboard: %d, want 405", resp.StatusCode)
	}
	if resp := get(t, h, http.MethodHead, "/dashboard"); resp.StatusCode != http.StatusOK {
		t.Errorf("HEAD /dashboard: %d, want 200", resp.StatusCode)
	}
}

// Nothing is loaded from elsewhere: the page works offline and no third party learns
// who reads it. The SVG namespace is a name, never fetched: the only URL allowed.
func TestNoExternalReferences(t *testing.T) {
	allowed := "http://www.w3.org/2000/svg"
	url := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}`)
	files := 0
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		text := strings.ReplaceAll(string(b), allowed, "")
		for _, m := range url.FindAllString(text, -1) {
			t.Errorf("%s references %s", p, m)
		}
		if strings.Contains(text, "http://") || strings.Contains(text, "https://") {
			t.Errorf("%s contains an http(s) URL", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 5 {
		t.Fatalf("only %d embedded files: the embed pattern is wrong", files)
	}
}

// No inline script or style anywhere in the page: the CSP would block it, so it would
// be a silent failure in the browser.
func TestNoInlineScriptOrStyle(t *testing.T) {
	b, err := static.ReadFile("static/index.html")
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`), // a script with a body
		regexp.MustCompile(`<script(?:(?:\s+[a-z-]+(?:="[^"]*")?)*)\s*>`),
		regexp.MustCompile(`(?i)<style`),
		regexp.MustCompile(`(?i)\sstyle=`),
		regexp.MustCompile(`(?i)\son[a-z]+=`),
		regexp.MustCompile(`(?i)javascript:`),
	} {
		for _, m := range bad.FindAllString(page, -1) {
			if strings.Contains(m, "src=") {
				continue
			}
			t.Errorf("index.html: inline code or style: %q", m)
		}
	}
	err = fs.WalkDir(static, "static/assets/js", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "eval(", "new Function", "'style'", ".style.", "console.log"} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s uses %s", p, bad)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Mount hands /dashboard and its assets to the page and everything else, the CSV at
// /dashboard.csv included, to the API behind it.
func TestMountRoutesOnlyThePage(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	h := Mount(api)
	for path, want := range map[string]int{
		"/dashboard":                   http.StatusOK,
		"/dashboard/assets/js/main.js": http.StatusOK,
		"/dashboard/nope":              http.StatusNotFound,
		"/dashboard.csv":               http.StatusTeapot,
		"/dashboards":                  http.StatusTeapot,
		"/graphql":                     http.StatusTeapot,
		"/healthz":                     http.StatusTeapot,
	} {
		if got := get(t, h, http.MethodGet, path).StatusCode; got != want {
			t.Errorf("GET %s: %d, want %d", path, got, want)
		}
	}
}

package api_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/api/graphiql"
)

// The GraphiQL page (--dev, --demo) comes whole from the binary: the page names only
// files on this server, each of them is served with its type, and the page's
// Content-Security-Policy lets scripts and styles come from nowhere else. (The page in
// a browser with no network: cmd/waymark/graphiql_browser_test.go.)
func TestGraphiQLServedFromTheBinary(t *testing.T) {
	srv := httptest.NewServer(api.NewHandler(api.Config{Dev: true}))
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /: HTTP %d, %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self';", "style-src 'self';", "default-src 'self';"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "http") {
		t.Errorf("Content-Security-Policy %q allows more than this server", csp)
	}
	doc, err := html.Parse(resp.Body)
	if err != nil {
		t.Fatal(err)
	}

	// Every reference in the page: to this server only, and served.
	want := map[string]string{
		"script": "text/javascript; charset=utf-8",
		"link":   "text/css; charset=utf-8",
	}
	var refs []string
	scripts, styles := 0, 0
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		for _, a := range n.Attr {
			if a.Key != "src" && a.Key != "href" {
				continue
			}
			u, err := url.Parse(a.Val)
			if err != nil || u.Host != "" || u.Scheme != "" && u.Scheme != "data" || strings.HasPrefix(a.Val, "//") {
				t.Errorf("<%s %s=%q>: not a path on this server", n.Data, a.Key, a.Val)
				continue
			}
			if u.Scheme == "data" {
				continue // the empty favicon
			}
			if n.Data == "link" && !hasAttr(n, "rel", "stylesheet") {
				continue
			}
			refs = append(refs, n.Data+" "+a.Val)
			get, err := http.Get(srv.URL + a.Val)
			if err != nil {
				t.Fatal(err)
			}
			get.Body.Close()
			if get.StatusCode != 200 || get.Header.Get("Content-Type") != want[n.Data] {
				t.Errorf("GET %s (<%s>): HTTP %d, %q, want 200 %q", a.Val, n.Data, get.StatusCode, get.Header.Get("Content-Type"), want[n.Data])
			}
			if n.Data == "script" {
				scripts++
			} else {
				styles++
			}
		}
		if n.Data == "script" && n.FirstChild != nil && strings.TrimSpace(n.FirstChild.Data) != "" {
			t.Errorf("an inline script: the policy would block it")
		}
		if n.Data == "style" || hasAttr(n, "style", "") {
			t.Errorf("an inline style in <%s>: the policy would block it", n.Data)
		}
	}
	// React, ReactDOM, GraphiQL and the page's own script; GraphiQL's and the page's styles.
	if scripts != 4 || styles != 2 {
		t.Errorf("the page references %d scripts and %d stylesheets, want 4 and 2: %q", scripts, styles, refs)
	}

	// Nothing else under the assets' prefix; no page without --dev.
	for _, p := range []string{graphiql.AssetPrefix + "missing.js", graphiql.AssetPrefix + "../index.html", "/graphiql/"} {
		if r, err := http.Get(srv.URL + p); err != nil || r.StatusCode != 404 {
			t.Errorf("GET %s: %v %v, want 404", p, err, r.StatusCode)
		}
	}
	prod := httptest.NewServer(api.NewHandler(api.Config{}))
	defer prod.Close()
	for _, p := range []string{"/", graphiql.AssetPrefix + "page.js"} {
		if r, err := http.Get(prod.URL + p); err != nil || r.StatusCode != 404 {
			t.Errorf("without --dev, GET %s: %v %v, want 404", p, err, r.StatusCode)
		}
	}
}

// hasAttr reports whether n has the attribute key (with value val, unless val is "").
func hasAttr(n *html.Node, key, val string) bool {
	for _, a := range n.Attr {
		if a.Key == key && (val == "" || a.Val == val) {
			return true
		}
	}
	return false
}

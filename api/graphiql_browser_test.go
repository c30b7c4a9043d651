package api_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/internal/browsertest"
)

// GraphiQL in Debian's headless Chromium with every host but loopback out of reach (a
// proxy that does not exist, and no name resolves): the editor renders from the
// binary's files alone, a token pasted into the headers editor reaches the API (over
// the websocket too, for a subscription), and the page asks for nothing elsewhere.
func TestGraphiQLInABrowserWithoutNetwork(t *testing.T) {
	started := time.Now()
	h := newHarness(t)
	h.coalition()
	srv := httptest.NewServer(api.NewHandler(api.Config{
		Service: h.node.Service, Readiness: h.node.Runner, Verifier: h.verifier(), Dev: true,
	}))
	defer srv.Close()

	ctx := browsertest.Start(t, "GraphiQL's browser test", time.Minute, browsertest.Offline()...)
	var mu sync.Mutex
	var requested, problems []string
	requests := chromedp.Events(ctx, network.RequestWillBeSent)
	go func() {
		for ev, err := range requests {
			if err != nil {
				return
			}
			mu.Lock()
			requested = append(requested, ev.Request.URL)
			mu.Unlock()
		}
	}()
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				problems = append(problems, m.String())
				mu.Unlock()
			}
		}
	}()

	// The editor renders; then a caseworker's token, as a person pastes it into the
	// headers editor (GraphiQL keeps the headers in localStorage), runs the default query.
	headers, _ := json.Marshal(map[string]string{"Authorization": "Bearer " + h.token(caseworker)})
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(".graphiql-container .graphiql-query-editor .CodeMirror"),
	)
	if err != nil {
		t.Fatalf("load GraphiQL: %v", err)
	}
	poll(t, ctx, "the default query on the first visit", `(document.querySelector('.graphiql-query-editor .CodeMirror') || {textContent: ''}).textContent`, "organisations")
	// The reload starts from the query GraphiQL stores for a page without saved tabs
	// ('graphiql:query'), the default query as typed: a reload restoring the tabs GraphiQL
	// saved on the first visit showed an empty editor in about half the runs on a busy
	// machine (GraphiQL 4.1.2 saves them debounced, and the saved editor may be empty).
	defaultQuery, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.parse(localStorage.getItem('graphiql:tabState') || '{"tabs":[{}]}').tabs[0].query || ''`))
	if err != nil || !strings.Contains(defaultQuery, "organisations") {
		defaultQuery = "query Organisations { organisations { id name kind jurisdiction } }"
	}
	err = chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`localStorage.setItem('graphiql:headers', `+strconvQuote(string(headers))+`);
			localStorage.removeItem('graphiql:tabState'); localStorage.setItem('graphiql:query', `+strconvQuote(defaultQuery)+`)`),
		chromedp.Reload(),
		chromedp.WaitVisible(".graphiql-execute-button"),
	)
	if err != nil {
		t.Fatalf("load GraphiQL: %v", err)
	}
	poll(t, ctx, "the default query in the editor", `(document.querySelector('.graphiql-query-editor .CodeMirror') || {textContent: ''}).textContent`, "organisations")
	if err := chromedp.Do(ctx, chromedp.Click(".graphiql-execute-button")); err != nil {
		t.Fatalf("run the query: %v", err)
	}
	poll(t, ctx, "the query's result with the pasted token", `(document.querySelector('.result-window') || {textContent: ''}).textContent`, "Shelter A")

	// A subscription goes over the websocket, and GraphiQL sends the headers editor's
	// Authorization in connection_init: an analyst's dashboardUpdated answers at once
	// with the dashboard as it stands (without the token the socket would close 4403).
	headers, _ = json.Marshal(map[string]string{"Authorization": "Bearer " + h.token(analyst)})
	subscription := `subscription { dashboardUpdated(filter: {jurisdiction: "MX", fromMonth: "2026-01", toMonth: "2026-03"}) { jurisdiction months } }`
	err = chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`localStorage.setItem('graphiql:headers', `+strconvQuote(string(headers))+`);
			localStorage.removeItem('graphiql:tabState'); localStorage.setItem('graphiql:query', `+strconvQuote(subscription)+`)`),
		chromedp.Reload(),
		chromedp.WaitVisible(".graphiql-execute-button"),
	)
	if err != nil {
		t.Fatalf("load GraphiQL with a subscription: %v", err)
	}
	poll(t, ctx, "the subscription in the editor", `(document.querySelector('.graphiql-query-editor .CodeMirror') || {textContent: ''}).textContent`, "dashboardUpdated")
	err = chromedp.Do(ctx,
		chromedp.Click(".graphiql-execute-button"),
	)
	if err != nil {
		t.Fatalf("run the subscription: %v", err)
	}
	poll(t, ctx, "the subscription's first message", `(document.querySelector('.result-window') || {textContent: ''}).textContent`, "2026-03")

	mu.Lock()
	defer mu.Unlock()
	origin, _ := url.Parse(srv.URL)
	for _, raw := range requested {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "data" && u.Host != origin.Host {
			t.Errorf("the page asked another host: %s", raw)
		}
	}
	if !slices.ContainsFunc(requested, func(s string) bool { return strings.HasSuffix(s, "/graphiql/assets/graphiql/graphiql.min.js") }) {
		t.Errorf("no request for GraphiQL's bundle seen: %q", requested)
	}
	for _, p := range problems {
		// The page's first schema fetch, before the token was pasted, is refused (401).
		if strings.Contains(p, "status of 401") {
			continue
		}
		t.Errorf("browser console: %s", p)
	}
	t.Logf("GraphiQL browser test took %s", time.Since(started).Round(100*time.Millisecond))
}

// poll evaluates expression until its value contains want.
func poll(t *testing.T, ctx context.Context, what, expression, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](expression))
		if err == nil && strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %q (%v), want it to contain %q", what, got, err, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// strconvQuote quotes s as a JavaScript string literal (JSON's quoting is JavaScript's).
func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

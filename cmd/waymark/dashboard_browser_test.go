package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/waymark-org/waymark/internal/browsertest"
)

// The dashboard page (dashboardweb) in a real browser against a real server: Debian's
// headless chromium, driven by chromedp, reading `serve --demo`. It checks what only a
// browser can: the page signs in, shows the same funnel the API answers, follows a
// change live over the websocket, speaks Spanish, fits a phone, and breaks no rule of
// its Content-Security-Policy (a violation is a console error, and fails the test).
//
// It saves three screenshots; with WAYMARK_UPDATE_SCREENSHOTS=1 it writes them to
// docs/screenshots (the README shows them), else to a temporary directory, so an
// ordinary run leaves the tree as it was.

const funnelTableJS = `Array.from(document.querySelectorAll('#funnel-table tbody tr')).map(tr =>
  [tr.dataset.code, ...Array.from(tr.querySelectorAll('td')).map(td => td.textContent)])`

// textOf reads an element's text ("" when there is none) in one step: the page
// re-renders on every live update, so a node found by one call may be gone by the next.
func textOf(ctx context.Context, selector string) (string, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {textContent: ""}).textContent`, selector)))
}

func pageFunnel(ctx context.Context) ([][]string, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[[][]string](funnelTableJS))
}

// waitFor polls cond until it holds or the time is up.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok, detail := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s: %s", what, limit, detail)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestDashboardPageInABrowser(t *testing.T) {
	started := time.Now()
	ctx := browsertest.Start(t, "the dashboard's browser test", 2*time.Minute, chromedp.Flag("lang", "en-GB"))
	var consoleMu sync.Mutex
	var problems []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				consoleMu.Lock()
				problems = append(problems, m.String())
				consoleMu.Unlock()
			}
		}
	}()

	dir := t.TempDir()
	srv := startServer(t, dir, "--demo")
	analyst := mintToken(t, dir, "analyst", "coalition-analytics")
	caseworker := mintToken(t, dir, "caseworker", "mx-refugio-esperanza")
	if analyst == "" || caseworker == "" {
		t.Fatal("no demo signing key after serve --demo")
	}

	// This year to date: the page's own default ("This year").
	now := time.Now().UTC()
	from, to := fmt.Sprintf("%d-01", now.Year()), now.Format("2006-01")
	current := to
	query := fmt.Sprintf(`{ dashboard(filter: {jurisdiction: "MX", fromMonth: %q, toMonth: %q}) {
		months periods minCell position funnel { code months { value suppressed provisional } periods { value suppressed provisional } } } }`, from, to)
	answer := func() dashAnswer {
		var out struct {
			Data struct{ Dashboard dashAnswer } `json:"data"`
		}
		if status, raw := srv.gql(analyst, query, &out); status != 200 || len(out.Data.Dashboard.Funnel) == 0 {
			t.Fatalf("dashboard query: HTTP %d %s", status, raw)
		}
		return out.Data.Dashboard
	}
	before := answer()
	if len(before.Funnel) != 4 || before.Funnel[0].Code != "referral" {
		t.Fatalf("funnel: %+v", before.Funnel)
	}

	// A bad token: the API's error, with its code, and back to the sign-in.
	err := chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("http://%s/dashboard?jurisdiction=MX&fromMonth=%s&toMonth=%s", srv.http, from, to)),
		chromedp.WaitVisible("#token"),
		chromedp.SendKeys("#token", "not-a-token"),
		chromedp.Click("#signin-form button"),
		chromedp.WaitVisible("#error"),
		chromedp.WaitVisible("#token"),
	)
	if err != nil {
		t.Fatalf("sign in with a bad token: %v", err)
	}
	if shown, _ := textOf(ctx, "#error"); !strings.Contains(shown, "UNAUTHENTICATED") {
		t.Errorf("a bad token shows %q, not the API's code", shown)
	}

	// Sign in and see the same funnel as the API.
	err = chromedp.Do(ctx,
		chromedp.SendKeys("#token", analyst),
		chromedp.Click("#signin-form button"),
		chromedp.WaitVisible("#funnel-table"),
	)
	if err != nil {
		t.Fatalf("sign in and load the dashboard: %v", err)
	}
	waitFor(t, "the page's funnel equals the API's", 15*time.Second, func() (bool, string) {
		got, err := pageFunnel(ctx)
		want := expectedFunnel(before)
		return err == nil && slices.EqualFunc(got, want, slices.Equal), fmt.Sprintf("page %q, API %q (%v)", got, want, err)
	})
	waitFor(t, "the live indicator", 15*time.Second, func() (bool, string) {
		state, err := textOf(ctx, "#live-state")
		return err == nil && state == "Live", fmt.Sprintf("%q %v", state, err)
	})
	positionBefore, err := textOf(ctx, "#position")
	if err != nil || positionBefore != before.Position {
		t.Errorf("position shown %q (%v), the API's %q", positionBefore, err, before.Position)
	}
	shots := screenshotDir(t)
	screenshot(t, ctx, filepath.Join(shots, "dashboard-en.png"))

	// Download CSV: the same filter from /dashboard.csv, saved through a Blob.
	downloads := t.TempDir()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads,
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click("#csv")); err != nil {
		t.Fatal(err)
	}
	csvFile := filepath.Join(downloads, fmt.Sprintf("waymark-dashboard-MX-%s-%s-en.csv", from, to))
	waitFor(t, "the CSV download", 15*time.Second, func() (bool, string) {
		b, err := os.ReadFile(csvFile)
		return err == nil && strings.Contains(string(b), "funnel") && strings.Contains(string(b), "stage_reached/referral"),
			fmt.Sprintf("%s: %v %.200q", csvFile, err, b)
	})

	// A caseworker refers five survivors this month: the current month's provisional
	// referral count moves by one step of minCell, and the page follows it live.
	var position string
	for i := range before.MinCell {
		var out struct {
			Data struct {
				ReferSurvivor struct{ Position string } `json:"referSurvivor"`
			} `json:"data"`
		}
		status, raw := srv.gql(caseworker, fmt.Sprintf(`mutation { referSurvivor(input: {commandId: "browser-test-refer-%d",
			referringOrganisationId: "mx-refugio-esperanza", jurisdiction: "MX", needs: [BANK_ACCOUNT], barriers: [NO_ID],
			survivor: {fullName: "Navegador Prueba %d"}}) { position } }`, i, i), &out)
		if status != 200 || out.Data.ReferSurvivor.Position == "" {
			t.Fatalf("referSurvivor: HTTP %d %s", status, raw)
		}
		position = out.Data.ReferSurvivor.Position
	}
	var after dashAnswer
	waitFor(t, "the API's referrals this month to move by minCell", 30*time.Second, func() (bool, string) {
		after = answer()
		was, is := before.Funnel[0].Months, after.Funnel[0].Months
		last := len(is) - 1
		return is[last].Value != nil && was[last].Value != nil && *is[last].Value == *was[last].Value+before.MinCell,
			fmt.Sprintf("referrals in %s: %s, then %s (after the referral at %s)", current, countText(was[last], before.MinCell), countText(is[last], before.MinCell), position)
	})
	waitFor(t, "the page to show the change live", 30*time.Second, func() (bool, string) {
		got, err := pageFunnel(ctx)
		want := expectedFunnel(after)
		return err == nil && slices.EqualFunc(got, want, slices.Equal), fmt.Sprintf("page %q, API %q (%v)", got, want, err)
	})
	positionAfter, _ := textOf(ctx, "#position")
	if positionAfter == positionBefore || positionAfter == "" {
		t.Errorf("position shown stayed %q after the update", positionAfter)
	}

	// Spanish: labels and codes.
	err = chromedp.Do(ctx,
		chromedp.SetValue("#lang", "es"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('lang').dispatchEvent(new Event('change'))`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the page in Spanish", 10*time.Second, func() (bool, string) {
		title, err1 := textOf(ctx, "h1")
		stage, err2 := textOf(ctx, `#funnel-table tr[data-code="referral"] th`)
		lang, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
		return err1 == nil && err2 == nil && title == "Tablero de la coalición" && stage == "Canalización" && lang == "es",
			fmt.Sprintf("title %q, stage %q, lang %q", title, stage, lang)
	})
	screenshot(t, ctx, filepath.Join(shots, "dashboard-es.png"))

	// A phone: nothing wider than the screen but the tables, which scroll on their own.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)), chromedp.Sleep(300*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil || width > 390 {
		t.Errorf("at 390px the page is %dpx wide (%v)", width, err)
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('funnel').scrollIntoView()`), chromedp.Sleep(200*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, filepath.Join(shots, "dashboard-phone.png"))

	// The language choice survives a reload; the token too (sessionStorage).
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible("#funnel-table")); err != nil {
		t.Fatalf("reload: %v", err)
	}
	if title, _ := textOf(ctx, "h1"); title != "Tablero de la coalición" {
		t.Errorf("after a reload the title is %q", title)
	}

	// The baseline survey's round, in Spanish still.
	waitFor(t, "the survey section", 10*time.Second, func() (bool, string) {
		text, err := textOf(ctx, "#survey-table")
		return err == nil && strings.Contains(text, "Organizaciones que respondieron"), fmt.Sprintf("%q %v", text, err)
	})

	consoleMu.Lock()
	defer consoleMu.Unlock()
	// The browser logs the bad token's two refusals (the directory, the dashboard):
	// those are expected, and no other.
	refused := 0
	for _, p := range problems {
		if strings.Contains(p, "status of 401") && refused < 2 {
			refused++
			continue
		}
		t.Errorf("browser console: %s", p)
	}
	t.Logf("browser test took %s", time.Since(started).Round(time.Second))
}

func screenshotDir(t *testing.T) string {
	if os.Getenv("WAYMARK_UPDATE_SCREENSHOTS") == "1" {
		return filepath.Join("..", "..", "docs", "screenshots")
	}
	return t.TempDir()
}

// screenshot saves the viewport as PNG: what a reader sees first, a few hundred KB.
func screenshot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err == nil && len(buf) == 0 {
		err = errors.New("empty screenshot")
	}
	if err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
	if len(buf) > 400<<10 {
		t.Errorf("screenshot %s is %d KB", path, len(buf)>>10)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Package browsertest starts headless Chromium for tests that use a page as a person
// would (chromedp). Chromium is a Debian package .ci/run installs; a test without it
// fails, never skips.
package browsertest

import (
	"context"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Start starts headless Chromium for what (named in the failure when Chromium is
// missing), closed at cleanup, with the brief's flags: no sandbox (CI runs as root in
// a container), no GPU, no background traffic to Google's services; opts add to them.
// Every step in the returned context ends within timeout.
func Start(t *testing.T, what string, timeout time.Duration, opts ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		path, err = exec.LookPath("chromium-browser")
	}
	if err != nil {
		t.Fatalf("%s needs Chromium, which is not installed: apt-get install -y chromium (.ci/run installs it)", what)
	}
	all := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(all, opts...)...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start chromium (%s): %v", path, err)
	}
	return ctx
}

// Offline is the options of a browser that reaches loopback only: every other request
// goes to a proxy that does not exist (Chromium never proxies loopback), and no host
// name but localhost resolves.
func Offline() []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ProxyServer("http://127.0.0.1:9"),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"),
	}
}

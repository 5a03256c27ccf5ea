package app

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// chromiumPath finds Debian's Chromium. `make test` installs it, so in CI a
// missing browser is a failure, not a skip.
func chromiumPath(tb testing.TB) string {
	tb.Helper()
	for _, p := range []string{os.Getenv("ECOPULSE_CHROMIUM"), "/usr/bin/chromium"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		tb.Fatal("chromium is not installed: `make test` installs it with scripts/test-deps.sh")
	}
	tb.Skip("chromium is not installed (run `make test-deps`)")
	return ""
}

// browser is a headless Chromium session that records console errors and
// uncaught exceptions of the pages it opens.
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

// browserStarts is how many times newBrowser tries to start Chromium: on
// some machines it crashes now and then while starting (a segfault before
// it listens), which says nothing of the pages under test.
const browserStarts = 3

func newBrowser(tb testing.TB) *browser {
	tb.Helper()
	var err error
	for attempt := 1; attempt <= browserStarts; attempt++ {
		b, stop, e := startBrowser(tb)
		if e == nil {
			tb.Cleanup(stop)
			return b
		}
		stop()
		err = e
		tb.Logf("start chromium, attempt %d of %d: %v", attempt, browserStarts, e)
	}
	tb.Fatalf("start chromium: %v", err)
	return nil
}

// startBrowser starts one Chromium with a profile of its own, and returns
// it with what stops it.
func startBrowser(tb testing.TB) (*browser, func(), error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(tb)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1280, 1600),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	stop := func() { cancelTimeout(); cancelCtx(); cancelAlloc() }
	b := &browser{ctx: ctx}
	err := chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				b.errors = append(b.errors, "console: "+strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			b.errors = append(b.errors, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber, msg))
		}
	})
	return b, stop, err
}

func (b *browser) takeErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.errors
	b.errors = nil
	return e
}

func evalInt(tb testing.TB, b *browser, expr string) int {
	tb.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](expr))
	if err != nil {
		tb.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func evalString(tb testing.TB, b *browser, expr string) string {
	tb.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		tb.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// loginBrowser logs the browser in through the login form as the test
// account of a role.
func loginBrowser(tb testing.TB, b *browser, base, role string) {
	tb.Helper()
	err := chromedp.Do(b.ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="name"]`)),
		chromedp.SetValue(chromedp.CSS(`input[name="name"]`), role),
		chromedp.SetValue(chromedp.CSS(`input[name="password"]`), testPassword(role)),
		chromedp.Submit(chromedp.CSS(`form.login-form`)),
		chromedp.WaitVisible(chromedp.CSS(`#whoami`)),
	)
	if err != nil {
		tb.Fatalf("log in as %s: %v", role, err)
	}
}

// browseApp serves a on a loopback port and logs a fresh headless Chromium
// in to it as the test account of role: how every browser test of the
// pages starts. It returns the browser and the app's base URL.
func browseApp(tb testing.TB, a *App, role string) (*browser, string) {
	tb.Helper()
	base := serveTestApp(tb, a)
	return loggedInBrowser(tb, base, role), base
}

// loggedInBrowser is a fresh headless Chromium logged in to the app served
// at base as the test account of role.
func loggedInBrowser(tb testing.TB, base, role string) *browser {
	tb.Helper()
	b := newBrowser(tb)
	loginBrowser(tb, b, base, role)
	return b
}

// serveTestApp serves the app's routes on a loopback port.
func serveTestApp(tb testing.TB, a *App) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go a.Fiber().Listener(ln)
	tb.Cleanup(func() { a.Fiber().ShutdownWithTimeout(5 * time.Second) })
	return "http://" + ln.Addr().String()
}

// screenshotDir is where browser tests leave their screenshots: a temporary
// directory, or ECOPULSE_SCREENSHOTS to keep them.
func screenshotDir(tb testing.TB) string {
	if d := os.Getenv("ECOPULSE_SCREENSHOTS"); d != "" {
		os.MkdirAll(d, 0o755)
		return d
	}
	return tb.TempDir()
}

// TestBrowserOverviewDrawsEveryChart opens the overview in headless Chromium
// and checks that every chart is drawn from the demo data with no console
// error, and leaves a screenshot.
func TestBrowserOverviewDrawsEveryChart(t *testing.T) {
	if !views.HasECharts() {
		t.Fatal("views/static/vendor/echarts.min.js is missing: run `make assets`")
	}
	b, base := browseApp(t, newTestApp(t, seededDB(t)), domain.RoleViewer)

	if err := chromedp.Do(b.ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("body[data-ready]")),
	); err != nil {
		t.Fatal(err)
	}
	charts := evalInt(t, b, `window.__chartsReady`)
	canvases := evalInt(t, b, `document.querySelectorAll('[data-chart] canvas').length`)
	shot, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Fatal(err)
	}
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors on /: %v", errs)
	}
	if charts < 4 {
		t.Errorf("charts ready = %d, want at least 4 (gauge, two trends, share)", charts)
	}
	if canvases < charts {
		t.Errorf("%d canvases for %d charts: some chart was not drawn", canvases, charts)
	}
	path := filepath.Join(screenshotDir(t), "overview.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// TestBrowserRunsNoInjectedScript stores hostile member names and checks in a
// real browser that none of them runs.
func TestBrowserRunsNoInjectedScript(t *testing.T) {
	db := seededDB(t)
	s, err := views.BuildScores(context.Background(), db, demoEnd)
	if err != nil {
		t.Fatal(err)
	}
	payloads := []string{
		`</script><script>window.__xss=1</script>`,
		`"><img src=x onerror="window.__xss=2">`,
		`<svg onload="window.__xss=3">`,
		`__f__function(){window.__xss=4}__f__`,
	}
	for i, p := range payloads {
		renameMember(t, db, s.Members[i].Slug, p)
	}
	b, base := browseApp(t, newTestApp(t, db), domain.RoleViewer)
	if err := chromedp.Do(b.ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("body[data-ready]")),
	); err != nil {
		t.Fatal(err)
	}
	xss := evalString(t, b, `String(window.__xss)`)
	text := evalString(t, b, `document.body.innerText`)
	if xss != "undefined" {
		t.Errorf("an injected script ran: window.__xss = %s", xss)
	}
	if !strings.Contains(text, payloads[0]) {
		t.Errorf("the hostile name is not shown as text")
	}
}

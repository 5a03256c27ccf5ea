package app

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/session"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/views"
)

// webServer is the state of the HTTP side: the Fiber app built from the
// route table (app/routes.go, app/server.go), the renderer with the
// configuration's health bands, the page cache, sessions, single sign-on,
// login throttling and CSRF keys, and whose forwarded addresses are
// believed. The handlers are App's methods, since they also reach the store
// and the scheduler; this type holds what only the web side uses, so that
// the scheduler and the commands never depend on it.
type webServer struct {
	views   *views.Renderer
	fiber   *fiber.App
	ready   atomic.Bool // /readyz: true while serving
	pages   *pageCache  // the page cache's state (app/pagecache.go)
	proxies proxyTrust  // whose forwarded client addresses are believed (app/clientip.go)

	plainSessions, secureSessions *session.Store
	sso                           *ssoClient   // nil unless auth.oidc is configured (app/oidc.go)
	oidcFlowKey                   cachedSecret // seals the single-sign-on flow cookie (app/oidc_flow.go)
	loginCSRF                     loginCSRFKey // signs the login form's CSRF cookie (app/login_csrf.go)
	sliding                       sync.Map     // session IDs whose idle expiry a request is saving now
	touchEvery                    time.Duration
	slideHook                     func()      // tests: called by the request that slides a session, before it saves
	viewers                       viewerCache // who the sessions of recent page views are (app/viewer_cache.go)

	// Shared with the other replicas through the database (app/throttle.go,
	// app/ratelimit.go): failed logins and the ingest budget.
	throttle  throttle         // failed logins
	clientKey cachedSecret     // keys the hashes of client addresses in the shared counts (clientKeySecret)
	rateNow   func() time.Time // tests: the clock of the shared ingest budget; nil: time.Now
	budgets   ingestBudgets    // this replica's chunks of the ingest budgets (app/ratebudget.go)
}

// newWebServer prepares the web side's state for a configuration and a
// store; the App then builds its Fiber app from the route table.
func newWebServer(cfg config.Config, db *data.DB) (*webServer, error) {
	r, err := views.NewRenderer(views.OptionsOf(cfg.Scoring))
	if err != nil {
		return nil, fmt.Errorf("app: unable to parse templates: %w", err)
	}
	w := &webServer{views: r, touchEvery: sessionTouchEvery}
	w.throttle = throttle{db: db, secret: &w.clientKey}
	w.plainSessions, w.secureSessions = newSessions(db)
	if w.sso, err = newSSO(cfg.Auth.OIDC); err != nil {
		return nil, err
	}
	return w, nil
}

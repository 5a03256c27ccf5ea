package app

import (
	"bytes"
	"container/list"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/klauspost/compress/gzip"

	"github.com/ecopulse/ecopulse/data"
)

const (
	// pageCacheTTL bounds how stale a cached page can be should the data
	// version miss a write (a replica that died between its commit and
	// advancing the version): this process's own writes change the key at
	// once, those of the other processes on the database within
	// data.ClusterVersionEvery.
	pageCacheTTL = time.Minute
	// pageCacheRefresh: a page requested in the last pageCacheRefresh of
	// its life is built again by that request, while the others are still
	// served the entry, so that pages in use do not expire under load.
	pageCacheRefresh = 10 * time.Second
	// pageCacheBytes bounds the cache's memory (bodies, headers and keys,
	// plus pageEntryOverhead per entry).
	pageCacheBytes = 32 << 20
	// pageEntryOverhead is what an entry costs besides its bytes: the
	// entry, its list element and its map slot.
	pageEntryOverhead = 256
)

// X-Cache tells how a response was made: "hit" (served from the cache,
// or from the build another request was making for the same key), "stale"
// (the page of the data version before another process's write, served
// while another request builds the current one), "miss" (built, then kept)
// or "unreachable" (not cacheable, or not kept).
const (
	cacheHeader      = "X-Cache"
	cacheHit         = "hit"
	cacheStale       = "stale"
	cacheMiss        = "miss"
	cacheUnreachable = "unreachable"
)

// pageCache returns the middleware that serves repeated GETs of pages and
// JSON from memory (see pageCache, the type).
func (a *App) pageCache() fiber.Handler {
	a.pages = newPageCache(pageCacheTTL, pageCacheRefresh, pageCacheBytes, a.db.VersionParts)
	return a.pages.handle
}

// pageCache serves repeated GETs of pages and JSON from memory. It runs
// after the authorisation gate, so every request is still authorised, and
// keeps only the routes whose rule opts in (keyOf); the key holds the
// viewer's role (pages differ by role), the store's data version, the
// canonical path and the sorted query (keying on the path alone served a
// ?range=7d page for ?range=30d). Only 200 responses are kept, for ttl at most, in at most
// maxBytes (least recently used entries go first).
//
// Builds are single-flight: when several requests miss the same key at
// once (all the open connections after a write, or on a page nobody asked
// for within the TTL), one of them runs the handlers and the others wait
// for it and are served its response: a cold build of /members on a year
// of data is costly, and identical builds at once only share the cores.
//
// An entry in use is built again before it expires (refresh): the first
// request in its last refresh period rebuilds it while the other requests
// are still served the entry, so the TTL does not make every open
// connection wait once a minute. Nothing older than the TTL is served.
//
// After a write of this process, a page of the older data version is
// never served: a request that follows the write must see it, so the
// requests of a page wait for the one build of the new version. The
// writes of the other processes on the database (an import, a collector
// run, another replica's ingest) show here only within
// data.ClusterVersionEvery anyway, and come all day long; after one of
// those, the first request builds the new version and the requests that
// arrive meanwhile are served the page of the version before it ("stale"),
// as long as it has not expired, instead of all the open connections
// waiting for the build each time another process commits.
type pageCache struct {
	ttl      time.Duration
	refresh  time.Duration
	maxBytes int
	version  func(kinds data.DataKind) (local, foreign uint64)
	now      func() time.Time

	mu      sync.Mutex
	entries map[string]*list.Element // of *cachedPage, by key
	lru     list.List                // of *cachedPage, most recently used first
	size    int                      // what the entries count for, ≤ maxBytes
	flights map[string]*pageFlight   // builds under way, by key
	latest  map[string]*cachedPage   // the newest kept page of each unversioned key

	// onBuild and onWait, when set (by tests, before any request), are
	// called with the key when a request is about to run the handlers for
	// a cacheable response, and when it waits for another request's build;
	// onKeep with a page as it is kept, before other requests can find it.
	onBuild, onWait func(key string)
	onKeep          func(p *cachedPage)
}

// cachedPage is a kept response. Its bytes are copies (fasthttp reuses a
// response's buffers once the handler returns) and are never written to:
// many responses send them at once.
type cachedPage struct {
	key     string
	page    string // the key without the data version: the same page at any version
	local   uint64 // the version's count of this process's writes when it was built
	status  int
	ctype   []byte
	headers []pageHeader // set by the handlers (never Set-Cookie)
	body    []byte
	expires time.Time
	size    int // what it counts for in the cache (guarded by the cache's mu)

	// The body gzip-compressed, made by the first request that accepts it
	// (nil when it did not shrink), when the body is worth compressing.
	compressible bool
	gzipOnce     sync.Once
	gzipped      []byte
}

type pageHeader struct{ name, value []byte }

// pageFlight is a build under way: done is closed when it ends, after page
// is set (nil when the response was not kept: an error, not a 200, too
// large).
type pageFlight struct {
	done chan struct{}
	page *cachedPage
}

func newPageCache(ttl, refresh time.Duration, maxBytes int, version func(kinds data.DataKind) (local, foreign uint64)) *pageCache {
	return &pageCache{
		ttl:      ttl,
		refresh:  refresh,
		maxBytes: maxBytes,
		version:  version,
		now:      time.Now,
		entries:  map[string]*list.Element{},
		flights:  map[string]*pageFlight{},
		latest:   map[string]*cachedPage{},
	}
}

func (pc *pageCache) handle(c *fiber.Ctx) error {
	cc := c.Get(fiber.HeaderCacheControl)
	if strings.Contains(cc, "no-store") {
		return c.Next()
	}
	k, ok := pc.keyOf(c)
	if !ok {
		c.Set(cacheHeader, cacheUnreachable)
		return c.Next()
	}
	key := k.key

	pc.mu.Lock()
	if !strings.Contains(cc, "no-cache") {
		now := pc.now()
		if p := pc.lookupLocked(key, now); p != nil {
			if p.expires.Sub(now) > pc.refresh || pc.flights[key] != nil {
				pc.mu.Unlock()
				pc.send(c, p)
				return nil
			}
			// The entry's last refresh period: this request builds it
			// again; the others are still served it meanwhile.
			f := &pageFlight{done: make(chan struct{})}
			pc.flights[key] = f
			pc.mu.Unlock()
			return pc.build(c, k, f)
		}
	}
	if f := pc.flights[key]; f != nil {
		if p := pc.staleLocked(k, pc.now()); p != nil {
			pc.mu.Unlock()
			pc.send(c, p)
			c.Set(cacheHeader, cacheStale)
			return nil
		}
		pc.mu.Unlock()
		if pc.onWait != nil {
			pc.onWait(key)
		}
		<-f.done
		if f.page != nil {
			pc.send(c, f.page)
			return nil
		}
		// The build's response was not kept, so it cannot be shared: the
		// waiters build their own, side by side (an error page is cheap,
		// and taking turns would add up their times).
		return pc.build(c, k, nil)
	}
	f := &pageFlight{done: make(chan struct{})}
	pc.flights[key] = f
	pc.mu.Unlock()
	return pc.build(c, k, f)
}

// staleLocked returns the page to serve in place of k's while another
// request builds k: the newest kept page of the same page, unexpired, when
// only other processes have written since it was built; else nil.
func (pc *pageCache) staleLocked(k cacheKey, now time.Time) *cachedPage {
	p := pc.latest[k.page]
	if p == nil || p.local != k.local || !now.Before(p.expires) {
		return nil
	}
	return p
}

// build runs the handlers and keeps a 200 response. With a flight, it ends
// the flight whatever happens, panics included (recover is further up).
func (pc *pageCache) build(c *fiber.Ctx, k cacheKey, f *pageFlight) error {
	key := k.key
	if f != nil {
		defer func() {
			pc.mu.Lock()
			delete(pc.flights, key)
			pc.mu.Unlock()
			close(f.done)
		}()
	}
	if pc.onBuild != nil {
		pc.onBuild(key)
	}
	// Headers set before the handlers belong to this request (security
	// headers, the session's CSRF cookie): only the handlers' own are kept.
	before := map[string]bool{}
	c.Response().Header.VisitAll(func(k, _ []byte) { before[string(k)] = true })
	if err := c.Next(); err != nil {
		return err // the error handler answers; nothing is kept
	}
	if c.Response().StatusCode() != fiber.StatusOK {
		c.Set(cacheHeader, cacheUnreachable)
		return nil
	}
	p := pc.capture(c, k, before)
	if p.size > pc.maxBytes {
		c.Set(cacheHeader, cacheUnreachable)
		return nil
	}
	if p.compressible && c.Request().Header.HasAcceptEncoding("gzip") {
		// Compressed before it is kept: once kept, the requests that find
		// it would wait on gzipOnce for the builder's compression.
		p.gzipOnce.Do(func() { p.gzipped = gzipBody(p.body) })
		p.size += len(p.gzipped)
	}
	pc.store(p)
	if f != nil {
		f.page = p // read by the waiters after close(f.done)
	}
	pc.send(c, p) // the builder too gets the compressed body when it takes one
	c.Set(cacheHeader, cacheMiss)
	return nil
}

// capture copies a response out of the context.
func (pc *pageCache) capture(c *fiber.Ctx, k cacheKey, before map[string]bool) *cachedPage {
	r := c.Response()
	key := k.key
	p := &cachedPage{
		key:     key,
		page:    k.page,
		local:   k.local,
		status:  r.StatusCode(),
		ctype:   bytes.Clone(r.Header.ContentType()),
		body:    bytes.Clone(r.Body()),
		expires: pc.now().Add(pc.ttl),
	}
	r.Header.VisitAll(func(k, v []byte) {
		// m[string(k)] looks the key up without copying it to a string.
		if before[string(k)] || notKept[string(k)] {
			return
		}
		p.headers = append(p.headers, pageHeader{bytes.Clone(k), bytes.Clone(v)})
	})
	p.compressible = len(p.body) >= gzipMinBytes && compressible(p.ctype)
	p.size = pageEntryOverhead + len(key) + len(p.ctype) + len(p.body)
	for _, h := range p.headers {
		p.size += len(h.name) + len(h.value)
	}
	return p
}

// notKept are the response headers a kept page does not carry: cookies
// (they belong to the request that built the page), the content type
// (kept apart), and what fasthttp sets for each response.
var notKept = map[string]bool{
	fiber.HeaderSetCookie: true, fiber.HeaderContentType: true, fiber.HeaderContentLength: true,
	fiber.HeaderServer: true, fiber.HeaderDate: true, fiber.HeaderConnection: true,
	fiber.HeaderTransferEncoding: true, fiber.HeaderTrailer: true, cacheHeader: true,
}

// send answers a request with a kept page.
func (pc *pageCache) send(c *fiber.Ctx, p *cachedPage) {
	r := c.Response()
	r.SetStatusCode(p.status)
	r.Header.SetContentTypeBytes(p.ctype)
	for _, h := range p.headers {
		r.Header.SetBytesKV(h.name, h.value)
	}
	body := p.body
	if p.compressible {
		r.Header.Add(fiber.HeaderVary, fiber.HeaderAcceptEncoding)
		if c.Request().Header.HasAcceptEncoding("gzip") {
			if gz := pc.gzipOf(p); gz != nil {
				r.Header.Set(fiber.HeaderContentEncoding, "gzip")
				body = gz
			}
		}
	}
	r.SetBodyRaw(body) // shared, never written to
	c.Set(cacheHeader, cacheHit)
}

// gzipOf returns p's body compressed, compressing it on first use: once per
// build of a page, and only for pages a client that accepts gzip asks for
// (every browser does; scripts polling the JSON API often do not). A
// builder that accepts gzip compresses the page before it is kept (build);
// otherwise the first such request does it here. The compressed copy counts
// toward the cache's bound while p is kept.
func (pc *pageCache) gzipOf(p *cachedPage) []byte {
	p.gzipOnce.Do(func() {
		gz := gzipBody(p.body)
		pc.mu.Lock()
		defer pc.mu.Unlock()
		p.gzipped = gz
		if el := pc.entries[p.key]; el != nil && el.Value.(*cachedPage) == p {
			p.size += len(gz)
			pc.size += len(gz)
			for pc.size > pc.maxBytes && pc.lru.Len() > 0 {
				pc.removeLocked(pc.lru.Back())
			}
		}
	})
	return p.gzipped
}

// gzipMinBytes is the smallest body worth compressing: below it the gzip
// header and a round of CPU buy nothing on any network.
const gzipMinBytes = 1024

// gzipBody compresses a kept page's body, nil when that does not make it
// smaller. The 500-member list is 0.9 MB of HTML and about a tenth of that
// compressed.
func gzipBody(body []byte) []byte {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if err != nil {
		return nil
	}
	if _, err := zw.Write(body); err != nil || zw.Close() != nil {
		return nil
	}
	if buf.Len() >= len(body) {
		return nil
	}
	return buf.Bytes()
}

func compressible(ctype []byte) bool {
	t := string(ctype)
	return strings.HasPrefix(t, "text/") || strings.HasPrefix(t, "application/json") || strings.HasPrefix(t, "image/svg+xml")
}

// lookupLocked returns the fresh entry of key, or nil (an expired entry is
// dropped).
func (pc *pageCache) lookupLocked(key string, now time.Time) *cachedPage {
	el := pc.entries[key]
	if el == nil {
		return nil
	}
	p := el.Value.(*cachedPage)
	if !now.Before(p.expires) {
		pc.removeLocked(el)
		return nil
	}
	pc.lru.MoveToFront(el)
	return p
}

// store keeps p, making room by dropping expired entries at the back of the
// list, then the least recently used ones.
func (pc *pageCache) store(p *cachedPage) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.onKeep != nil {
		pc.onKeep(p)
	}
	if el := pc.entries[p.key]; el != nil {
		pc.removeLocked(el)
	}
	now := pc.now()
	for el := pc.lru.Back(); el != nil && !now.Before(el.Value.(*cachedPage).expires); el = pc.lru.Back() {
		pc.removeLocked(el)
	}
	for pc.size+p.size > pc.maxBytes && pc.lru.Len() > 0 {
		pc.removeLocked(pc.lru.Back())
	}
	pc.entries[p.key] = pc.lru.PushFront(p)
	pc.size += p.size
	pc.latest[p.page] = p
}

func (pc *pageCache) removeLocked(el *list.Element) {
	p := pc.lru.Remove(el).(*cachedPage)
	delete(pc.entries, p.key)
	if pc.latest[p.page] == p {
		delete(pc.latest, p.page)
	}
	pc.size -= p.size
}

// keyOf returns the key a request's response is kept under, and false
// when its route does not opt in (route.cache, app/routes.go): only
// GETs of a route that says its responses are the same for every viewer of
// a role. The key is the viewer's role, the store's version of the data
// the route shows (cachePolicy.reads), the
// method, the canonical path (app/policy.go: /Members/acme/ and
// /members/acme are one page) and the query sorted by name, so that
// neither the path's spelling nor the order of parameters makes two keys
// for one page — nor one key for two.
func (pc *pageCache) keyOf(c *fiber.Ctx) (cacheKey, bool) {
	if m := c.Method(); m != fiber.MethodGet && m != fiber.MethodHead {
		return cacheKey{}, false
	}
	v := viewerOf(c)
	rule, ok := routeOf(c)
	if v == nil || !ok || !rule.cache.perRole {
		return cacheKey{}, false
	}
	args := c.Request().URI().QueryArgs()
	if q := rule.cache.unlessQuery; q != "" && args.Has(q) {
		return cacheKey{}, false
	}
	local, foreign := pc.version(rule.cache.reads())
	rest := langOf(c) + "|" + c.Method() + "|" + rule.canonicalPath(c.Path()) + "?" + sortedQuery(args.VisitAll)
	return cacheKey{
		key:   v.Role + "|" + strconv.FormatUint(local+foreign, 10) + "|" + rest,
		page:  v.Role + "|" + rest,
		local: local,
	}, true
}

// cacheKey is where a response is kept: key, the page at one data version;
// page, the same without the version; local, the version's count of this
// process's own writes.
type cacheKey struct {
	key, page string
	local     uint64
}

// sortedQuery returns a query string with its parameters sorted by name.
// Repeated parameters keep their order: a handler reads the first one.
func sortedQuery(visitAll func(func(k, v []byte))) string {
	type param struct{ k, v string }
	var ps []param
	visitAll(func(k, v []byte) { ps = append(ps, param{string(k), string(v)}) })
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].k < ps[j].k })
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.k))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p.v))
	}
	return b.String()
}

package main

// The harness of the cluster tests (cluster_test.go): the ecopulse binary
// built once, its processes (replicas of `serve` and one-off commands),
// a GitHub-like server replaying a recorded listing, a webhook receiver,
// and an HTTP client with a cookie jar.

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
)

// clusterLeaseTTL is the job lease of the replicas under test, short so
// that a takeover happens within the test's time ($ECOPULSE_JOB_LEASE, a
// Go duration).
const clusterLeaseTTL = 5 * time.Second

var clusterBin struct {
	once sync.Once
	path string
	err  error
}

// clusterBinary builds ./ecopulse once per test binary, beside the test
// binary when `go test` built that in its work directory (removed at
// exit), else in a temporary directory of the test.
func clusterBinary(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go") // go test puts its own toolchain first on the PATH
	if err != nil {
		t.Skip("no go tool to build the binary")
	}
	clusterBin.once.Do(func() {
		dir := filepath.Dir(os.Args[0])
		if !strings.Contains(dir, "go-build") {
			if dir, clusterBin.err = os.MkdirTemp("", "ecopulse-cluster-bin"); clusterBin.err != nil {
				return
			}
		}
		clusterBin.path = filepath.Join(dir, "ecopulse")
		cmd := exec.Command(goTool, "build", "-o", clusterBin.path, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			clusterBin.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if clusterBin.err != nil {
		t.Fatal(clusterBin.err)
	}
	return clusterBin.path
}

// progress prints a line as the test goes (go test -v shows it at once;
// without -v, with the test's output when it fails).
func progress(t *testing.T, format string, args ...any) {
	t.Helper()
	t.Logf("[cluster %s] "+format, append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// syncBuffer is a bytes.Buffer safe to read while a process writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// proc is a running ecopulse process: a replica (`serve`) or a command.
type proc struct {
	name   string // the replica's name, or what the command does
	cmd    *exec.Cmd
	out    *syncBuffer
	done   chan struct{} // closed when it has exited
	err    error         // its exit, once done
	base   string        // a replica's http://host:port, once serving
	killed bool

	readyAt time.Time // when /readyz first answered 200 (its schedule runs from before)
	endedAt time.Time // when it exited, once done
}

// clusterEnv is the environment of every process: the test's, without the
// variables that would override the database, address or replica name,
// and with the short lease.
func clusterEnv(replica string) []string {
	var env []string
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "ECOPULSE_DB", "ECOPULSE_ADDR", "ECOPULSE_REPLICA", "ECOPULSE_JOB_LEASE":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "ECOPULSE_JOB_LEASE="+clusterLeaseTTL.String())
	if replica != "" {
		env = append(env, "ECOPULSE_REPLICA="+replica)
	}
	return env
}

// startProc starts the binary with args; the test's end kills what is
// still running.
func startProc(t *testing.T, bin, name, replica string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, cmd: exec.Command(bin, args...), out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Env = clusterEnv(replica)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); p.endedAt = time.Now(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(30 * time.Second):
				p.cmd.Process.Kill()
				<-p.done
			}
		}
	})
	return p
}

// startReplica starts `ecopulse serve` as the named replica on a port of
// its own.
func startReplica(t *testing.T, bin, name, config, db string, extra ...string) *proc {
	t.Helper()
	args := append([]string{"serve", "--config", config, "--db", db, "--addr", "127.0.0.1:0"}, extra...)
	return startProc(t, bin, name, name, args...)
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

var servingRE = regexp.MustCompile(`is serving on (http://[0-9.:]+)/`)

// probe is the client of the health checks.
var probe = &http.Client{Timeout: 5 * time.Second}

// waitReady waits until the replica serves and its /readyz answers 200.
func (p *proc) waitReady(bound time.Duration) error {
	deadline := time.Now().Add(bound)
	for time.Now().Before(deadline) {
		if p.exited() {
			return fmt.Errorf("replica %s exited (%v) before it was ready:\n%s", p.name, p.err, tail(p.out.String(), 3000))
		}
		if p.base == "" {
			if m := servingRE.FindStringSubmatch(p.out.String()); m != nil {
				p.base = m[1]
			}
		}
		if p.base != "" {
			if res, err := probe.Get(p.base + "/readyz"); err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					p.readyAt = time.Now()
					return nil
				}
			}
		}
		time.Sleep(50 * time.Millisecond) // poll interval
	}
	return fmt.Errorf("replica %s not ready within %v:\n%s", p.name, bound, tail(p.out.String(), 3000))
}

// wait waits for a command to end, at most bound.
func (p *proc) wait(bound time.Duration) error {
	select {
	case <-p.done:
		return p.err
	case <-time.After(bound):
		p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s still running after %v", p.name, bound)
	}
}

// sigkill kills the process at once: no shutdown, no cleanup.
func (p *proc) sigkill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
	p.killed = true
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// runBin runs the binary to its end (at most two minutes), stdin its
// standard input.
func runBin(t *testing.T, bin, stdin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = clusterEnv("")
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// ghReplay is a GitHub-like server replaying a recorded issue listing
// (octokit/fixtures' paginate-issues: 13 issues over 5 pages, Link
// headers) for any repository, and [] for every other listing. The first
// segment of a request's path says who asks (each replica's base_url ends
// with its name), so the test knows which process ran a collection. While
// held, requests for the pages after the first wait until released: a
// collection stops in its middle, one page committed.
type ghReplay struct {
	srv   *httptest.Server
	pages map[string]map[string]ghExchange // path → page → exchange

	mu       sync.Mutex
	held     chan struct{} // non-nil: later pages wait for it to close
	requests []ghRequest
}

type ghExchange struct {
	Path     string          `json:"path"`
	Status   int             `json:"status"`
	Response json.RawMessage `json:"response"`
	Headers  map[string]any  `json:"headers"`
}

type ghRequest struct {
	who, path, page string
	at              time.Time
	waiting         bool // held: it has not been answered (yet)
}

// newGHReplay serves the recording as the listing of repo, each issue's id
// shifted by idOffset: two sources replaying it store activities of their
// own (a GitHub activity is keyed by the issue's id, its thread by the
// repository).
func newGHReplay(t *testing.T, repo string, idOffset int64) *ghReplay {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("collectors", "github", "testdata", "octokit-paginate-issues.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exchanges []ghExchange
	if err := json.Unmarshal(raw, &exchanges); err != nil {
		t.Fatal(err)
	}
	g := &ghReplay{pages: map[string]map[string]ghExchange{}}
	for _, ex := range exchanges {
		var issues []map[string]any
		if err := json.Unmarshal(ex.Response, &issues); err != nil {
			t.Fatal(err)
		}
		for _, it := range issues {
			it["id"] = int64(it["id"].(float64)) + idOffset
		}
		resp, err := json.Marshal(issues)
		if err != nil {
			t.Fatal(err)
		}
		ex.Response = resp
		ex.Path = strings.Replace(ex.Path, "/repos/octokit-fixture-org/paginate-issues/", "/repos/"+repo+"/", 1)
		path, query, _ := strings.Cut(ex.Path, "?")
		q, err := url.ParseQuery(query)
		if err != nil {
			t.Fatal(err)
		}
		page := q.Get("page")
		if page == "" {
			page = "1"
		}
		if g.pages[path] == nil {
			g.pages[path] = map[string]ghExchange{}
		}
		g.pages[path][page] = ex
	}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(func() {
		g.release()
		g.srv.CloseClientConnections()
		g.srv.Close()
	})
	return g
}

// base is the base_url of the source as the process named who reads it.
func (g *ghReplay) base(who string) string { return g.srv.URL + "/" + who }

func (g *ghReplay) hold() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.held == nil {
		g.held = make(chan struct{})
	}
}

func (g *ghReplay) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.held != nil {
		close(g.held)
		g.held = nil
	}
}

// log returns the requests so far.
func (g *ghReplay) log() []ghRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]ghRequest(nil), g.requests...)
}

func (g *ghReplay) serve(w http.ResponseWriter, r *http.Request) {
	who, path, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	path = "/" + path
	page := r.URL.Query().Get("page")
	if page == "" {
		page = "1"
	}
	ex, recorded := g.pages[path][page]
	g.mu.Lock()
	held := g.held
	i := len(g.requests)
	g.requests = append(g.requests, ghRequest{who: who, path: path, page: page, at: time.Now(), waiting: recorded && held != nil && page != "1"})
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if !recorded {
		fmt.Fprint(w, `[]`)
		return
	}
	if held != nil && page != "1" {
		select {
		case <-held:
		case <-r.Context().Done():
			return
		}
		g.mu.Lock()
		g.requests[i].waiting = false
		g.mu.Unlock()
	}
	for k, v := range ex.Headers {
		if strings.EqualFold(k, "content-length") {
			continue
		}
		w.Header().Set(k, strings.ReplaceAll(fmt.Sprint(v), "https://api.github.com", g.base(who)))
	}
	w.WriteHeader(ex.Status)
	w.Write(ex.Response)
}

// webhook is a Slack-compatible receiver that takes 300 ms per message (as
// a real one may: the window in which two replicas both post an alert) and
// counts the messages by their text.
type webhook struct {
	srv       *httptest.Server
	accepting atomic.Bool // until accept, every message is refused (503)
	mu        sync.Mutex
	got       map[string]int
}

// accept makes the receiver take messages from now on: the alerts refused
// so far are pending, for every replica's next evaluation at once.
func (h *webhook) accept() { h.accepting.Store(true) }

func newWebhook(t *testing.T) *webhook {
	t.Helper()
	h := &webhook{got: map[string]int{}}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var msg struct {
			Text   string `json:"text"`
			Blocks []struct {
				Elements []struct {
					Text string `json:"text"`
				} `json:"elements"`
			} `json:"blocks"`
		}
		if err := json.NewDecoder(r.Body).Decode(&msg); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if !h.accepting.Load() {
			http.Error(w, "not yet", http.StatusServiceUnavailable)
			return
		}
		key := msg.Text // the alert's message, and its rule, subject and day:
		for _, b := range msg.Blocks {
			for _, e := range b.Elements {
				key += " | " + e.Text
			}
		}
		select {
		case <-time.After(300 * time.Millisecond): // a slow receiver, not a wait of the test
		case <-r.Context().Done():
			return
		}
		h.mu.Lock()
		h.got[key]++
		h.mu.Unlock()
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// received returns how many distinct alerts arrived and those that
// arrived more than once.
func (h *webhook) received() (distinct int, twice []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for k, n := range h.got {
		if n > 1 {
			twice = append(twice, fmt.Sprintf("%d× %s", n, k))
		}
	}
	return len(h.got), twice
}

// client is a browser: one cookie jar for every replica (they share one
// host, as behind one proxy), no redirects followed.
type client struct {
	http *http.Client
	jar  *cookiejar.Jar
}

func newClient(t *testing.T) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{jar: jar, http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) cookie(base, name string) string {
	u, _ := url.Parse(base)
	for _, ck := range c.jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// do sends a request (a JSON body when body is not nil, with the CSRF
// token) and returns the status and the body.
func (c *client) do(base, method, path string, body any) (int, string, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, "", err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return 0, "", err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != http.MethodGet {
		req.Header.Set("X-CSRF-Token", c.cookie(base, "ep_csrf"))
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, string(b), err
}

// login fetches the login form from one replica and posts it to another:
// the form's CSRF token and the session must hold on every replica.
func (c *client) login(formFrom, postTo, name, password string) error {
	if code, body, err := c.do(formFrom, http.MethodGet, "/login", nil); err != nil || code != http.StatusOK {
		return fmt.Errorf("GET /login: %d %v %s", code, err, tail(body, 300))
	}
	form := url.Values{"name": {name}, "password": {password}, "csrf": {c.cookie(formFrom, "ep_csrf")}}
	res, err := c.http.PostForm(postTo+"/login", form)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		b, _ := io.ReadAll(res.Body)
		return fmt.Errorf("POST /login: %d to %q: %s", res.StatusCode, res.Header.Get("Location"), tail(string(b), 300))
	}
	return nil
}

// reader opens the store read-only beside the processes, for counts.
func reader(t *testing.T, target string) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if data.IsPostgresURL(target) {
		db, err = data.OpenSQL(target) // the store's "?" placeholders
	} else {
		db, err = sql.Open("sqlite", "file:"+target+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t *testing.T, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// gunzipTo writes the decompressed gzip file src to dst.
func gunzipTo(t *testing.T, src, dst string) {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// midMinute waits until the clock is between 12 and 45 s past a minute,
// away from the minute's scheduled jobs (all on "* * * * *"), whose
// writes would refresh a replica's page cache by themselves.
func midMinute() {
	now := time.Now()
	switch minute := now.Truncate(time.Minute); {
	case now.Second() < 12:
		time.Sleep(time.Until(minute.Add(12 * time.Second)))
	case now.Second() >= 45:
		time.Sleep(time.Until(minute.Add(time.Minute + 12*time.Second)))
	}
}

// eventually polls cond every poll until it holds or bound passes.
func eventually(bound, poll time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(bound)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(poll) // poll interval
	}
}

package discourse

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/collectors"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/internal/fakeapi"
)

// t0 is where the tests' fake clock starts.
var t0 = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

// fakeClock is the clock and sleep of a Source under test: sleeping
// records the wait and moves the clock, instantly.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return ctx.Err()
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// fakeForum is the fake Discourse: an unrouted path answers Discourse's
// JSON 404.
type fakeForum struct{ *fakeapi.Server }

func newFakeForum(tb testing.TB) *fakeForum {
	tb.Helper()
	return &fakeForum{fakeapi.New(tb, fakeapi.Status(http.StatusNotFound,
		`{"errors":["The requested URL or resource could not be found."],"error_type":"not_found"}`))}
}

// pages serves /latest.json by its page parameter; missing pages are an
// empty topic list.
func (f *fakeForum) pages(bodies ...[]byte) {
	f.Handle("/latest.json", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.URL.Query().Get("page"), &n)
		if n < len(bodies) {
			fakeapi.JSON(bodies[n])(w, r)
			return
		}
		fakeapi.JSON([]byte(`{"users":[],"topic_list":{"can_create_topic":false,"per_page":30,"topics":[]}}`))(w, r)
	})
}

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// tp is a post of a test topic.
type tp struct {
	ID       int64
	User     string
	UserID   int64
	At       string
	PostType int // 0: regular
}

// topicBody builds a GET /t/{id}.json body holding the first chunk posts
// of posts (all when chunk is 0), with the full stream of post ids.
func topicBody(tb testing.TB, id int64, title string, chunk int, posts ...tp) []byte {
	tb.Helper()
	if chunk == 0 {
		chunk = len(posts)
	}
	var stream []int64
	var shown []map[string]any
	for i, p := range posts {
		stream = append(stream, p.ID)
		if i < chunk {
			shown = append(shown, postJSON(id, i+1, p))
		}
	}
	b, err := json.Marshal(map[string]any{
		"id": id, "title": title, "fancy_title": title, "posts_count": len(posts), "chunk_size": chunk,
		"archetype": "regular", "category_id": 4, "pinned": false, "visible": true,
		"post_stream": map[string]any{"posts": shown, "stream": stream},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func postJSON(topicID int64, number int, p tp) map[string]any {
	if p.PostType == 0 {
		p.PostType = 1
	}
	return map[string]any{
		"id": p.ID, "name": p.User, "username": p.User, "user_id": p.UserID, "created_at": p.At,
		"updated_at": p.At, "post_number": number, "post_type": p.PostType, "topic_id": topicID,
		"cooked": "<p>text</p>", "reply_to_post_number": nil, "deleted_at": nil, "trust_level": 1,
	}
}

// postsBody builds a GET /t/{id}/posts.json body for the posts of a topic
// whose ids are in ids.
func postsBody(tb testing.TB, topicID int64, ids []string, posts ...tp) []byte {
	tb.Helper()
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	var out []map[string]any
	for i, p := range posts {
		if want[fmt.Sprint(p.ID)] {
			out = append(out, postJSON(topicID, i+1, p))
		}
	}
	b, err := json.Marshal(map[string]any{"id": topicID, "post_stream": map[string]any{"posts": out}})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

type harness struct {
	db    *data.DB
	forum *fakeForum
	clock *fakeClock
	src   *Source
	env   collectors.Env
	logs  *syncBuffer
}

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

func newHarness(tb testing.TB, cfg Config) *harness {
	tb.Helper()
	h := &harness{db: datatest.MustOpenDB(tb), forum: newFakeForum(tb), clock: &fakeClock{now: t0}, logs: &syncBuffer{}}
	h.env = collectors.Env{DB: h.db, Name: "forum", Log: slog.New(slog.NewTextHandler(h.logs, nil)), Now: h.clock.Now}
	h.src = h.newSource(tb, cfg, nil)
	return h
}

func (h *harness) newSource(tb testing.TB, cfg Config, client *http.Client) *Source {
	tb.Helper()
	if cfg.BaseURL == "" {
		cfg.BaseURL = h.forum.URL
	}
	if client == nil && cfg.Timeout == 0 {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	src, err := New(cfg, client)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	src.Sleep = h.clock.Sleep
	src.Now = h.clock.Now
	return src
}

func (h *harness) setCursor(tb testing.TB, c string) {
	tb.Helper()
	if err := h.db.SetCursor(context.Background(), h.env.Name, c); err != nil {
		tb.Fatal(err)
	}
}

func (h *harness) cursor(tb testing.TB) *cursor {
	tb.Helper()
	raw, err := h.db.Cursor(context.Background(), h.env.Name)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := parseCursor(raw)
	if err != nil {
		tb.Fatalf("cursor %q: %v", raw, err)
	}
	return c
}

func (h *harness) collect(tb testing.TB) (collectors.Stats, error) {
	tb.Helper()
	return h.src.Collect(context.Background(), h.env)
}

func (h *harness) mustCollect(tb testing.TB) collectors.Stats {
	tb.Helper()
	st, err := h.collect(tb)
	if err != nil {
		tb.Fatalf("Collect: %v", err)
	}
	return st
}

package discourse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ecopulse/ecopulse/collectors"
	"github.com/ecopulse/ecopulse/collectors/httpx"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/internal/fakeapi"
)

// lt is a topic of a test listing.
type lt struct {
	ID     int64
	Title  string
	Last   string // last_posted_at; "" for null
	Pinned bool
	Cat    int
}

// latestBody builds a GET /latest.json body in Discourse's shape.
func latestBody(tb testing.TB, more string, topics ...lt) []byte {
	tb.Helper()
	var ts []map[string]any
	for _, t := range topics {
		var last any
		if t.Last != "" {
			last = t.Last
		}
		ts = append(ts, map[string]any{
			"id": t.ID, "title": t.Title, "fancy_title": t.Title, "slug": "t", "posts_count": 1,
			"created_at": "2024-01-01T00:00:00.000Z", "last_posted_at": last, "bumped": true,
			"bumped_at": cmpOr(t.Last, "2024-01-01T00:00:00.000Z"), "pinned": t.Pinned, "visible": true,
			"category_id": cmpOr(t.Cat, 4), "posters": []any{},
		})
	}
	tl := map[string]any{"can_create_topic": false, "per_page": 30, "topics": ts}
	if more != "" {
		tl["more_topics_url"] = more
	}
	b, err := json.Marshal(map[string]any{"users": []any{}, "topic_list": tl})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func paths(reqs []*http.Request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.URL.Path)
	}
	return out
}

func latestPages(f *fakeForum) []string {
	var out []string
	for _, r := range f.Requests("/latest.json") {
		out = append(out, r.URL.Query().Get("page"))
	}
	return out
}

// topicFetches lists the /t/{id}.json requests in order.
func topicFetches(f *fakeForum) []string {
	var out []string
	for _, p := range paths(f.AllRequests()) {
		if strings.HasPrefix(p, "/t/") && strings.HasSuffix(p, ".json") && !strings.HasSuffix(p, "/posts.json") {
			out = append(out, p)
		}
	}
	return out
}

func TestDiscourseAPIFixtures(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.forum.pages(readTestdata(t, "discourse_api/latest.json"))
	h.forum.Handle("/t/1.json", fakeapi.JSON(readTestdata(t, "discourse_api/topic.json")))

	st := h.mustCollect(t)

	// more_topics_url ("/latest.json?page=1") is followed; page 1 is empty.
	if got, want := latestPages(h.forum), []string{"", "1"}; !slices.Equal(got, want) {
		t.Errorf("listing pages %q, want %q", got, want)
	}
	for _, r := range h.forum.Requests("/latest.json") {
		if got, want := r.URL.Query().Get("order"), "activity"; got != want {
			t.Errorf("order = %q, want %q", got, want)
		}
	}
	// The fixture lists topic id 1 three times: it is read once.
	if got, want := topicFetches(h.forum), []string{"/t/1.json"}; !slices.Equal(got, want) {
		t.Errorf("topic fetches %q, want %q", got, want)
	}
	if got := len(h.forum.Requests("/t/1/posts.json")); got != 0 {
		t.Errorf("%d posts.json requests for a topic whose posts all came with it", got)
	}
	acts := datatest.Activities(t, h.db)
	type want struct{ kind, actor, at, title string }
	for id, w := range map[string]want{
		"post:83":  {domain.ActThreadOpened, "samsaffron", "2013-02-04T20:26:26Z", "THIS SITE IS A SANDBOX -- it is reset every day"},
		"post:86":  {domain.ActReply, "stienman", "2013-02-04T20:29:00Z", ""},
		"post:226": {domain.ActReply, "splattne", "2013-02-05T17:14:17Z", ""},
	} {
		a, ok := acts[id]
		if !ok {
			t.Errorf("%s not stored", id)
			continue
		}
		if got := (want{a.Kind, a.Actor, a.At.Format(time.RFC3339), a.Title}); got != w {
			t.Errorf("%s = %+v, want %+v", id, got, w)
		}
		if got, want := a.Thread, "discourse:topic/1"; got != want {
			t.Errorf("%s thread = %q, want %q", id, got, want)
		}
		if got, want := a.Source, SourceName; got != want {
			t.Errorf("%s source = %q, want %q", id, got, want)
		}
		if a.Bot {
			t.Errorf("%s marked as a bot", id)
		}
	}
	// Post 84 is a moderator action ("This topic is now pinned."): not a reply.
	if _, ok := acts["post:84"]; ok {
		t.Error("post 84, a moderator action, was stored")
	}
	if got, want := len(acts), 3; got != want {
		t.Errorf("stored %d activities, want %d", got, want)
	}
	if got, want := st.Stored, int64(3); got != want {
		t.Errorf("Stats.Stored = %d, want %d", got, want)
	}
	c := h.cursor(t)
	if got, want := c.Since, "2013-02-05T17:14:17.364Z"; got != want {
		t.Errorf("cursor since = %q, want %q", got, want)
	}
	if got, want := c.Done, []int64{1}; !slices.Equal(got, want) {
		t.Errorf("cursor done = %v, want %v", got, want)
	}
}

func TestPostsBeyondFirstChunkFromFixture(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	var topic map[string]any
	if err := json.Unmarshal(readTestdata(t, "discourse_api/topic.json"), &topic); err != nil {
		t.Fatal(err)
	}
	// One more post than the first chunk carried: its id is in the stream.
	ps := topic["post_stream"].(map[string]any)
	ps["stream"] = append(ps["stream"].([]any), 123456)
	topic["posts_count"] = 5
	body, err := json.Marshal(topic)
	if err != nil {
		t.Fatal(err)
	}
	h.forum.pages(latestBody(t, "", lt{ID: 57, Title: "Sandbox", Last: "2020-01-27T11:32:03.646Z"}))
	h.forum.Handle("/t/57.json", fakeapi.JSON(body))
	h.forum.Handle("/t/57/posts.json", fakeapi.JSON(readTestdata(t, "discourse_api/topic_posts.json")))

	h.mustCollect(t)

	reqs := h.forum.Requests("/t/57/posts.json")
	if got, want := len(reqs), 1; got != want {
		t.Fatalf("%d posts.json requests, want %d", got, want)
	}
	if got, want := reqs[0].URL.Query()["post_ids[]"], []string{"123456"}; !slices.Equal(got, want) {
		t.Errorf("post_ids[] = %q, want %q", got, want)
	}
	a, ok := datatest.Activities(t, h.db)["post:123456"]
	if !ok {
		t.Fatal("post beyond the first chunk not stored")
	}
	if got, want := a.Actor, "Some-username"; got != want {
		t.Errorf("actor %q, want %q", got, want)
	}
	if got, want := a.Kind, domain.ActReply; got != want {
		t.Errorf("kind %q, want %q", got, want)
	}
}

func TestPostsBeyondChunkSize(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	var posts []tp
	for i := range 45 {
		posts = append(posts, tp{ID: int64(1000 + i), User: fmt.Sprintf("user%d", i%7), UserID: int64(10 + i%7),
			At: time.Date(2024, 5, 1, 0, i, 0, 0, time.UTC).Format(time.RFC3339Nano)})
	}
	h.forum.pages(latestBody(t, "", lt{ID: 30, Title: "Long thread", Last: posts[44].At}))
	h.forum.Handle("/t/30.json", fakeapi.JSON(topicBody(t, 30, "Long thread", 20, posts...)))
	h.forum.Handle("/t/30/posts.json", func(w http.ResponseWriter, r *http.Request) {
		fakeapi.JSON(postsBody(t, 30, r.URL.Query()["post_ids[]"], posts...))(w, r)
	})

	st := h.mustCollect(t)

	reqs := h.forum.Requests("/t/30/posts.json")
	if got, want := len(reqs), 2; got != want {
		t.Fatalf("%d posts.json requests, want %d (25 posts beyond the first 20, chunks of 20)", got, want)
	}
	var asked []string
	for _, r := range reqs {
		asked = append(asked, r.URL.Query()["post_ids[]"]...)
	}
	var want []string
	for _, p := range posts[20:] {
		want = append(want, fmt.Sprint(p.ID))
	}
	if !slices.Equal(asked, want) {
		t.Errorf("asked post ids %q, want %q", asked, want)
	}
	if got, want := len(reqs[0].URL.Query()["post_ids[]"]), 20; got != want {
		t.Errorf("first chunk asked %d posts, want %d", got, want)
	}
	acts := datatest.Activities(t, h.db)
	if got, want := len(acts), 45; got != want {
		t.Errorf("stored %d activities, want %d", got, want)
	}
	if got, want := acts["post:1000"].Kind, domain.ActThreadOpened; got != want {
		t.Errorf("first post kind %q, want %q", got, want)
	}
	if got, want := acts["post:1044"].Kind, domain.ActReply; got != want {
		t.Errorf("last post kind %q, want %q", got, want)
	}
	if got, want := st.Read, int64(45); got != want {
		t.Errorf("read %d, want %d", got, want)
	}
}

func TestPinnedTopicsSkippedWithoutStopping(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.setCursor(t, `{"v":1,"since":"2024-05-15T00:00:00Z"}`)
	h.forum.pages(readTestdata(t, "latest_pinned_p0.json"), readTestdata(t, "latest_pinned_p1.json"), readTestdata(t, "latest_pinned_p2.json"))
	for _, id := range []int64{10, 11, 12, 13, 14, 15, 16, 17} {
		h.forum.Handle(fmt.Sprintf("/t/%d.json", id), fakeapi.JSON(topicBody(t, id, fmt.Sprintf("Topic %d", id), 0,
			tp{ID: id * 100, User: "alice", UserID: 5, At: "2024-05-16T01:00:00.000Z"})))
	}

	h.mustCollect(t)

	// Page 0 opens with an old pinned topic (10): skipped, paging goes on.
	// Page 2 has nothing new: page 3 is never asked for.
	if got, want := latestPages(h.forum), []string{"", "1", "2"}; !slices.Equal(got, want) {
		t.Errorf("listing pages %q, want %q", got, want)
	}
	// New topics, oldest first: 14, 13, the new pinned 11, 12.
	if got, want := topicFetches(h.forum), []string{"/t/14.json", "/t/13.json", "/t/11.json", "/t/12.json"}; !slices.Equal(got, want) {
		t.Errorf("topic fetches %q, want %q", got, want)
	}
	c := h.cursor(t)
	if got, want := c.Since, "2024-05-21T09:00:00Z"; got != want {
		t.Errorf("cursor since = %q, want %q", got, want)
	}
	if got, want := c.Done, []int64{12}; !slices.Equal(got, want) {
		t.Errorf("cursor done = %v, want %v", got, want)
	}

	// Nothing new: one listing page, no topic.
	before := len(h.forum.AllRequests())
	h.mustCollect(t)
	if got, want := paths(h.forum.AllRequests()[before:]), []string{"/latest.json"}; !slices.Equal(got, want) {
		t.Errorf("second run asked %q, want %q", got, want)
	}
}

func TestNullLastPostedAtSkipped(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.forum.pages(readTestdata(t, "latest_null_last_posted.json"))
	h.forum.Handle("/t/21.json", fakeapi.JSON(topicBody(t, 21, "Widget theming", 0,
		tp{ID: 2101, User: "alice", UserID: 5, At: "2024-05-01T09:00:00.000Z"},
		tp{ID: 2102, User: "bob", UserID: 6, At: "2024-05-01T10:00:00.000Z"})))

	h.mustCollect(t)

	if got, want := topicFetches(h.forum), []string{"/t/21.json"}; !slices.Equal(got, want) {
		t.Errorf("topic fetches %q, want %q", got, want)
	}
	if got, want := len(datatest.Activities(t, h.db)), 2; got != want {
		t.Errorf("stored %d activities, want %d", got, want)
	}
	logs := h.logs.String()
	if !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "last_posted_at") || !strings.Contains(logs, "topic=20") {
		t.Errorf("no warning about topic 20 in logs:\n%s", logs)
	}
}

func TestIncrementalAndTies(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	const tie = "2024-05-02T10:00:00.000Z"
	listing := []lt{{ID: 2, Title: "B", Last: tie}, {ID: 1, Title: "A", Last: tie}}
	h.forum.Handle("/latest.json", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") != "" {
			fakeapi.JSON(latestBody(t, ""))(w, r)
			return
		}
		fakeapi.JSON(latestBody(t, "", listing...))(w, r)
	})
	h.forum.Handle("/t/1.json", fakeapi.JSON(topicBody(t, 1, "A", 0, tp{ID: 11, User: "alice", UserID: 5, At: tie})))
	h.forum.Handle("/t/2.json", fakeapi.Sequence(
		fakeapi.Status(http.StatusBadGateway, "<html>502 Bad Gateway</html>"),
		fakeapi.JSON(topicBody(t, 2, "B", 0, tp{ID: 21, User: "bob", UserID: 6, At: tie}))))

	// Run 1: topic 1 is stored, topic 2 fails (transient).
	_, err := h.collect(t)
	if transient, _ := collectors.IsTransient(err); !transient {
		t.Fatalf("err = %v, want transient", err)
	}
	c := h.cursor(t)
	if got, want := c.Done, []int64{1}; c.Since != "2024-05-02T10:00:00Z" || !slices.Equal(got, want) {
		t.Errorf("cursor after run 1 = %+v, want since 2024-05-02T10:00:00Z done [1]", c)
	}
	// Run 2: topic 1 has the cursor's time but is done: only topic 2.
	before := len(topicFetches(h.forum))
	h.mustCollect(t)
	if got, want := topicFetches(h.forum)[before:], []string{"/t/2.json"}; !slices.Equal(got, want) {
		t.Errorf("run 2 fetched %q, want %q", got, want)
	}
	// Run 3: a new topic; the others are not fetched again.
	listing = append([]lt{{ID: 3, Title: "C", Last: "2024-05-03T10:00:00.000Z"}}, listing...)
	h.forum.Handle("/t/3.json", fakeapi.JSON(topicBody(t, 3, "C", 0, tp{ID: 31, User: "carol", UserID: 7, At: "2024-05-03T10:00:00.000Z"})))
	before = len(topicFetches(h.forum))
	st := h.mustCollect(t)
	if got, want := topicFetches(h.forum)[before:], []string{"/t/3.json"}; !slices.Equal(got, want) {
		t.Errorf("run 3 fetched %q, want %q", got, want)
	}
	if got, want := st.Stored, int64(1); got != want {
		t.Errorf("run 3 stored %d, want %d", got, want)
	}
	if got, want := len(datatest.Activities(t, h.db)), 3; got != want {
		t.Errorf("stored %d activities, want %d", got, want)
	}
}

func TestRateLimiterSpacing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.src = h.newSource(t, Config{RequestsPerMinute: 30}, nil) // one request every 2 s
	// Each request takes 500 ms of the fake clock.
	latency := func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			h.clock.Advance(500 * time.Millisecond)
			next(w, r)
		}
	}
	h.forum.Handle("/latest.json", latency(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") != "" {
			fakeapi.JSON(latestBody(t, ""))(w, r)
			return
		}
		fakeapi.JSON(latestBody(t, "", lt{ID: 1, Title: "A", Last: "2024-05-01T00:00:00Z"}))(w, r)
	}))
	h.forum.Handle("/t/1.json", latency(fakeapi.JSON(topicBody(t, 1, "A", 0, tp{ID: 11, User: "alice", UserID: 5, At: "2024-05-01T00:00:00Z"}))))

	h.mustCollect(t)

	// Requests at 0 s, 2 s, 4 s: after each 500 ms request, 1.5 s to wait.
	if got, want := h.clock.Slept(), []time.Duration{1500 * time.Millisecond, 1500 * time.Millisecond}; !slices.Equal(got, want) {
		t.Errorf("slept %v, want %v", got, want)
	}
	if got, want := len(h.forum.AllRequests()), 3; got != want {
		t.Errorf("%d requests, want %d", got, want)
	}
	// The pacing holds across runs: the next request is due at 6 s, the
	// clock says 4.5 s.
	h.mustCollect(t)
	if got, want := h.clock.Slept()[2], 1500*time.Millisecond; got != want {
		t.Errorf("first wait of run 2 = %v, want %v", got, want)
	}
}

func TestRateLimited429(t *testing.T) {
	t.Parallel()
	listing := func(t *testing.T) []byte { return latestBody(t, "") }
	limited := `{"errors":["You’ve performed this action too many times. Please wait 5 seconds before trying again."],"error_type":"rate_limit","extras":{"wait_seconds":5,"time_left":"5 seconds"}}`

	t.Run("Retry-After waited out", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, Config{RequestsPerMinute: 6000})
		h.forum.Handle("/latest.json", fakeapi.Sequence(fakeapi.Status(http.StatusTooManyRequests, limited, "Retry-After", "5"), fakeapi.JSON(listing(t))))
		h.mustCollect(t)
		if got := h.clock.Slept(); !slices.Contains(got, 5*time.Second) {
			t.Errorf("slept %v, want a 5s wait", got)
		}
		if got, want := len(h.forum.Requests("/latest.json")), 2; got != want {
			t.Errorf("%d listing requests, want %d", got, want)
		}
	})
	t.Run("wait_seconds without Retry-After", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, Config{RequestsPerMinute: 6000})
		h.forum.Handle("/latest.json", fakeapi.Sequence(fakeapi.Status(http.StatusTooManyRequests, strings.ReplaceAll(limited, `"wait_seconds":5`, `"wait_seconds":9`)), fakeapi.JSON(listing(t))))
		h.mustCollect(t)
		if got := h.clock.Slept(); !slices.Contains(got, 9*time.Second) {
			t.Errorf("slept %v, want a 9s wait", got)
		}
	})
	t.Run("long wait is transient", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, Config{})
		h.forum.Handle("/latest.json", fakeapi.Status(http.StatusTooManyRequests, limited, "Retry-After", "600"))
		_, err := h.collect(t)
		transient, wait := collectors.IsTransient(err)
		if !transient || wait != 10*time.Minute {
			t.Errorf("IsTransient(%v) = %v, %v; want true, 10m0s", err, transient, wait)
		}
	})
}

func TestServerErrorThenSuccess(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.forum.Handle("/latest.json", fakeapi.Sequence(
		fakeapi.Status(http.StatusServiceUnavailable, "<html>down for maintenance</html>"),
		fakeapi.JSON(latestBody(t, "", lt{ID: 1, Title: "A", Last: "2024-05-01T00:00:00Z"})),
		fakeapi.JSON(latestBody(t, ""))))
	h.forum.Handle("/t/1.json", fakeapi.JSON(topicBody(t, 1, "A", 0, tp{ID: 11, User: "alice", UserID: 5, At: "2024-05-01T00:00:00Z"})))
	var waits []time.Duration
	runner := collectors.Runner{DB: h.db, Log: h.env.Log, Now: h.clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }}

	run, err := runner.Run(context.Background(), h.env.Name, h.src)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got, want := run.Status, domain.RunSucceeded; got != want {
		t.Errorf("status %q, want %q", got, want)
	}
	if got, want := len(waits), 1; got != want {
		t.Errorf("runner retried %d times, want %d", got, want)
	}
	runs, err := h.db.RunsOf(context.Background(), h.env.Name, 5)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := runs[0].Status, domain.RunSucceeded; got != want {
		t.Errorf("recorded status %q, want %q", got, want)
	}
	if got, want := runs[0].ItemsStored, int64(1); got != want {
		t.Errorf("recorded items stored %d, want %d", got, want)
	}
}

func TestHangingServerTimesOut(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.forum.Handle("/latest.json", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	h.src = h.newSource(t, Config{Timeout: 50 * time.Millisecond}, nil) // the source's own client, with the configured timeout
	_, err := h.collect(t)
	if transient, _ := collectors.IsTransient(err); !transient {
		t.Fatalf("err = %v, want transient", err)
	}
}

func TestMalformedTopicCommitsNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.forum.pages(latestBody(t, "",
		lt{ID: 2, Title: "B", Last: "2024-05-02T00:00:00Z"},
		lt{ID: 1, Title: "A", Last: "2024-05-01T00:00:00Z"}))
	h.forum.Handle("/t/1.json", fakeapi.JSON(topicBody(t, 1, "A", 0, tp{ID: 11, User: "alice", UserID: 5, At: "2024-05-01T00:00:00Z"})))
	good := topicBody(t, 2, "B", 0, tp{ID: 21, User: "bob", UserID: 6, At: "2024-05-01T12:00:00Z"}, tp{ID: 22, User: "carol", UserID: 7, At: "2024-05-02T00:00:00Z"})
	h.forum.Handle("/t/2.json", fakeapi.Sequence(fakeapi.JSON(good[:len(good)/2]), fakeapi.JSON(good)))

	_, err := h.collect(t)
	if err == nil {
		t.Fatal("no error")
	}
	var me *httpx.MalformedError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "/t/2.json") {
		t.Errorf("err = %v, want a malformed-JSON error naming /t/2.json", err)
	}
	if transient, _ := collectors.IsTransient(err); transient {
		t.Errorf("err %v is transient, want permanent", err)
	}
	acts := datatest.Activities(t, h.db)
	if got, want := len(acts), 1; got != want {
		t.Errorf("stored %d activities, want %d (topic 1 only)", got, want)
	}
	if got, want := h.cursor(t).Since, "2024-05-01T00:00:00Z"; got != want {
		t.Errorf("cursor since = %q, want %q", got, want)
	}
	// Fixed upstream: the next run takes the topic up.
	if got, want := h.mustCollect(t).Stored, int64(2); got != want {
		t.Errorf("run 2 stored %d, want %d", got, want)
	}
}

func TestTopicGoneIsSkipped(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.forum.pages(latestBody(t, "", lt{ID: 9, Title: "Deleted", Last: "2024-05-01T00:00:00Z"}))
	st := h.mustCollect(t)
	if got, want := st.Stored, int64(0); got != want {
		t.Errorf("stored %d, want %d", got, want)
	}
	if got, want := h.cursor(t).Since, "2024-05-01T00:00:00Z"; got != want {
		t.Errorf("cursor since = %q, want %q", got, want)
	}
	if !strings.Contains(h.logs.String(), "topic skipped") {
		t.Errorf("no warning logged:\n%s", h.logs.String())
	}
}

func TestBotsAndActions(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.forum.pages(latestBody(t, "", lt{ID: 5, Title: "Welcome", Last: "2024-05-01T05:00:00Z"}))
	h.forum.Handle("/t/5.json", fakeapi.JSON(topicBody(t, 5, "Welcome", 0,
		tp{ID: 51, User: "system", UserID: -1, At: "2024-05-01T00:00:00Z"},
		tp{ID: 52, User: "discobot", UserID: -2, At: "2024-05-01T01:00:00Z"},
		tp{ID: 53, User: "alice", UserID: 5, At: "2024-05-01T02:00:00Z"},
		tp{ID: 54, User: "forum-helper", UserID: -7, At: "2024-05-01T03:00:00Z"},
		tp{ID: 55, User: "moderator", UserID: 2, At: "2024-05-01T04:00:00Z", PostType: 3}, // "closed this topic"
		tp{ID: 56, User: "bob", UserID: 6, At: "2024-05-01T05:00:00Z", PostType: 4},       // whisper
	)))

	h.mustCollect(t)

	acts := datatest.Activities(t, h.db)
	for id, want := range map[string]bool{"post:51": true, "post:52": true, "post:53": false, "post:54": true, "post:56": false} {
		a, ok := acts[id]
		if !ok {
			t.Errorf("%s not stored", id)
			continue
		}
		if a.Bot != want {
			t.Errorf("%s (%s) bot = %v, want %v", id, a.Actor, a.Bot, want)
		}
	}
	if _, ok := acts["post:55"]; ok {
		t.Error("a small action was stored as a reply")
	}
	if got, want := acts["post:51"].Kind, domain.ActThreadOpened; got != want {
		t.Errorf("first post kind %q, want %q", got, want)
	}
}

func TestAPIKeyHeaders(t *testing.T) {
	const envName = "ECOPULSE_TEST_DISCOURSE_KEY"
	t.Setenv(envName, "k3y")
	h := newHarness(t, Config{})
	h.src = h.newSource(t, Config{APIKeyEnv: envName, APIUsername: "system"}, nil)
	h.forum.pages(latestBody(t, ""))
	h.mustCollect(t)
	anon := h.newSource(t, Config{}, nil)
	before := len(h.forum.AllRequests())
	if _, err := anon.Collect(context.Background(), h.env); err != nil {
		t.Fatal(err)
	}
	for i, r := range h.forum.AllRequests() {
		key, user := "k3y", "system"
		if i >= before {
			key, user = "", ""
		}
		if got := r.Header.Get("Api-Key"); got != key {
			t.Errorf("request %d Api-Key = %q, want %q", i, got, key)
		}
		if got := r.Header.Get("Api-Username"); got != user {
			t.Errorf("request %d Api-Username = %q, want %q", i, got, user)
		}
		if got, want := r.Header.Get("Accept"), "application/json"; got != want {
			t.Errorf("request %d Accept = %q, want %q", i, got, want)
		}
	}
}

func TestCategoriesFilter(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.src = h.newSource(t, Config{Categories: []int{4}}, nil)
	h.setCursor(t, `{"v":1,"since":"2024-05-15T00:00:00Z"}`)
	h.forum.pages(readTestdata(t, "latest_pinned_p0.json"), readTestdata(t, "latest_pinned_p1.json"), readTestdata(t, "latest_pinned_p2.json"))
	for _, id := range []int64{12, 14} {
		h.forum.Handle(fmt.Sprintf("/t/%d.json", id), fakeapi.JSON(topicBody(t, id, "T", 0, tp{ID: id * 100, User: "alice", UserID: 5, At: "2024-05-16T01:00:00Z"})))
	}
	h.mustCollect(t)
	if got, want := topicFetches(h.forum), []string{"/t/14.json", "/t/12.json"}; !slices.Equal(got, want) {
		t.Errorf("topic fetches %q, want %q (category 4 only)", got, want)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"minimal", Config{BaseURL: "https://forum.example.com"}, true},
		{"full", Config{BaseURL: "https://forum.example.com/", APIKeyEnv: "K", APIUsername: "system", Categories: []int{1, 4}, RequestsPerMinute: 120, MaxWait: time.Minute}, true},
		{"no url", Config{}, false},
		{"relative url", Config{BaseURL: "forum.example.com"}, false},
		{"query", Config{BaseURL: "https://forum.example.com/?x=1"}, false},
		{"negative rate", Config{BaseURL: "https://f.example", RequestsPerMinute: -1}, false},
		{"negative wait", Config{BaseURL: "https://f.example", MaxWait: -time.Second}, false},
		{"timeout", Config{BaseURL: "https://f.example", Timeout: 5 * time.Second}, true},
		{"negative timeout", Config{BaseURL: "https://f.example", Timeout: -time.Second}, false},
		{"timeout too long", Config{BaseURL: "https://f.example", Timeout: time.Hour}, false},
		{"username without key", Config{BaseURL: "https://f.example", APIUsername: "system"}, false},
		{"bad category", Config{BaseURL: "https://f.example", Categories: []int{0}}, false},
	} {
		err := tc.cfg.Validate()
		if got := err == nil; got != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s: code %q, want %q", tc.name, domain.ErrorCode(err), domain.EINVALID)
		}
		if _, nerr := New(tc.cfg, nil); (nerr == nil) != tc.ok {
			t.Errorf("%s: New error %v, want ok=%v", tc.name, nerr, tc.ok)
		}
	}
}

func TestConfigYAML(t *testing.T) {
	t.Parallel()
	const doc = `
base_url: https://forum.example.com
api_key_env: DISCOURSE_API_KEY
api_username: system
categories: [4, 7]
requests_per_minute: 30
max_wait: 2m
`
	var cfg Config
	dec := yaml.NewDecoder(strings.NewReader(doc))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		t.Fatal(err)
	}
	want := Config{BaseURL: "https://forum.example.com", APIKeyEnv: "DISCOURSE_API_KEY", APIUsername: "system",
		Categories: []int{4, 7}, RequestsPerMinute: 30, MaxWait: 2 * time.Minute}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("decoded %+v, want %+v", cfg, want)
	}
	if err := cfg.Validate(); err != nil {
		t.Error(err)
	}
}

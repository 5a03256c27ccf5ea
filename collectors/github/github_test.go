package github

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
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

// replayOctokit serves an octokit/fixtures scenario: each recorded exchange
// under its path (and page), with its status and headers, api.github.com
// rewritten to the test server.
func replayOctokit(tb testing.TB, f *fakeAPI, name string) {
	tb.Helper()
	var exchanges []struct {
		Path     string          `json:"path"`
		Status   int             `json:"status"`
		Response json.RawMessage `json:"response"`
		Headers  map[string]any  `json:"headers"`
	}
	if err := json.Unmarshal(readTestdata(tb, name), &exchanges); err != nil {
		tb.Fatal(err)
	}
	byPath := map[string]map[string]func(http.ResponseWriter){}
	for _, ex := range exchanges {
		path, query, _ := strings.Cut(ex.Path, "?")
		q := parseQuery(tb, query)
		page := q.Get("page")
		if page == "" {
			page = "1"
		}

		if byPath[path] == nil {
			byPath[path] = map[string]func(http.ResponseWriter){}
		}
		byPath[path][page] = func(w http.ResponseWriter) {
			for k, v := range ex.Headers {
				if strings.EqualFold(k, "content-length") {
					continue
				}
				w.Header().Set(k, strings.ReplaceAll(fmt.Sprint(v), "https://api.github.com", f.URL))
			}
			w.WriteHeader(ex.Status)
			w.Write(ex.Response)
		}
	}
	for path, pages := range byPath {
		f.Handle(path, func(w http.ResponseWriter, r *http.Request) {
			page := r.URL.Query().Get("page")
			if page == "" {
				page = "1"
			}
			serve, ok := pages[page]
			if !ok {
				tb.Errorf("unrecorded page %q of %s", page, path)
				http.NotFound(w, r)
				return
			}
			serve(w)
		})
	}
}

func parseQuery(tb testing.TB, q string) url.Values {
	tb.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func TestLinkPaginationOctokitFixture(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Repos: []string{"octokit-fixture-org/paginate-issues"}, PerPage: 3})
	replayOctokit(t, h.api, "octokit-paginate-issues.json")

	st := h.mustCollect(t)

	acts := datatest.Activities(t, h.db)
	if got, want := len(acts), 13; got != want {
		t.Fatalf("stored %d activities, want %d (13 issues over 5 pages)", got, want)
	}
	if got, want := st.Stored, int64(13); got != want {
		t.Errorf("Stats.Stored = %d, want %d", got, want)
	}
	for n := 1; n <= 13; n++ {
		a, ok := acts[fmt.Sprintf("issue:%d", 1000+13-n)]
		if !ok {
			t.Errorf("issue #%d (id %d) not stored", n, 1000+13-n)
			continue
		}
		if got, want := a.Kind, domain.ActThreadOpened; got != want {
			t.Errorf("issue #%d kind = %q, want %q", n, got, want)
		}
		if got, want := a.Thread, fmt.Sprintf("github:octokit-fixture-org/paginate-issues#%d", n); got != want {
			t.Errorf("issue #%d thread = %q, want %q", n, got, want)
		}
		if got, want := a.Title, fmt.Sprintf("Test issue %d", n); got != want {
			t.Errorf("issue #%d title = %q, want %q", n, got, want)
		}
		if got, want := a.Actor, "octokit-fixture-user-a"; got != want {
			t.Errorf("issue #%d actor = %q, want %q", n, got, want)
		}
		if got, want := a.At, mustTime(t, "2017-10-10T16:00:00Z"); !got.Equal(want) {
			t.Errorf("issue #%d at = %v, want %v", n, got, want)
		}
	}

	first := h.api.Requests("/repos/octokit-fixture-org/paginate-issues/issues")
	if got, want := len(first), 1; got != want {
		t.Fatalf("%d requests for the first page, want %d", got, want)
	}
	q := first[0].URL.Query()
	for k, want := range map[string]string{"state": "all", "sort": "updated", "direction": "asc", "per_page": "3", "since": ""} {
		if got := q.Get(k); got != want {
			t.Errorf("first page %s = %q, want %q", k, got, want)
		}
	}
	for k, want := range map[string]string{"Accept": "application/vnd.github+json", "X-Github-Api-Version": "2022-11-28", "Authorization": ""} {
		if got := first[0].Header.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	if first[0].Header.Get("User-Agent") == "" {
		t.Error("no User-Agent sent")
	}
	var pages []string
	for _, r := range h.api.Requests("/repositories/1000/issues") {
		pages = append(pages, r.URL.Query().Get("page"))
	}
	if got, want := pages, []string{"2", "3", "4", "5"}; !slices.Equal(got, want) {
		t.Errorf("followed pages %v, want %v", got, want)
	}
	c := h.cursor(t).Repos["octokit-fixture-org/paginate-issues"]
	if got, want := c.Issues.Since, "2017-10-10T16:00:00Z"; got != want {
		t.Errorf("cursor since = %q, want %q", got, want)
	}
	if c.Issues.ETag != "" {
		t.Errorf("cursor kept the ETag %q of a multi-page listing", c.Issues.ETag)
	}
	if st.Cursor == "" {
		t.Error("Stats.Cursor is empty")
	}
}

func TestIncrementalSinceStoresOnlyNew(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	a := issueJSON(1, 1, "alice", "2024-03-01T09:00:00Z", "2024-03-01T10:00:00Z", false)
	b := issueJSON(2, 2, "bob", "2024-03-02T09:00:00Z", "2024-03-02T10:00:00Z", false)
	c := issueJSON(3, 3, "carol", "2024-03-05T09:00:00Z", "2024-03-05T10:00:00Z", false)
	h.api.Handle("/repos/"+testRepo+"/issues", func(w http.ResponseWriter, r *http.Request) {
		switch since := r.URL.Query().Get("since"); since {
		case "":
			fakeapi.JSON(jsonArray(a, b))(w, r)
		case "2024-03-02T10:00:00Z":
			fakeapi.JSON(jsonArray(b, c))(w, r) // b again: since is inclusive
		default:
			t.Errorf("unexpected since=%q", since)
			fakeapi.JSON(jsonArray())(w, r)
		}
	})
	c1 := `{"id":71,"user":{"login":"bob","type":"User"},"created_at":"2024-03-01T11:00:00Z","updated_at":"2024-03-01T11:00:00Z","issue_url":"https://api.github.com/repos/ecopulse-test/widgets/issues/1"}`
	c2 := `{"id":72,"user":{"login":"alice","type":"User"},"created_at":"2024-03-05T11:00:00Z","updated_at":"2024-03-05T11:00:00Z","issue_url":"https://api.github.com/repos/ecopulse-test/widgets/issues/3"}`
	h.api.Handle("/repos/"+testRepo+"/issues/comments", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("since") == "" {
			fakeapi.JSON(jsonArray(c1))(w, r)
			return
		}
		fakeapi.JSON(jsonArray(c1, c2))(w, r)
	})

	st1 := h.mustCollect(t)
	if got, want := st1.Stored, int64(3); got != want {
		t.Errorf("first run stored %d, want %d", got, want)
	}
	st2 := h.mustCollect(t)
	if got, want := st2.Stored, int64(2); got != want {
		t.Errorf("second run stored %d, want %d (issue 3 and comment 72 only)", got, want)
	}
	if got, want := st2.Read, int64(4); got != want {
		t.Errorf("second run read %d, want %d", got, want)
	}
	acts := datatest.Activities(t, h.db)
	if got, want := len(acts), 5; got != want {
		t.Errorf("stored %d activities in all, want %d", got, want)
	}
	for _, id := range []string{"issue:1", "issue:2", "issue:3", "comment:71", "comment:72"} {
		if _, ok := acts[id]; !ok {
			t.Errorf("%s not stored", id)
		}
	}
	if got, want := acts["comment:72"].Thread, "github:ecopulse-test/widgets#3"; got != want {
		t.Errorf("comment thread = %q, want %q", got, want)
	}
	rc := h.cursor(t).Repos[testRepo]
	if got, want := rc.Issues.Since, "2024-03-05T10:00:00Z"; got != want {
		t.Errorf("issues since = %q, want %q", got, want)
	}
	if got, want := rc.IssueComments.Since, "2024-03-05T11:00:00Z"; got != want {
		t.Errorf("issue comments since = %q, want %q", got, want)
	}
	reqs := h.api.Requests("/repos/" + testRepo + "/issues/comments")
	if got, want := reqs[1].URL.Query().Get("since"), "2024-03-01T11:00:00Z"; got != want {
		t.Errorf("second run asked comments since %q, want %q", got, want)
	}
}

func TestETagNotModified(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	a := issueJSON(1, 1, "alice", "2024-03-01T09:00:00Z", "2024-03-01T10:00:00Z", false)
	b := issueJSON(2, 2, "bob", "2024-03-02T09:00:00Z", "2024-03-02T10:00:00Z", true)
	var notModified int
	h.api.Handle("/repos/"+testRepo+"/issues", func(w http.ResponseWriter, r *http.Request) {
		since := r.URL.Query().Get("since")
		etag := `W/"issues-` + since + `"`
		if r.Header.Get("If-None-Match") == etag {
			notModified++
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		if since == "" {
			fakeapi.JSON(jsonArray(a, b))(w, r)
			return
		}
		fakeapi.JSON(jsonArray(b))(w, r)
	})
	h.api.Handle("/repos/"+testRepo+"/pulls/2/reviews", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"rev-2"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"rev-2"`)
		fakeapi.JSON([]byte(`[{"id":801,"user":{"login":"alice","type":"User"},"state":"APPROVED","submitted_at":"2024-03-02T11:00:00Z"}]`))(w, r)
	})

	// Run 1 reads everything; run 2 (same Source) asks since=2024-03-02T10:00:00Z
	// and reuses the in-memory ETag of the reviews; run 3 (a restarted
	// Source) sends the listing's ETag kept in the cursor.
	if got, want := h.mustCollect(t).Stored, int64(3); got != want {
		t.Fatalf("run 1 stored %d, want %d (2 issues, 1 review)", got, want)
	}
	if got, want := h.mustCollect(t).Stored, int64(0); got != want {
		t.Errorf("run 2 stored %d, want %d", got, want)
	}
	reviews := h.api.Requests("/repos/" + testRepo + "/pulls/2/reviews")
	if got, want := len(reviews), 2; got != want {
		t.Fatalf("%d review requests, want %d", got, want)
	}
	if got, want := reviews[1].Header.Get("If-None-Match"), `"rev-2"`; got != want {
		t.Errorf("run 2 reviews If-None-Match = %q, want %q", got, want)
	}

	h.src = h.newSource(t, Config{}, nil)
	st3 := h.mustCollect(t)
	if got, want := st3.Stored, int64(0); got != want {
		t.Errorf("run 3 stored %d, want %d", got, want)
	}
	if got, want := notModified, 1; got != want {
		t.Errorf("%d 304 answers for the listing, want %d", got, want)
	}
	issues := h.api.Requests("/repos/" + testRepo + "/issues")
	if got, want := issues[2].Header.Get("If-None-Match"), `W/"issues-2024-03-02T10:00:00Z"`; got != want {
		t.Errorf("run 3 If-None-Match = %q, want %q", got, want)
	}
	if got, want := len(h.api.Requests("/repos/"+testRepo+"/pulls/2/reviews")), 2; got != want {
		t.Errorf("run 3 asked for reviews after a 304 listing: %d requests, want %d", got, want)
	}
	if got, want := len(datatest.Activities(t, h.db)), 3; got != want {
		t.Errorf("stored %d activities, want %d", got, want)
	}
}

func TestRateLimitResetWaits(t *testing.T) {
	t.Parallel()
	limited := func(reset time.Time) http.HandlerFunc {
		return fakeapi.Status(http.StatusForbidden,
			`{"message":"API rate limit exceeded for 192.0.2.1.","documentation_url":"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}`,
			"X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "0", "X-RateLimit-Used", "60",
			"X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10), "X-RateLimit-Resource", "core")
	}
	item := jsonArray(issueJSON(1, 1, "alice", "2024-03-01T09:00:00Z", "2024-03-01T10:00:00Z", false))

	t.Run("short reset is waited out", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, Config{})
		h.api.Handle("/repos/"+testRepo+"/issues", fakeapi.Sequence(limited(t0.Add(30*time.Second)), fakeapi.JSON(item)))
		st := h.mustCollect(t)
		if got, want := h.slept(), []time.Duration{30 * time.Second}; !slices.Equal(got, want) {
			t.Errorf("slept %v, want %v", got, want)
		}
		if got, want := st.Stored, int64(1); got != want {
			t.Errorf("stored %d, want %d", got, want)
		}
	})
	t.Run("long reset is transient", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, Config{})
		h.api.Handle("/repos/"+testRepo+"/issues", limited(t0.Add(time.Hour)))
		_, err := h.collect(t)
		transient, wait := collectors.IsTransient(err)
		if !transient {
			t.Fatalf("err = %v, want a transient error", err)
		}
		if got, want := wait, time.Hour; got != want {
			t.Errorf("retry after %v, want %v", got, want)
		}
		if got := h.slept(); len(got) != 0 {
			t.Errorf("slept %v, want no sleep", got)
		}
		if !strings.Contains(err.Error(), testRepo) || !strings.Contains(err.Error(), "403") {
			t.Errorf("error %q should name the repository and the status", err)
		}
	})
	t.Run("exhausted on success waits before the next request", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, Config{})
		h.api.Handle("/repos/"+testRepo+"/issues", fakeapi.JSON(item,
			"X-RateLimit-Remaining", "0", "X-RateLimit-Reset", strconv.FormatInt(t0.Add(20*time.Second).Unix(), 10)))
		h.mustCollect(t)
		if got, want := h.slept(), []time.Duration{20 * time.Second}; !slices.Equal(got, want) {
			t.Errorf("slept %v, want %v", got, want)
		}
	})
	t.Run("configured max wait", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, Config{MaxWait: 10 * time.Minute})
		h.src = h.newSource(t, Config{MaxWait: 10 * time.Minute}, nil)
		h.api.Handle("/repos/"+testRepo+"/issues", fakeapi.Sequence(limited(t0.Add(5*time.Minute)), fakeapi.JSON(item)))
		h.mustCollect(t)
		if got, want := h.slept(), []time.Duration{5 * time.Minute}; !slices.Equal(got, want) {
			t.Errorf("slept %v, want %v", got, want)
		}
	})
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	item := jsonArray(issueJSON(1, 1, "alice", "2024-03-01T09:00:00Z", "2024-03-01T10:00:00Z", false))
	secondary := `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`
	for _, code := range []int{http.StatusForbidden, http.StatusTooManyRequests} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Config{})
			h.api.Handle("/repos/"+testRepo+"/issues", fakeapi.Sequence(fakeapi.Status(code, secondary, "Retry-After", "7"), fakeapi.JSON(item)))
			st := h.mustCollect(t)
			if got, want := h.slept(), []time.Duration{7 * time.Second}; !slices.Equal(got, want) {
				t.Errorf("slept %v, want %v", got, want)
			}
			if got, want := st.Stored, int64(1); got != want {
				t.Errorf("stored %d, want %d", got, want)
			}
		})
		t.Run(strconv.Itoa(code)+" beyond max wait", func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Config{})
			h.api.Handle("/repos/"+testRepo+"/issues", fakeapi.Status(code, secondary, "Retry-After", "120"))
			_, err := h.collect(t)
			if transient, wait := collectors.IsTransient(err); !transient || wait != 120*time.Second {
				t.Errorf("IsTransient(%v) = %v, %v; want true, 2m0s", err, transient, wait)
			}
			if got := h.slept(); len(got) != 0 {
				t.Errorf("slept %v, want no sleep", got)
			}
		})
	}
	t.Run("secondary limit without Retry-After waits a minute", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, Config{})
		h.api.Handle("/repos/"+testRepo+"/issues", fakeapi.Sequence(fakeapi.Status(http.StatusForbidden, secondary), fakeapi.JSON(item)))
		h.mustCollect(t)
		if got, want := h.slept(), []time.Duration{time.Minute}; !slices.Equal(got, want) {
			t.Errorf("slept %v, want %v", got, want)
		}
	})
	t.Run("403 without rate limit is permanent", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, Config{})
		h.api.Handle("/repos/"+testRepo+"/issues", fakeapi.Status(http.StatusForbidden, `{"message":"Resource not accessible by integration"}`))
		_, err := h.collect(t)
		if err == nil {
			t.Fatal("no error")
		}
		if transient, _ := collectors.IsTransient(err); transient {
			t.Errorf("err %v is transient, want permanent", err)
		}
		if got, want := httpx.StatusOf(err), http.StatusForbidden; got != want {
			t.Errorf("status %d, want %d", got, want)
		}
	})
}

func TestServerErrorThenSuccess(t *testing.T) {
	t.Parallel()
	item := jsonArray(issueJSON(1, 1, "alice", "2024-03-01T09:00:00Z", "2024-03-01T10:00:00Z", false))
	badGateway := fakeapi.Status(http.StatusBadGateway, `{"message":"Server Error"}`)

	t.Run("collect", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, Config{})
		h.api.Handle("/repos/"+testRepo+"/issues", fakeapi.Sequence(badGateway, fakeapi.JSON(item)))
		_, err := h.collect(t)
		if transient, _ := collectors.IsTransient(err); !transient {
			t.Fatalf("err = %v, want transient", err)
		}
		if got, want := h.mustCollect(t).Stored, int64(1); got != want {
			t.Errorf("retry stored %d, want %d", got, want)
		}
	})
	t.Run("runner", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, Config{})
		h.api.Handle("/repos/"+testRepo+"/issues", fakeapi.Sequence(badGateway, fakeapi.Status(http.StatusServiceUnavailable, ""), fakeapi.JSON(item)))
		var waits []time.Duration
		runner := collectors.Runner{DB: h.db, Log: h.env.Log, Now: h.env.Now,
			Sleep: func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }}
		run, err := runner.Run(context.Background(), "github", h.src)
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if got, want := run.Status, domain.RunSucceeded; got != want {
			t.Errorf("run status %q, want %q", got, want)
		}
		if got, want := len(waits), 2; got != want {
			t.Errorf("runner waited %d times, want %d", got, want)
		}
		runs, err := h.db.RunsOf(context.Background(), "github", 5)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(runs), 1; got != want {
			t.Fatalf("%d run records, want %d", got, want)
		}
		if got, want := runs[0].Status, domain.RunSucceeded; got != want {
			t.Errorf("recorded status %q, want %q", got, want)
		}
		if got, want := runs[0].ItemsStored, int64(1); got != want {
			t.Errorf("recorded items stored %d, want %d", got, want)
		}
		if runs[0].Cursor == "" {
			t.Error("run record has no cursor")
		}
	})
}

func TestHangingServerTimesOut(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.api.Handle("/repos/"+testRepo+"/issues", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers; ends when the client gives up
	})
	h.src = h.newSource(t, Config{Timeout: 50 * time.Millisecond}, nil) // the source's own client, with the configured timeout
	_, err := h.collect(t)
	if transient, _ := collectors.IsTransient(err); !transient {
		t.Fatalf("err = %v, want transient", err)
	}
	if !strings.Contains(err.Error(), "Timeout") && !strings.Contains(err.Error(), "deadline") {
		t.Errorf("err = %v, want a timeout", err)
	}
	if got := len(datatest.Activities(t, h.db)); got != 0 {
		t.Errorf("stored %d activities, want 0", got)
	}
}

func TestMalformedJSON(t *testing.T) {
	t.Parallel()
	t.Run("second page", func(t *testing.T) {
		t.Parallel()
		const other = "ecopulse-test/gadgets"
		h := newHarness(t, Config{})
		h.src = h.newSource(t, Config{Repos: []string{testRepo, other}}, nil)
		page1 := jsonArray(
			issueJSON(1, 1, "alice", "2024-03-01T09:00:00Z", "2024-03-01T10:00:00Z", false),
			issueJSON(2, 2, "bob", "2024-03-02T09:00:00Z", "2024-03-02T10:00:00Z", false))
		page2 := []byte(`[{"id":3,"number":3,"title":"Item 3","user":{"login":"carol","type":"User"},"created_at":"2024-03-03T09:00:00Z","updated_at":"2024-03-03T10:00:00Z"},{"id":4,"number":4,"title":"Item 4","user":{"login":"dave"`)
		h.api.Handle("/repos/"+testRepo+"/issues", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("page") == "2" {
				fakeapi.JSON(page2)(w, r)
				return
			}
			next := h.api.URL + "/repos/" + testRepo + "/issues?page=2&per_page=100&state=all"
			fakeapi.JSON(page1, "Link", `<`+next+`>; rel="next", <`+next+`>; rel="last"`)(w, r)
		})
		h.api.Handle("/repos/"+other+"/issues", fakeapi.JSON(jsonArray(issueJSON(9, 1, "erin", "2024-03-01T09:00:00Z", "2024-03-01T10:00:00Z", false))))

		_, err := h.collect(t)
		if err == nil {
			t.Fatal("no error for a malformed page")
		}
		if transient, _ := collectors.IsTransient(err); transient {
			t.Errorf("err %v is transient, want permanent", err)
		}
		var me *httpx.MalformedError
		if !errors.As(err, &me) {
			t.Fatalf("err = %v, want a *httpx.MalformedError", err)
		}
		if !strings.Contains(err.Error(), "page=2") || !strings.Contains(err.Error(), testRepo) {
			t.Errorf("error %q should name the URL of the page and the repository", err)
		}
		acts := datatest.Activities(t, h.db)
		for id, want := range map[string]bool{"issue:1": true, "issue:2": true, "issue:3": false, "issue:4": false, "issue:9": true} {
			if _, got := acts[id]; got != want {
				t.Errorf("%s stored = %v, want %v", id, got, want)
			}
		}
		if got, want := h.cursor(t).Repos[testRepo].Issues.Since, "2024-03-02T10:00:00Z"; got != want {
			t.Errorf("cursor since = %q, want %q (the last good page)", got, want)
		}
		if got := len(h.api.Requests("/repos/" + testRepo + "/issues/comments")); got != 0 {
			t.Errorf("went on with the broken repository: %d comment requests", got)
		}
	})
	t.Run("first page", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, Config{})
		h.api.Handle("/repos/"+testRepo+"/issues", fakeapi.JSON([]byte(`{"message": "not a list"`)))
		_, err := h.collect(t)
		if err == nil || !strings.Contains(err.Error(), h.api.URL+"/repos/"+testRepo+"/issues?") {
			t.Errorf("err = %v, want one naming the URL", err)
		}
		if got := len(datatest.Activities(t, h.db)); got != 0 {
			t.Errorf("stored %d activities, want 0", got)
		}
		raw, err := h.db.Cursor(context.Background(), "github")
		if err != nil {
			t.Fatal(err)
		}
		if raw != "" {
			t.Errorf("cursor = %q, want none", raw)
		}
	})
}

func TestBotDetection(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.src = h.newSource(t, Config{Bots: []string{"Triage-Helper"}}, nil)
	h.api.Handle("/repos/"+testRepo+"/issues", fakeapi.JSON(readTestdata(t, "issues_mixed.json")))
	h.mustCollect(t)
	acts := datatest.Activities(t, h.db)
	for id, want := range map[string]struct {
		actor string
		bot   bool
	}{
		"issue:5001": {"alice", false},
		"issue:5005": {"dependabot[bot]", true}, // type Bot
		"issue:5006": {"triage-helper", true},   // configured
		"issue:5007": {"ci-runner[bot]", true},  // [bot] suffix
		"issue:5008": {"ghost", false},          // deleted account
	} {
		a, ok := acts[id]
		if !ok {
			t.Errorf("%s not stored", id)
			continue
		}
		if a.Actor != want.actor || a.Bot != want.bot {
			t.Errorf("%s actor, bot = %q, %v; want %q, %v", id, a.Actor, a.Bot, want.actor, want.bot)
		}
	}
}

func TestIssueAndPullRequestKinds(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	ctx := context.Background()
	// alice belongs to a member: the store resolves her activities to it.
	m := &domain.Member{Slug: "acme", Name: "Acme", Kind: domain.KindPartner, JoinedOn: mustTime(t, "2023-01-01T00:00:00Z")}
	if err := h.db.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	p := &domain.Person{Name: "Alice"}
	if err := h.db.CreatePerson(ctx, p, domain.Identity{Source: SourceName, Login: "Alice"}); err != nil {
		t.Fatal(err)
	}
	if err := h.db.AddAffiliation(ctx, &domain.Affiliation{PersonID: p.ID, MemberID: m.ID, From: m.JoinedOn}); err != nil {
		t.Fatal(err)
	}
	h.api.Handle("/repos/"+testRepo+"/issues", fakeapi.JSON(readTestdata(t, "issues_mixed.json")))
	h.api.Handle("/repos/"+testRepo+"/pulls/3/reviews", fakeapi.JSON(readTestdata(t, "reviews_pull_3.json")))

	st := h.mustCollect(t)

	acts := datatest.Activities(t, h.db)
	type want struct {
		kind, actor, thread, at string
		bot                     bool
	}
	th := func(n int) string { return fmt.Sprintf("github:%s#%d", testRepo, n) }
	for id, w := range map[string]want{
		"issue:5001":   {domain.ActThreadOpened, "alice", th(1), "2024-03-01T09:00:00Z", false},
		"issue:5002":   {domain.ActPROpened, "bob", th(2), "2024-03-03T09:00:00Z", false},
		"issue:5003":   {domain.ActPROpened, "Carol", th(3), "2024-03-04T09:00:00Z", false},
		"merge:5003":   {domain.ActPRMerged, "Carol", th(3), "2024-03-06T07:59:58Z", false},
		"issue:5004":   {domain.ActPROpened, "bob", th(4), "2024-03-05T09:00:00Z", false},
		"review:80001": {domain.ActReview, "alice", th(3), "2024-03-05T15:00:00Z", false},
		"review:80002": {domain.ActReview, "copilot-reviewer[bot]", th(3), "2024-03-05T16:00:00Z", true},
		"review:80003": {domain.ActReview, "ghost", th(3), "2024-03-05T17:00:00Z", false},
	} {
		a, ok := acts[id]
		if !ok {
			t.Errorf("%s not stored", id)
			continue
		}
		got := want{a.Kind, a.Actor, a.Thread, a.At.Format(time.RFC3339), a.Bot}
		if got != w {
			t.Errorf("%s = %+v, want %+v", id, got, w)
		}
		if a.Source != SourceName {
			t.Errorf("%s source = %q, want %q", id, a.Source, SourceName)
		}
	}
	for _, id := range []string{"merge:5002", "merge:5004", "review:80004"} {
		if _, ok := acts[id]; ok {
			t.Errorf("%s stored: an open or unmerged pull request, or a pending review", id)
		}
	}
	if got, want := acts["issue:5001"].Title, "Crash when the <script> tag is in a widget name"; got != want {
		t.Errorf("title = %q, want it stored as is: %q", got, want)
	}
	if got, want := acts["issue:5001"].MemberID, m.ID; got != want {
		t.Errorf("alice's issue member = %d, want %d", got, want)
	}
	if got, want := acts["review:80001"].MemberID, m.ID; got != want {
		t.Errorf("alice's review member = %d, want %d", got, want)
	}
	for _, n := range []int{2, 3, 4, 5} {
		if got := len(h.api.Requests(fmt.Sprintf("/repos/%s/pulls/%d/reviews", testRepo, n))); got != 1 {
			t.Errorf("reviews of #%d requested %d times, want 1", n, got)
		}
		if got := len(h.api.Requests(fmt.Sprintf("/repos/%s/pulls/%d", testRepo, n))); got != 0 {
			t.Errorf("pull #%d fetched although the listing said whether it was merged", n)
		}
	}
	if got := len(h.api.Requests("/repos/" + testRepo + "/pulls/1/reviews")); got != 0 {
		t.Error("asked for reviews of an issue")
	}
	if got := len(h.api.Requests("/repos/" + testRepo + "/milestones")); got != 0 {
		t.Errorf("asked for milestones of a repository linked to no project (%d requests)", got)
	}
	if got, want := st.Stored, int64(len(acts)); got != want {
		t.Errorf("Stats.Stored = %d, want %d", got, want)
	}
}

func TestCommentsAndReleases(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.api.Handle("/repos/"+testRepo+"/issues/comments", fakeapi.JSON(readTestdata(t, "issue_comments.json")))
	h.api.Handle("/repos/"+testRepo+"/pulls/comments", fakeapi.JSON(readTestdata(t, "review_comments.json")))
	h.api.Handle("/repos/"+testRepo+"/releases", fakeapi.JSON(readTestdata(t, "releases.json")))

	h.mustCollect(t)

	acts := datatest.Activities(t, h.db)
	type want struct {
		kind, actor, thread, title, at string
		bot                            bool
	}
	for id, w := range map[string]want{
		"comment:90001":        {domain.ActReply, "bob", "github:ecopulse-test/widgets#1", "", "2024-03-01T11:00:00Z", false},
		"comment:90002":        {domain.ActReply, "github-actions[bot]", "github:ecopulse-test/widgets#3", "", "2024-03-04T09:05:00Z", true},
		"review_comment:95001": {domain.ActReply, "alice", "github:ecopulse-test/widgets#3", "", "2024-03-05T15:00:00Z", false},
		"release:3002":         {domain.ActRelease, "github-actions[bot]", "github:ecopulse-test/widgets/releases/tag/v1.1.0", "Widgets 1.1", "2024-03-12T09:30:00Z", true},
		"release:3001":         {domain.ActRelease, "erin", "github:ecopulse-test/widgets/releases/tag/v1.0.0", "v1.0.0", "2024-01-10T10:00:00Z", false},
	} {
		a, ok := acts[id]
		if !ok {
			t.Errorf("%s not stored", id)
			continue
		}
		if got := (want{a.Kind, a.Actor, a.Thread, a.Title, a.At.Format(time.RFC3339), a.Bot}); got != w {
			t.Errorf("%s = %+v, want %+v", id, got, w)
		}
	}
	if _, ok := acts["release:3003"]; ok {
		t.Error("a draft release was stored")
	}
	rc := h.cursor(t).Repos[testRepo]
	if got, want := rc.Releases.Since, "2024-03-12T09:30:00Z"; got != want {
		t.Errorf("releases since = %q, want %q", got, want)
	}
	if got, want := rc.ReviewComments.Since, "2024-03-05T15:10:00Z"; got != want {
		t.Errorf("review comments since = %q, want %q", got, want)
	}
	if q := h.api.Requests("/repos/" + testRepo + "/pulls/comments")[0].URL.Query(); q.Get("sort") != "updated" || q.Get("direction") != "asc" {
		t.Errorf("review comments query %v, want sort=updated&direction=asc", q)
	}
}

func TestReleasesStopAtCursor(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{PerPage: 1})
	h.src = h.newSource(t, Config{PerPage: 1}, nil)
	rel := func(id int, tag, at string) string {
		return fmt.Sprintf(`{"id":%d,"tag_name":%q,"name":%q,"draft":false,"author":{"login":"erin","type":"User"},"created_at":%q,"published_at":%q}`, id, tag, tag, at, at)
	}
	pages := [][]byte{
		jsonArray(rel(3, "v3", "2024-05-01T00:00:00Z")),
		jsonArray(rel(2, "v2", "2024-04-01T00:00:00Z")),
		jsonArray(rel(1, "v1", "2024-03-01T00:00:00Z")),
	}
	newest := 1 // run 1 sees v2 and v1 only; v3 is published before run 2
	h.api.Handle("/repos/"+testRepo+"/releases", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		n = max(n, 1) + newest - 1
		if n >= len(pages) {
			fakeapi.JSON(jsonArray())(w, r)
			return
		}
		var link []string
		if n+1 < len(pages) {
			link = []string{"Link", fmt.Sprintf(`<%s/repos/%s/releases?per_page=1&page=%d>; rel="next"`, h.api.URL, testRepo, n-newest+2)}
		}
		fakeapi.JSON(pages[n], link...)(w, r)
	})
	if got, want := h.mustCollect(t).Stored, int64(2); got != want {
		t.Fatalf("run 1 stored %d, want %d", got, want)
	}
	newest = 0
	before := len(h.api.Requests("/repos/" + testRepo + "/releases"))
	if got, want := h.mustCollect(t).Stored, int64(1); got != want {
		t.Errorf("run 2 stored %d, want %d", got, want)
	}
	// Page 1 holds v3 (new), page 2 holds v2 (the cursor): page 3 is not read.
	if got, want := len(h.api.Requests("/repos/"+testRepo+"/releases"))-before, 2; got != want {
		t.Errorf("run 2 read %d pages of releases, want %d", got, want)
	}
	if got, want := h.cursor(t).Repos[testRepo].Releases.Since, "2024-05-01T00:00:00Z"; got != want {
		t.Errorf("releases since = %q, want %q", got, want)
	}
}

func TestMergedQuirkUsesClosedAt(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.api.Handle("/repos/"+testRepo+"/issues", fakeapi.JSON(readTestdata(t, "issues_old_format.json")))
	h.api.Handle("/repos/"+testRepo+"/pulls/9", fakeapi.JSON(readTestdata(t, "pull_9_merged_quirk.json")))
	h.api.Handle("/repos/"+testRepo+"/pulls/10", fakeapi.JSON(readTestdata(t, "pull_10_closed.json")))

	h.mustCollect(t)

	acts := datatest.Activities(t, h.db)
	m, ok := acts["merge:5009"]
	if !ok {
		t.Fatal("merged:true merged_at:null pull request not counted as merged")
	}
	if got, want := m.At, mustTime(t, "2016-01-04T13:51:56Z"); !got.Equal(want) {
		t.Errorf("merged at %v, want closed_at %v", got, want)
	}
	if got, want := m.Kind, domain.ActPRMerged; got != want {
		t.Errorf("kind %q, want %q", got, want)
	}
	if _, ok := acts["merge:5010"]; ok {
		t.Error("closed, unmerged pull request counted as merged")
	}
	for _, n := range []int{9, 10} {
		if got := len(h.api.Requests(fmt.Sprintf("/repos/%s/pulls/%d", testRepo, n))); got != 1 {
			t.Errorf("pull #%d fetched %d times, want 1", n, got)
		}
	}
}

func TestMilestonesLinkedToProjects(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	ctx := context.Background()
	joined := mustTime(t, "2023-01-01T00:00:00Z")
	var members []*domain.Member
	for _, slug := range []string{"acme", "globex"} {
		m := &domain.Member{Slug: slug, Name: strings.ToUpper(slug[:1]) + slug[1:], Kind: domain.KindPartner, JoinedOn: joined}
		if err := h.db.CreateMember(ctx, m); err != nil {
			t.Fatal(err)
		}
		members = append(members, m)
	}
	project := func(slug string) *domain.Project {
		p := &domain.Project{Slug: slug, Name: slug, Status: domain.ProjectActive, StartOn: joined, Source: "test",
			Parties: []domain.ProjectParty{{MemberID: members[0].ID, Role: "lead"}, {MemberID: members[1].ID, Role: "partner"}}}
		if err := h.db.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p1, p2 := project("widget-platform"), project("widget-docs")
	if err := h.db.LinkProjectRepo(ctx, p1.ID, "EcoPulse-Test/Widgets"); err != nil {
		t.Fatal(err)
	}
	h.api.Handle("/repos/"+testRepo+"/milestones", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"ms-1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fakeapi.JSON(readTestdata(t, "milestones.json"), "ETag", `"ms-1"`)(w, r)
	})

	st := h.mustCollect(t)
	ext := func(n int) string { return fmt.Sprintf("github:%s#%d", testRepo, n) }
	want := []datatest.Milestone{
		{Project: p1.ID, ExternalID: ext(1), Title: "Beta", DueOn: "2024-03-01", DoneOn: "2024-02-28"}, // on time
		{Project: p1.ID, ExternalID: ext(2), Title: "GA", DueOn: "2024-04-01", DoneOn: "2024-04-20"},   // late
		{Project: p1.ID, ExternalID: ext(3), Title: "2.0", DueOn: "2024-09-30"},                        // open
	}
	if got := datatest.Milestones(t, h.db); !slices.Equal(got, want) {
		t.Errorf("milestones = %+v\nwant %+v", got, want)
	}
	if got, want := st.Read, int64(4); got != want {
		t.Errorf("read %d, want %d (the undated milestone counts as read)", got, want)
	}
	if got, want := st.Stored, int64(3); got != want {
		t.Errorf("stored %d, want %d", got, want)
	}
	if got, want := h.api.Requests("/repos/" + testRepo + "/milestones")[0].URL.Query().Get("state"), "all"; got != want {
		t.Errorf("state = %q, want %q", got, want)
	}

	// Unchanged: a 304.
	h.mustCollect(t)
	reqs := h.api.Requests("/repos/" + testRepo + "/milestones")
	if got, want := reqs[1].Header.Get("If-None-Match"), `"ms-1"`; got != want {
		t.Errorf("run 2 If-None-Match = %q, want %q", got, want)
	}

	// A newly linked project gets the milestones although they did not change.
	if err := h.db.LinkProjectRepo(ctx, p2.ID, testRepo); err != nil {
		t.Fatal(err)
	}
	h.mustCollect(t)
	reqs = h.api.Requests("/repos/" + testRepo + "/milestones")
	if got := reqs[2].Header.Get("If-None-Match"); got != "" {
		t.Errorf("run 3 sent If-None-Match %q after the linked projects changed", got)
	}
	got := datatest.Milestones(t, h.db)
	if n := len(got); n != 6 {
		t.Fatalf("%d milestone rows, want 6 (3 per project): %+v", n, got)
	}
	for _, m := range got[3:] {
		if m.Project != p2.ID {
			t.Errorf("milestone %+v, want project %d", m, p2.ID)
		}
	}
}

func TestPaginationStaysOnHost(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.api.Handle("/repos/"+testRepo+"/issues", fakeapi.JSON(
		jsonArray(issueJSON(1, 1, "alice", "2024-03-01T09:00:00Z", "2024-03-01T10:00:00Z", false)),
		"Link", `<https://evil.example/repos/ecopulse-test/widgets/issues?page=2>; rel="next"`))
	_, err := h.collect(t)
	if err == nil || !strings.Contains(err.Error(), "evil.example") {
		t.Fatalf("err = %v, want a refusal to follow the link", err)
	}
	if transient, _ := collectors.IsTransient(err); transient {
		t.Errorf("err %v is transient, want permanent", err)
	}
}

func TestAuthAndNotFound(t *testing.T) {
	const envName = "ECOPULSE_TEST_GITHUB_TOKEN"
	t.Setenv(envName, "s3cret-token")
	h := newHarness(t, Config{})
	h.src = h.newSource(t, Config{TokenEnv: envName, Repos: []string{"ecopulse-test/private", "ecopulse-test/gone", testRepo}}, nil)
	h.api.Handle("/repos/ecopulse-test/private/issues", fakeapi.Status(http.StatusUnauthorized,
		`{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}`))
	h.api.Handle("/repos/ecopulse-test/gone/issues", fakeapi.Status(http.StatusNotFound,
		`{"message":"Not Found","documentation_url":"https://docs.github.com/rest/issues/issues#list-repository-issues"}`))
	h.api.Handle("/repos/"+testRepo+"/issues", fakeapi.JSON(jsonArray(issueJSON(1, 1, "alice", "2024-03-01T09:00:00Z", "2024-03-01T10:00:00Z", false))))

	_, err := h.collect(t)
	if err == nil {
		t.Fatal("no error")
	}
	if transient, _ := collectors.IsTransient(err); transient {
		t.Errorf("err %v is transient, want permanent", err)
	}
	for _, s := range []string{"ecopulse-test/private", "401", "Bad credentials", "ecopulse-test/gone", "404"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
	if _, ok := datatest.Activities(t, h.db)["issue:1"]; !ok {
		t.Error("the healthy repository was not collected")
	}
	for _, r := range h.api.AllRequests() {
		if got, want := r.Header.Get("Authorization"), "Bearer s3cret-token"; got != want {
			t.Errorf("%s Authorization = %q, want %q", r.URL, got, want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"defaults", Config{Repos: []string{"octo/hello-world"}}, true},
		{"full", Config{Repos: []string{"octo/hello.world", "Octo-Org/x_y"}, TokenEnv: "GH", BaseURL: "https://ghe.example.com/api/v3/", PerPage: 50, Bots: []string{"helper"}, MaxWait: time.Minute}, true},
		{"no repos", Config{}, false},
		{"bad repo", Config{Repos: []string{"octo"}}, false},
		{"nested repo", Config{Repos: []string{"octo/a/b"}}, false},
		{"dot repo", Config{Repos: []string{"octo/.."}}, false},
		{"duplicate", Config{Repos: []string{"octo/a", "Octo/A"}}, false},
		{"bad url", Config{Repos: []string{"octo/a"}, BaseURL: "ftp://x"}, false},
		{"url with query", Config{Repos: []string{"octo/a"}, BaseURL: "https://x/?a=b"}, false},
		{"per page", Config{Repos: []string{"octo/a"}, PerPage: 101}, false},
		{"negative per page", Config{Repos: []string{"octo/a"}, PerPage: -1}, false},
		{"negative wait", Config{Repos: []string{"octo/a"}, MaxWait: -time.Second}, false},
		{"timeout", Config{Repos: []string{"octo/a"}, Timeout: 5 * time.Second}, true},
		{"negative timeout", Config{Repos: []string{"octo/a"}, Timeout: -time.Second}, false},
		{"timeout too long", Config{Repos: []string{"octo/a"}, Timeout: time.Hour}, false},
		{"empty bot", Config{Repos: []string{"octo/a"}, Bots: []string{" "}}, false},
	} {
		err := tc.cfg.Validate()
		if got := err == nil; got != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s: error code %q, want %q", tc.name, domain.ErrorCode(err), domain.EINVALID)
		}
		if _, nerr := New(tc.cfg, nil); (nerr == nil) != tc.ok {
			t.Errorf("%s: New error %v, want ok=%v", tc.name, nerr, tc.ok)
		}
	}
}

func TestConfigYAML(t *testing.T) {
	t.Parallel()
	const doc = `
repos: [octo/hello-world, octo/spoon-knife]
token_env: GH_TOKEN
base_url: https://ghe.example.com/api/v3
per_page: 50
bots: [release-helper]
max_wait: 90s
`
	var cfg Config
	dec := yaml.NewDecoder(strings.NewReader(doc))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		t.Fatal(err)
	}
	want := Config{Repos: []string{"octo/hello-world", "octo/spoon-knife"}, TokenEnv: "GH_TOKEN",
		BaseURL: "https://ghe.example.com/api/v3", PerPage: 50, Bots: []string{"release-helper"}, MaxWait: 90 * time.Second}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("decoded %+v, want %+v", cfg, want)
	}
	if err := cfg.Validate(); err != nil {
		t.Error(err)
	}
}

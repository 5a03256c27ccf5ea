package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// plantedGitHub serves the planted community as GitHub's REST API
// (v2022-11-28) shows it at a moment the test moves on: only what happened
// by then, issues and comments filtered by since and sorted by updated_at,
// Link pagination, a bearer token required, rate-limit headers. The
// objects have the shapes of collectors/github/testdata.
type plantedGitHub struct {
	srv   *httptest.Server
	c     *plantedCommunity
	token string

	mu       sync.Mutex
	now      time.Time
	requests int
}

func newPlantedGitHub(tb testing.TB, c *plantedCommunity, token string) *plantedGitHub {
	g := &plantedGitHub{c: c, token: token}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	tb.Cleanup(g.srv.Close)
	return g
}

// setNow moves the API's clock: what happened after t is not shown yet.
func (g *plantedGitHub) setNow(t time.Time) {
	g.mu.Lock()
	g.now = t
	g.mu.Unlock()
}

// requestCount is how many requests the API answered.
func (g *plantedGitHub) requestCount() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.requests
}

func plantedGHTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func plantedGHTimePtr(t, now time.Time) *string {
	if t.IsZero() || t.After(now) {
		return nil
	}
	s := plantedGHTime(t)
	return &s
}

type plantedGHUserJSON struct {
	Login     string `json:"login"`
	ID        int64  `json:"id"`
	NodeID    string `json:"node_id"`
	AvatarURL string `json:"avatar_url"`
	HTMLURL   string `json:"html_url"`
	Type      string `json:"type"`
	SiteAdmin bool   `json:"site_admin"`
}

func plantedGHUser(p *plantedPerson) plantedGHUserJSON {
	typ := "User"
	if p.Bot {
		typ = "Bot"
	}
	return plantedGHUserJSON{Login: p.Login, ID: p.ID, NodeID: "U_kgDO" + strconv.FormatInt(p.ID, 36),
		AvatarURL: fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", p.ID),
		HTMLURL:   "https://github.com/" + p.Login, Type: typ}
}

func plantedGHAssociation(p *plantedPerson) string {
	switch {
	case p.Bot:
		return "NONE"
	case p.Member != nil && p.Member.Maintainers:
		return "MEMBER"
	case p.Member != nil:
		return "CONTRIBUTOR"
	}
	return "NONE"
}

type plantedGHPullRef struct {
	URL      string  `json:"url"`
	HTMLURL  string  `json:"html_url"`
	DiffURL  string  `json:"diff_url"`
	PatchURL string  `json:"patch_url"`
	MergedAt *string `json:"merged_at"`
}

type plantedGHIssue struct {
	URL               string            `json:"url"`
	RepositoryURL     string            `json:"repository_url"`
	HTMLURL           string            `json:"html_url"`
	ID                int64             `json:"id"`
	NodeID            string            `json:"node_id"`
	Number            int               `json:"number"`
	Title             string            `json:"title"`
	User              plantedGHUserJSON `json:"user"`
	Labels            []any             `json:"labels"`
	State             string            `json:"state"`
	Locked            bool              `json:"locked"`
	Comments          int               `json:"comments"`
	CreatedAt         string            `json:"created_at"`
	UpdatedAt         string            `json:"updated_at"`
	ClosedAt          *string           `json:"closed_at"`
	AuthorAssociation string            `json:"author_association"`
	Draft             *bool             `json:"draft,omitempty"`
	PullRequest       *plantedGHPullRef `json:"pull_request,omitempty"`
	Body              *string           `json:"body"`
	StateReason       *string           `json:"state_reason"`
}

type plantedGHComment struct {
	URL               string            `json:"url"`
	HTMLURL           string            `json:"html_url"`
	IssueURL          string            `json:"issue_url,omitempty"`
	PullRequestURL    string            `json:"pull_request_url,omitempty"`
	ID                int64             `json:"id"`
	NodeID            string            `json:"node_id"`
	User              plantedGHUserJSON `json:"user"`
	CreatedAt         string            `json:"created_at"`
	UpdatedAt         string            `json:"updated_at"`
	AuthorAssociation string            `json:"author_association"`
	Body              string            `json:"body"`
	Path              string            `json:"path,omitempty"`
}

type plantedGHReview struct {
	ID                int64             `json:"id"`
	NodeID            string            `json:"node_id"`
	User              plantedGHUserJSON `json:"user"`
	Body              string            `json:"body"`
	State             string            `json:"state"`
	HTMLURL           string            `json:"html_url"`
	AuthorAssociation string            `json:"author_association"`
	SubmittedAt       string            `json:"submitted_at"`
	CommitID          string            `json:"commit_id"`
}

type plantedGHRelease struct {
	URL         string            `json:"url"`
	ID          int64             `json:"id"`
	TagName     string            `json:"tag_name"`
	Name        string            `json:"name"`
	Draft       bool              `json:"draft"`
	Prerelease  bool              `json:"prerelease"`
	Author      plantedGHUserJSON `json:"author"`
	CreatedAt   string            `json:"created_at"`
	PublishedAt string            `json:"published_at"`
}

// updated is the thread's updated_at as of now.
func (th *plantedThread) updated(now time.Time) time.Time {
	u := th.Opened
	for _, list := range [][]plantedEvent{th.Comments, th.Reviews, th.ReviewComments} {
		for _, ev := range list {
			if !ev.At.After(now) && ev.At.After(u) {
				u = ev.At
			}
		}
	}
	if !th.Closed.IsZero() && !th.Closed.After(now) && th.Closed.After(u) {
		u = th.Closed
	}
	return u
}

func (g *plantedGitHub) api() string { return g.srv.URL }

func (g *plantedGitHub) issueJSON(th *plantedThread, now time.Time) plantedGHIssue {
	base := g.api() + "/repos/" + th.Repo
	n := strconv.Itoa(th.Number)
	comments := 0
	for _, c := range th.Comments {
		if !c.At.After(now) {
			comments++
		}
	}
	body := "Steps to reproduce, expected and actual output below.\n\n```\n<details>…</details>\n```"
	it := plantedGHIssue{URL: base + "/issues/" + n, RepositoryURL: base, HTMLURL: "https://github.com/" + th.Repo + "/issues/" + n,
		ID: th.ID, NodeID: "I_kwDO" + strconv.FormatInt(th.ID, 36), Number: th.Number, Title: th.Title, User: plantedGHUser(th.Author),
		Labels: []any{}, State: "open", Comments: comments, CreatedAt: plantedGHTime(th.Opened), UpdatedAt: plantedGHTime(th.updated(now)),
		ClosedAt: plantedGHTimePtr(th.Closed, now), AuthorAssociation: plantedGHAssociation(th.Author), Body: &body}
	if it.ClosedAt != nil {
		it.State = "closed"
		reason := "completed"
		it.StateReason = &reason
	}
	if th.PR {
		draft := false
		it.Draft = &draft
		it.HTMLURL = "https://github.com/" + th.Repo + "/pull/" + n
		it.PullRequest = &plantedGHPullRef{URL: base + "/pulls/" + n, HTMLURL: it.HTMLURL, DiffURL: it.HTMLURL + ".diff",
			PatchURL: it.HTMLURL + ".patch", MergedAt: plantedGHTimePtr(th.Merged, now)}
	}
	return it
}

func (g *plantedGitHub) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	now := g.now
	g.requests++
	remaining := 5000 - g.requests%4000
	g.mu.Unlock()
	w.Header().Set("X-RateLimit-Limit", "5000")
	w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(now.Add(time.Hour).Unix(), 10))
	w.Header().Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	if r.Header.Get("Authorization") != "Bearer "+g.token {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}`))
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 4 || parts[0] != "repos" || !slices.Contains(plantedRepos, parts[1]+"/"+parts[2]) {
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		return
	}
	repo, rest := parts[1]+"/"+parts[2], parts[3:]
	q := r.URL.Query()
	var since time.Time
	if s := q.Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			http.Error(w, `{"message":"Invalid since"}`, http.StatusUnprocessableEntity)
			return
		}
		since = t
	}
	type item struct {
		updated time.Time
		id      int64
		v       any
	}
	var items []item
	sorted := true // by updated_at, oldest first
	switch {
	case len(rest) == 1 && rest[0] == "issues":
		for _, th := range g.c.Threads {
			if th.Repo != repo || th.Opened.After(now) {
				continue
			}
			if u := th.updated(now); !u.Before(since) {
				items = append(items, item{u, th.ID, g.issueJSON(th, now)})
			}
		}
	case len(rest) == 2 && rest[1] == "comments" && (rest[0] == "issues" || rest[0] == "pulls"):
		for _, th := range g.c.Threads {
			if th.Repo != repo {
				continue
			}
			n := strconv.Itoa(th.Number)
			list, parent := th.Comments, "/issues/"
			if rest[0] == "pulls" {
				list, parent = th.ReviewComments, "/pulls/"
			}
			for _, c := range list {
				if c.At.After(now) || c.At.Before(since) {
					continue
				}
				cj := plantedGHComment{URL: g.api() + "/repos/" + repo + parent + "comments/" + strconv.FormatInt(c.ID, 10),
					HTMLURL: "https://github.com/" + repo + "/issues/" + n + "#issuecomment-" + strconv.FormatInt(c.ID, 10),
					ID:      c.ID, NodeID: "IC_kwDO" + strconv.FormatInt(c.ID, 36), User: plantedGHUser(c.User),
					CreatedAt: plantedGHTime(c.At), UpdatedAt: plantedGHTime(c.At), AuthorAssociation: plantedGHAssociation(c.User), Body: "Thanks, looking into it."}
				if rest[0] == "pulls" {
					cj.PullRequestURL, cj.Path = g.api()+"/repos/"+repo+"/pulls/"+n, "src/client.py"
				} else {
					cj.IssueURL = g.api() + "/repos/" + repo + "/issues/" + n
				}
				items = append(items, item{c.At, c.ID, cj})
			}
		}
	case len(rest) == 3 && rest[0] == "pulls" && rest[2] == "reviews":
		n, _ := strconv.Atoi(rest[1])
		sorted = false
		for _, th := range g.c.Threads {
			if th.Repo != repo || th.Number != n || !th.PR {
				continue
			}
			for _, rv := range th.Reviews {
				if rv.At.After(now) {
					continue
				}
				items = append(items, item{rv.At, rv.ID, plantedGHReview{ID: rv.ID, NodeID: "PRR_kwDO" + strconv.FormatInt(rv.ID, 36),
					User: plantedGHUser(rv.User), Body: "Looks good, one question inline.", State: "APPROVED",
					HTMLURL:           fmt.Sprintf("https://github.com/%s/pull/%d#pullrequestreview-%d", repo, n, rv.ID),
					AuthorAssociation: plantedGHAssociation(rv.User), SubmittedAt: plantedGHTime(rv.At), CommitID: fmt.Sprintf("%040x", rv.ID)}})
			}
		}
	case len(rest) == 1 && rest[0] == "releases":
		sorted = false
		for i := len(g.c.Releases) - 1; i >= 0; i-- { // newest first
			rl := g.c.Releases[i]
			if rl.Repo != repo || rl.At.After(now) {
				continue
			}
			items = append(items, item{rl.At, rl.ID, plantedGHRelease{URL: g.api() + "/repos/" + repo + "/releases/" + strconv.FormatInt(rl.ID, 10),
				ID: rl.ID, TagName: rl.Tag, Name: rl.Tag, Author: plantedGHUser(rl.User), CreatedAt: plantedGHTime(rl.At.Add(-time.Hour)), PublishedAt: plantedGHTime(rl.At)}})
		}
	case len(rest) == 1 && rest[0] == "milestones":
		// The platform's repositories plan with the registry, not with milestones.
	default:
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		return
	}
	if sorted {
		slices.SortStableFunc(items, func(a, b item) int {
			if c := a.updated.Compare(b.updated); c != 0 {
				return c
			}
			return int(a.id - b.id)
		})
	}
	perPage, _ := strconv.Atoi(q.Get("per_page"))
	if perPage < 1 || perPage > 100 {
		perPage = 30
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	pages := max(1, (len(items)+perPage-1)/perPage)
	from, to := min((page-1)*perPage, len(items)), min(page*perPage, len(items))
	link := func(p int) string {
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		qq := r.URL.Query()
		qq.Set("page", strconv.Itoa(p))
		u.RawQuery = qq.Encode()
		return u.String()
	}
	if page < pages {
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next", <%s>; rel="last"`, link(page+1), link(pages)))
	}
	out := make([]any, 0, to-from)
	for _, it := range items[from:to] {
		out = append(out, it.v)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(out)
}

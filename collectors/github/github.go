// Package github collects community activity from GitHub repositories:
// issues and pull requests opened, pull requests merged, issue and review
// comments, reviews and releases as domain.Activity, and milestones as the
// domain.Milestone of the cooperation projects linked to each repository.
//
// It reads GitHub's REST API incrementally (since = the largest updated_at
// seen), follows Link pagination, sends conditional requests (ETag), waits
// out rate limits and commits each page's activities together with the
// moved cursor, so that a run interrupted at any point resumes without
// losing or double-counting anything.
package github

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ecopulse/ecopulse/collectors"
	"github.com/ecopulse/ecopulse/collectors/httpx"
	"github.com/ecopulse/ecopulse/domain"
)

// SourceName is the Activity.Source of GitHub activities; identities of
// GitHub logins use it too.
const SourceName = "github"

// UserAgent is sent with every request (GitHub rejects requests without one).
const UserAgent = "EcoPulse-collector/1 (+https://github.com/ecopulse/ecopulse)"

// APIVersion is the REST API version requested.
const APIVersion = "2022-11-28"

// Source collects the configured repositories. It keeps ETags of
// per-pull-request listings in memory for its lifetime. Collect calls are
// serialised.
type Source struct {
	// Sleep waits out rate limits (default: a real timer); tests replace it.
	Sleep httpx.SleepFunc
	// Now is the clock rate-limit resets are measured against (default:
	// the run's env.Now, else time.Now).
	Now func() time.Time

	cfg   Config
	api   *httpx.Client
	etags httpx.ETags
	bots  map[string]bool

	mu     sync.Mutex
	envNow func() time.Time
}

// New returns a Source for cfg. client carries the timeouts (nil: a client
// with a 30 s timeout).
func New(cfg Config, client *http.Client) (*Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if client == nil {
		client = &http.Client{Timeout: cfg.Timeout}
	}
	s := &Source{cfg: cfg, bots: map[string]bool{}}
	for _, b := range cfg.Bots {
		s.bots[strings.ToLower(strings.TrimSpace(b))] = true
	}
	s.api = &httpx.Client{
		HTTP:    client,
		MaxWait: cfg.MaxWait,
		Sleep:   func(ctx context.Context, d time.Duration) error { return s.sleep(ctx, d) },
		Now:     func() time.Time { return s.now() },
	}
	return s, nil
}

func (s *Source) sleep(ctx context.Context, d time.Duration) error {
	if s.Sleep != nil {
		return s.Sleep(ctx, d)
	}
	return collectors.Sleep(ctx, d)
}

func (s *Source) now() time.Time {
	switch {
	case s.Now != nil:
		return s.Now()
	case s.envNow != nil:
		return s.envNow()
	}
	return time.Now()
}

func (s *Source) headers() http.Header {
	h := http.Header{}
	h.Set("Accept", "application/vnd.github+json")
	h.Set("X-GitHub-Api-Version", APIVersion)
	h.Set("User-Agent", UserAgent)
	if tok := strings.TrimSpace(os.Getenv(s.cfg.TokenEnv)); tok != "" {
		h.Set("Authorization", "Bearer "+tok)
	}
	return h
}

// Collect reads what changed in each repository since the cursor of
// env.Name. A repository that fails for good (401, 404, malformed JSON…)
// is reported and the others are still collected; a transient failure
// (rate limit longer than MaxWait, 5xx, timeout) ends the run with a
// collectors.Transient error after what was read is committed.
func (s *Source) Collect(ctx context.Context, env collectors.Env) (collectors.Stats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.envNow = env.Now
	s.api.Header = s.headers()
	log := env.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	raw, err := env.DB.Cursor(ctx, env.Name)
	if err != nil {
		return collectors.Stats{}, err
	}
	cur, err := parseCursor(raw)
	if err != nil {
		return collectors.Stats{Cursor: raw}, fmt.Errorf("github: source %s: %w", env.Name, err)
	}
	r := &run{s: s, env: env, log: log, cur: cur, committed: raw}
	var errs []error
	for _, repo := range s.cfg.Repos {
		err := r.repo(ctx, repo)
		if err == nil {
			continue
		}
		errs = append(errs, fmt.Errorf("github: repo %s: %w", repo, err))
		if ctx.Err() != nil {
			break
		}
		if transient, _ := collectors.IsTransient(err); transient {
			break
		}
		log.Warn("repository not collected", "repo", repo, "err", err)
	}
	r.stats.Cursor = r.committed
	return r.stats, errors.Join(errs...)
}

// run is one Collect call.
type run struct {
	s         *Source
	env       collectors.Env
	log       *slog.Logger
	cur       *cursor
	committed string // the cursor as last committed
	stats     collectors.Stats
	pending   []etagNote // in-memory ETags to remember once committed
}

type etagNote struct{ url, etag string }

// repoRun is one repository within a run.
type repoRun struct {
	name string // as configured, for URLs and messages
	key  string // lower case: cursor key, thread and milestone ids
	base string // API URL of the repository
	st   *repoCursor
}

func (rr *repoRun) thread(number int) string {
	return fmt.Sprintf("github:%s#%d", rr.key, number)
}

// list builds the URL of the first page of a listing.
func (rr *repoRun) list(path string, perPage int, since string, q url.Values) string {
	if q == nil {
		q = url.Values{}
	}
	q.Set("per_page", strconv.Itoa(perPage))
	if since != "" {
		q.Set("since", since)
	}
	return rr.base + path + "?" + q.Encode()
}

func (r *run) repo(ctx context.Context, name string) error {
	owner, repo, _ := strings.Cut(name, "/")
	key := strings.ToLower(name)
	rr := &repoRun{
		name: name,
		key:  key,
		base: r.s.cfg.BaseURL + "/repos/" + url.PathEscape(owner) + "/" + url.PathEscape(repo),
		st:   r.cur.repo(key),
	}
	steps := []func(context.Context, *repoRun) error{r.issues, r.issueComments, r.reviewComments, r.releases, r.milestones}
	for _, step := range steps {
		if err := step(ctx, rr); err != nil {
			return err
		}
	}
	return nil
}

// actor returns the login behind u and whether it is a bot. A deleted
// account (null or empty user) is GitHub's "ghost".
func (r *run) actor(u *user) (string, bool) {
	if u == nil || u.Login == "" {
		return "ghost", false
	}
	login := strings.ToLower(u.Login)
	return u.Login, u.Type == "Bot" || strings.HasSuffix(login, "[bot]") || r.s.bots[login]
}

// commit stores activities and the current cursor in one transaction, then
// remembers the in-memory ETags of what it stored.
func (r *run) commit(ctx context.Context, acts []domain.Activity) error {
	pending := r.pending
	r.pending = nil
	valid := make([]domain.Activity, 0, len(acts))
	for _, a := range acts {
		if err := a.Validate(); err != nil {
			r.stats.Rejected++
			r.log.Warn("activity rejected", "external_id", a.ExternalID, "err", domain.ErrorMessage(err))
			continue
		}
		valid = append(valid, a)
	}
	b, err := json.Marshal(r.cur)
	if err != nil {
		return err
	}
	cur := string(b)
	if len(valid) > 0 || cur != r.committed {
		n, err := r.env.DB.AddActivitiesWithCursor(ctx, valid, r.env.Name, r.committed, cur)
		if err != nil {
			return err
		}
		r.stats.Stored += int64(n)
		r.committed = cur
	}
	for _, p := range pending {
		r.s.etags.Set(p.url, p.etag)
	}
	return nil
}

// page describes one page of a listing.
type page struct {
	URL         string
	First, Last bool
	ETag        string // the first page's ETag when it is the only page
}

// errStop ends a walk early without error.
var errStop = errors.New("stop paging")

// maxPages guards against a server whose Link headers loop.
const maxPages = 100000

// walk reads a listing from first, following Link rel="next" on the same
// host, and calls fn with each page's items in order; fn returning errStop
// ends the walk. etag goes with the first request: a 304 ends the walk with
// notModified. A page is decoded whole before fn sees any of it.
func walk[T any](ctx context.Context, r *run, first, etag string, fn func([]T, page) error) (notModified bool, err error) {
	u := first
	for n := 1; n <= maxPages; n++ {
		tag := ""
		if n == 1 {
			tag = etag
		}
		resp, err := r.s.api.Get(ctx, u, tag)
		if err != nil {
			return false, err
		}
		if resp.NotModified {
			return n == 1, nil
		}
		var items []T
		if err := resp.Decode(&items); err != nil {
			return false, err
		}
		next, err := httpx.NextURL(resp.Header, u)
		if err != nil {
			return false, fmt.Errorf("GET %s: %w", u, err)
		}
		r.stats.Read += int64(len(items))
		pg := page{URL: u, First: n == 1, Last: next == ""}
		if pg.First && pg.Last {
			pg.ETag = resp.ETag()
		}
		if err := fn(items, pg); err != nil {
			if errors.Is(err, errStop) {
				return false, nil
			}
			return false, err
		}
		if next == "" || next == u {
			return false, nil
		}
		u = next
	}
	return false, fmt.Errorf("GET %s: more than %d pages", first, maxPages)
}

// issues reads issues and pull requests updated since the cursor: opened
// (thread_opened or pr_opened), merged (pr_merged) and the reviews of each
// pull request listed (review), committed page by page.
func (r *run) issues(ctx context.Context, rr *repoRun) error {
	ep := &rr.st.Issues
	u := rr.list("/issues", r.s.cfg.PerPage, ep.Since, url.Values{"state": {"all"}, "sort": {"updated"}, "direction": {"asc"}})
	_, err := walk(ctx, r, u, ep.etagFor(u), func(items []issue, pg page) error {
		var acts []domain.Activity
		var latest time.Time
		for i := range items {
			a, err := r.issueActivities(ctx, rr, &items[i])
			if err != nil {
				return err
			}
			acts = append(acts, a...)
			latest = later(latest, items[i].UpdatedAt)
		}
		ep.advance(latest)
		ep.notePage(pg)
		return r.commit(ctx, acts)
	})
	return err
}

func (r *run) issueActivities(ctx context.Context, rr *repoRun, it *issue) ([]domain.Activity, error) {
	actor, bot := r.actor(it.User)
	thread := rr.thread(it.Number)
	kind := domain.ActThreadOpened
	if it.PullRequest != nil {
		kind = domain.ActPROpened
	}
	acts := []domain.Activity{{
		Source: SourceName, ExternalID: fmt.Sprintf("issue:%d", it.ID), Kind: kind, At: it.CreatedAt,
		Actor: actor, Thread: thread, Title: it.Title, Bot: bot,
	}}
	if it.PullRequest == nil {
		return acts, nil
	}
	if it.State == "closed" {
		at, merged, err := r.mergedAt(ctx, rr, it)
		if err != nil {
			return nil, err
		}
		if merged {
			// The author is credited with the merge: it is their
			// contribution that landed.
			acts = append(acts, domain.Activity{
				Source: SourceName, ExternalID: fmt.Sprintf("merge:%d", it.ID), Kind: domain.ActPRMerged, At: at,
				Actor: actor, Thread: thread, Title: it.Title, Bot: bot,
			})
		}
	}
	reviews, err := r.reviews(ctx, rr, it.Number)
	if err != nil {
		return nil, err
	}
	return append(acts, reviews...), nil
}

// mergedAt says whether a closed pull request was merged, and when. The
// listing's pull_request.merged_at answers when present; otherwise GET
// /pulls/{n} does, where merged:true with merged_at:null (seen in
// sanitised recordings) falls back to closed_at.
func (r *run) mergedAt(ctx context.Context, rr *repoRun, it *issue) (time.Time, bool, error) {
	if raw := it.PullRequest.MergedAt; len(raw) > 0 {
		var t *time.Time
		if err := json.Unmarshal(raw, &t); err == nil {
			if t == nil || t.IsZero() {
				return time.Time{}, false, nil
			}
			return *t, true, nil
		}
	}
	resp, err := r.s.api.Get(ctx, rr.base+"/pulls/"+strconv.Itoa(it.Number), "")
	if err != nil {
		return time.Time{}, false, err
	}
	var p pull
	if err := resp.Decode(&p); err != nil {
		return time.Time{}, false, err
	}
	if !p.Merged && p.MergedAt.IsZero() {
		return time.Time{}, false, nil
	}
	for _, t := range []time.Time{p.MergedAt, p.ClosedAt, it.ClosedAt, it.UpdatedAt} {
		if !t.IsZero() {
			return t, true, nil
		}
	}
	return time.Time{}, true, nil // rejected by Validate: no time known
}

// reviews reads the submitted reviews of a pull request, with an in-memory
// ETag: a 304 means they were stored already.
func (r *run) reviews(ctx context.Context, rr *repoRun, number int) ([]domain.Activity, error) {
	u := rr.list("/pulls/"+strconv.Itoa(number)+"/reviews", r.s.cfg.PerPage, "", nil)
	var acts []domain.Activity
	_, err := walk(ctx, r, u, r.s.etags.Get(u), func(items []review, pg page) error {
		for _, rv := range items {
			if rv.SubmittedAt.IsZero() {
				continue // pending: not submitted yet
			}
			actor, bot := r.actor(rv.User)
			acts = append(acts, domain.Activity{
				Source: SourceName, ExternalID: fmt.Sprintf("review:%d", rv.ID), Kind: domain.ActReview,
				At: rv.SubmittedAt, Actor: actor, Thread: rr.thread(number), Bot: bot,
			})
		}
		if pg.First {
			r.pending = append(r.pending, etagNote{u, pg.ETag})
		}
		return nil
	})
	return acts, err
}

func (r *run) issueComments(ctx context.Context, rr *repoRun) error {
	return r.comments(ctx, rr, &rr.st.IssueComments, "/issues/comments", "comment",
		func(c *comment) string { return c.IssueURL })
}

func (r *run) reviewComments(ctx context.Context, rr *repoRun) error {
	return r.comments(ctx, rr, &rr.st.ReviewComments, "/pulls/comments", "review_comment",
		func(c *comment) string { return c.PullRequestURL })
}

// comments reads a repository-wide comment listing updated since the
// cursor: each comment is a reply in its issue's or pull request's thread.
func (r *run) comments(ctx context.Context, rr *repoRun, ep *endpoint, path, prefix string, parent func(*comment) string) error {
	u := rr.list(path, r.s.cfg.PerPage, ep.Since, url.Values{"sort": {"updated"}, "direction": {"asc"}})
	_, err := walk(ctx, r, u, ep.etagFor(u), func(items []comment, pg page) error {
		acts := make([]domain.Activity, 0, len(items))
		var latest time.Time
		for i := range items {
			c := &items[i]
			actor, bot := r.actor(c.User)
			var thread string
			if n := numberFromURL(parent(c)); n > 0 {
				thread = rr.thread(n)
			}
			acts = append(acts, domain.Activity{
				Source: SourceName, ExternalID: fmt.Sprintf("%s:%d", prefix, c.ID), Kind: domain.ActReply,
				At: c.CreatedAt, Actor: actor, Thread: thread, Bot: bot,
			})
			latest = later(latest, c.UpdatedAt)
		}
		ep.advance(latest)
		ep.notePage(pg)
		return r.commit(ctx, acts)
	})
	return err
}

// releases reads published releases, newest first, down to the first page
// holding nothing newer than the cursor. The cursor moves only when the
// walk ends (the listing runs backwards in time), so an interrupted walk is
// read again rather than skipped.
func (r *run) releases(ctx context.Context, rr *repoRun) error {
	ep := &rr.st.Releases
	since := ep.since()
	u := rr.list("/releases", r.s.cfg.PerPage, "", nil)
	var latest time.Time
	_, err := walk(ctx, r, u, ep.etagFor(u), func(items []release, pg page) error {
		acts := make([]domain.Activity, 0, len(items))
		recent := since.IsZero()
		for _, rl := range items {
			if rl.CreatedAt.After(since) || rl.PublishedAt.After(since) {
				recent = true
			}
			if rl.Draft || rl.PublishedAt.IsZero() || rl.PublishedAt.Before(since) {
				continue
			}
			actor, bot := r.actor(rl.Author)
			title := rl.Name
			if strings.TrimSpace(title) == "" {
				title = rl.TagName
			}
			acts = append(acts, domain.Activity{
				Source: SourceName, ExternalID: fmt.Sprintf("release:%d", rl.ID), Kind: domain.ActRelease,
				At: rl.PublishedAt, Actor: actor, Thread: "github:" + rr.key + "/releases/tag/" + rl.TagName,
				Title: title, Bot: bot,
			})
			latest = later(latest, rl.PublishedAt)
		}
		done := pg.Last || !recent
		if done {
			ep.advance(latest)
		}
		ep.notePage(pg)
		if err := r.commit(ctx, acts); err != nil {
			return err
		}
		if done {
			return errStop
		}
		return nil
	})
	return err
}

// milestones stores the repository's dated milestones as milestones of
// every project linked to it. Milestones without a due date are read and
// skipped. Nothing is requested when no project is linked.
func (r *run) milestones(ctx context.Context, rr *repoRun) error {
	projects, err := r.env.DB.ProjectsForRepo(ctx, rr.name)
	if err != nil {
		return err
	}
	if len(projects) == 0 {
		return nil
	}
	ep := &rr.st.Milestones
	u := rr.list("/milestones", r.s.cfg.PerPage, "", url.Values{"state": {"all"}})
	etag := ""
	if slices.Equal(ep.Projects, projects) {
		etag = ep.etagFor(u)
	}
	_, err = walk(ctx, r, u, etag, func(items []milestone, pg page) error {
		var ms []domain.Milestone
		var stored int64
		for _, m := range items {
			if m.DueOn.IsZero() {
				continue
			}
			if strings.TrimSpace(m.Title) == "" {
				r.stats.Rejected++
				r.log.Warn("milestone without a title rejected", "repo", rr.name, "number", m.Number)
				continue
			}
			var done time.Time
			if m.State == "closed" {
				done = m.ClosedAt
				if done.IsZero() {
					done = m.UpdatedAt
				}
			}
			for _, p := range projects {
				ms = append(ms, domain.Milestone{
					ProjectID: p, ExternalID: fmt.Sprintf("github:%s#%d", rr.key, m.Number),
					Title: m.Title, DueOn: m.DueOn, DoneOn: done,
				})
			}
			stored++
		}
		if len(ms) > 0 {
			if err := r.env.DB.AddMilestones(ctx, ms); err != nil {
				return err
			}
		}
		r.stats.Stored += stored
		ep.notePage(pg)
		ep.Projects = projects
		return r.commit(ctx, nil)
	})
	return err
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

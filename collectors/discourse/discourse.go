// Package discourse collects community activity from a Discourse forum:
// each topic's first post as thread_opened and every other post as reply.
//
// A run pages through /latest.json?order=activity (most recently bumped
// first, pinned topics on top) down to the first page with nothing newer
// than the cursor, then reads the new or updated topics oldest first —
// /t/{id}.json, and /t/{id}/posts.json for the posts beyond the first chunk —
// committing each topic's posts with the moved cursor. Requests are paced
// at RequestsPerMinute; 429s are waited out, 5xx and timeouts are
// collectors.Transient.
package discourse

import (
	"cmp"
	"context"
	"encoding/json"
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

// SourceName is the Activity.Source of Discourse activities; identities of
// Discourse usernames use it too.
const SourceName = "discourse"

// UserAgent is sent with every request.
const UserAgent = "EcoPulse-collector/1 (+https://github.com/ecopulse/ecopulse)"

// DefaultChunkSize is the number of posts asked per posts.json request when
// the topic does not say its chunk_size (Discourse's default is 20).
const DefaultChunkSize = 20

// maxPages guards the listing walk against a server that never ends it.
const maxPages = 100000

// Source collects one forum. Its request pacing holds across runs; Collect
// calls are serialised.
type Source struct {
	// Sleep waits for the pacing and for 429s (default: a real timer);
	// tests replace it.
	Sleep httpx.SleepFunc
	// Now is the clock of the pacing (default: the run's env.Now, else
	// time.Now).
	Now func() time.Time

	cfg  Config
	api  *httpx.Client
	cats map[int]bool

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
	s := &Source{cfg: cfg, cats: map[int]bool{}}
	for _, id := range cfg.Categories {
		s.cats[id] = true
	}
	s.api = &httpx.Client{
		HTTP:    client,
		MaxWait: cfg.MaxWait,
		Limiter: httpx.PerMinute(cfg.RequestsPerMinute),
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

func (s *Source) headers(log *slog.Logger) http.Header {
	h := http.Header{}
	h.Set("Accept", "application/json")
	h.Set("User-Agent", UserAgent)
	if s.cfg.APIKeyEnv != "" {
		key := strings.TrimSpace(os.Getenv(s.cfg.APIKeyEnv))
		if key == "" {
			log.Warn("API key variable is empty: reading anonymously", "variable", s.cfg.APIKeyEnv)
			return h
		}
		h.Set("Api-Key", key)
		if s.cfg.APIUsername != "" {
			h.Set("Api-Username", s.cfg.APIUsername)
		}
	}
	return h
}

// Collect reads the topics with posts newer than the cursor of env.Name
// and stores their posts, topic by topic, oldest first.
func (s *Source) Collect(ctx context.Context, env collectors.Env) (collectors.Stats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.envNow = env.Now
	log := env.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s.api.Header = s.headers(log)
	raw, err := env.DB.Cursor(ctx, env.Name)
	if err != nil {
		return collectors.Stats{}, err
	}
	cur, err := parseCursor(raw)
	if err != nil {
		return collectors.Stats{Cursor: raw}, fmt.Errorf("discourse: source %s: %w", env.Name, err)
	}
	r := &run{s: s, env: env, log: log, cur: cur, committed: raw}
	err = r.collect(ctx)
	r.stats.Cursor = r.committed
	if err != nil {
		return r.stats, fmt.Errorf("discourse %s: %w", s.cfg.BaseURL, err)
	}
	return r.stats, nil
}

// run is one Collect call.
type run struct {
	s         *Source
	env       collectors.Env
	log       *slog.Logger
	cur       *cursor
	committed string
	stats     collectors.Stats
}

func (r *run) collect(ctx context.Context) error {
	topics, err := r.list(ctx)
	if err != nil {
		return err
	}
	for _, t := range topics {
		if err := r.topic(ctx, t); err != nil {
			return fmt.Errorf("topic %d: %w", t.ID, err)
		}
	}
	return nil
}

// The parts of Discourse's JSON the collector reads.

type listedTopic struct {
	ID           int64     `json:"id"`
	Title        string    `json:"title"`
	PostsCount   int       `json:"posts_count"`
	CreatedAt    time.Time `json:"created_at"`
	LastPostedAt time.Time `json:"last_posted_at"` // zero when null
	BumpedAt     time.Time `json:"bumped_at"`
	Pinned       bool      `json:"pinned"`
	CategoryID   int       `json:"category_id"`
}

type topicList struct {
	TopicList struct {
		MoreTopicsURL string        `json:"more_topics_url"`
		Topics        []listedTopic `json:"topics"`
	} `json:"topic_list"`
}

type post struct {
	ID         int64      `json:"id"`
	PostNumber int        `json:"post_number"`
	PostType   int        `json:"post_type"`
	Username   string     `json:"username"`
	UserID     int64      `json:"user_id"`
	CreatedAt  time.Time  `json:"created_at"`
	DeletedAt  *time.Time `json:"deleted_at"`
}

type postStream struct {
	Posts  []post  `json:"posts"`
	Stream []int64 `json:"stream"`
}

type topic struct {
	ID         int64      `json:"id"`
	Title      string     `json:"title"`
	PostsCount int        `json:"posts_count"`
	ChunkSize  int        `json:"chunk_size"`
	PostStream postStream `json:"post_stream"`
}

// Discourse post types that are not contributions: moderator actions and
// small actions ("closed this topic", "pinned globally"…).
const (
	postTypeModeratorAction = 2
	postTypeSmallAction     = 3
)

// list pages through the latest topics and returns those with posts newer
// than the cursor, oldest first. Paging stops at the first page with no
// unpinned topic newer than the cursor: pinned topics sit on top whatever
// their age, so an old pinned topic is skipped without ending the walk.
// A topic without last_posted_at is skipped with a warning.
func (r *run) list(ctx context.Context) ([]listedTopic, error) {
	since := r.cur.since()
	seen := map[int64]bool{}
	var out []listedTopic
	page := 0
	for range maxPages {
		u := r.s.cfg.BaseURL + "/latest.json?order=activity"
		if page > 0 {
			u += "&page=" + strconv.Itoa(page)
		}
		resp, err := r.s.api.Get(ctx, u, "")
		if err != nil {
			return nil, err
		}
		var tl topicList
		if err := resp.Decode(&tl); err != nil {
			return nil, err
		}
		active := false
		for _, t := range tl.TopicList.Topics {
			if t.LastPostedAt.IsZero() {
				if !seen[t.ID] {
					seen[t.ID] = true
					r.stats.Read++
					r.log.Warn("topic without last_posted_at skipped", "topic", t.ID, "title", t.Title)
				}
				continue
			}
			isNew := r.cur.isNew(t.LastPostedAt, t.ID)
			if !t.Pinned && (isNew || t.BumpedAt.After(since)) {
				active = true
			}
			// A topic bumped while we page shows up twice: once is enough.
			if seen[t.ID] || !isNew || (len(r.s.cats) > 0 && !r.s.cats[t.CategoryID]) {
				continue
			}
			seen[t.ID] = true
			out = append(out, t)
		}
		if !active || len(tl.TopicList.Topics) == 0 {
			break
		}
		page = nextPage(tl.TopicList.MoreTopicsURL, page)
	}
	slices.SortStableFunc(out, func(a, b listedTopic) int {
		return cmp.Or(a.LastPostedAt.Compare(b.LastPostedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// nextPage returns the page more_topics_url points to, or the next one.
func nextPage(more string, page int) int {
	if u, err := url.Parse(more); err == nil && more != "" {
		if n, err := strconv.Atoi(u.Query().Get("page")); err == nil && n > page {
			return n
		}
	}
	return page + 1
}

// topic reads a topic's posts and commits them with the cursor moved past
// the topic. A topic gone or closed to us (404, 403, 410) since it was
// listed is skipped with a warning.
func (r *run) topic(ctx context.Context, lt listedTopic) error {
	base := r.s.cfg.BaseURL + "/t/" + strconv.FormatInt(lt.ID, 10)
	resp, err := r.s.api.Get(ctx, base+".json", "")
	if err != nil {
		switch httpx.StatusOf(err) {
		case http.StatusNotFound, http.StatusForbidden, http.StatusGone:
			r.log.Warn("topic skipped", "topic", lt.ID, "err", err)
			r.cur.advance(lt.LastPostedAt, lt.ID)
			return r.commit(ctx, nil)
		}
		return err
	}
	var t topic
	if err := resp.Decode(&t); err != nil {
		return err
	}
	posts := t.PostStream.Posts
	have := map[int64]bool{}
	for _, p := range posts {
		have[p.ID] = true
	}
	// posts_count beyond the posts returned (the first chunk_size): the
	// rest are the stream's other ids.
	var missing []int64
	if t.PostsCount > len(posts) {
		for _, id := range t.PostStream.Stream {
			if !have[id] {
				missing = append(missing, id)
				have[id] = true
			}
		}
	}
	chunk := t.ChunkSize
	if chunk <= 0 {
		chunk = DefaultChunkSize
	}
	for ids := range slices.Chunk(missing, chunk) {
		q := url.Values{}
		for _, id := range ids {
			q.Add("post_ids[]", strconv.FormatInt(id, 10))
		}
		resp, err := r.s.api.Get(ctx, base+"/posts.json?"+q.Encode(), "")
		if err != nil {
			return err
		}
		var more struct {
			PostStream postStream `json:"post_stream"`
		}
		if err := resp.Decode(&more); err != nil {
			return err
		}
		posts = append(posts, more.PostStream.Posts...)
	}
	title := t.Title
	if title == "" {
		title = lt.Title
	}
	r.stats.Read += int64(len(posts))
	r.cur.advance(lt.LastPostedAt, lt.ID)
	return r.commit(ctx, r.activities(lt.ID, title, posts))
}

func (r *run) activities(topicID int64, title string, posts []post) []domain.Activity {
	thread := fmt.Sprintf("discourse:topic/%d", topicID)
	seen := map[int64]bool{}
	acts := make([]domain.Activity, 0, len(posts))
	for _, p := range posts {
		if seen[p.ID] || p.DeletedAt != nil || p.PostType == postTypeModeratorAction || p.PostType == postTypeSmallAction {
			continue
		}
		seen[p.ID] = true
		a := domain.Activity{
			Source: SourceName, ExternalID: fmt.Sprintf("post:%d", p.ID), Kind: domain.ActReply,
			At: p.CreatedAt, Actor: p.Username, Thread: thread, Bot: isBot(p),
		}
		if p.PostNumber == 1 {
			a.Kind, a.Title = domain.ActThreadOpened, title
		}
		acts = append(acts, a)
	}
	return acts
}

// isBot reports Discourse's own accounts: system (-1), discobot (-2) and
// any other negative user id.
func isBot(p post) bool {
	u := strings.ToLower(p.Username)
	return u == "system" || u == "discobot" || p.UserID < 0
}

// commit stores activities and the cursor in one transaction.
func (r *run) commit(ctx context.Context, acts []domain.Activity) error {
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
	if len(valid) == 0 && cur == r.committed {
		return nil
	}
	n, err := r.env.DB.AddActivitiesWithCursor(ctx, valid, r.env.Name, r.committed, cur)
	if err != nil {
		return err
	}
	r.stats.Stored += int64(n)
	r.committed = cur
	return nil
}

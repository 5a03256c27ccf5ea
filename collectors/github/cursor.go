package github

import (
	"encoding/json"
	"fmt"
	"time"
)

// cursor is the GitHub source's stored cursor (JSON):
//
//	{"v":1,"repos":{"owner/name":{
//	  "issues":{"since":"2024-05-01T10:00:00Z","etag":"W/\"…\"","etag_url":"https://api.github.com/repos/…"},
//	  "issue_comments":{…},"review_comments":{…},"releases":{…},
//	  "milestones":{"etag":"…","etag_url":"…","projects":[3]}}}}
//
// Repository keys are lower case. since is the largest updated_at seen
// (published_at for releases); the next run asks for since=that time and
// the store's (source, external_id) uniqueness absorbs what is read twice.
// An ETag is kept only for a listing whose first page was its only page,
// and used only for the very URL it came from.
type cursor struct {
	V     int                    `json:"v"`
	Repos map[string]*repoCursor `json:"repos"`
}

const cursorVersion = 1

type repoCursor struct {
	Issues         endpoint `json:"issues"`
	IssueComments  endpoint `json:"issue_comments"`
	ReviewComments endpoint `json:"review_comments"`
	Releases       endpoint `json:"releases"`
	Milestones     endpoint `json:"milestones"`
}

type endpoint struct {
	Since   string `json:"since,omitempty"` // RFC 3339, UTC
	ETag    string `json:"etag,omitempty"`
	ETagURL string `json:"etag_url,omitempty"`
	// Projects are, for milestones, the projects the ETag's content was
	// stored for: linking a new project invalidates the ETag.
	Projects []int64 `json:"projects,omitempty"`
}

func parseCursor(s string) (*cursor, error) {
	c := &cursor{V: cursorVersion}
	if s != "" {
		if err := json.Unmarshal([]byte(s), c); err != nil {
			return nil, fmt.Errorf("unreadable cursor: %w", err)
		}
		if c.V != cursorVersion {
			return nil, fmt.Errorf("cursor version %d is not %d", c.V, cursorVersion)
		}
	}
	if c.Repos == nil {
		c.Repos = map[string]*repoCursor{}
	}
	return c, nil
}

func (c *cursor) repo(key string) *repoCursor {
	rc := c.Repos[key]
	if rc == nil {
		rc = &repoCursor{}
		c.Repos[key] = rc
	}
	return rc
}

func (e *endpoint) since() time.Time {
	t, _ := time.Parse(time.RFC3339, e.Since)
	return t
}

// advance moves since forward to t (never back).
func (e *endpoint) advance(t time.Time) {
	if !t.IsZero() && t.After(e.since()) {
		e.Since = t.UTC().Format(time.RFC3339)
	}
}

// etagFor returns the stored ETag when it belongs to u.
func (e *endpoint) etagFor(u string) string {
	if e.ETag != "" && e.ETagURL == u {
		return e.ETag
	}
	return ""
}

// notePage records the ETag of a listing's first page (empty unless it
// was the only page).
func (e *endpoint) notePage(pg page) {
	if !pg.First {
		return
	}
	e.ETag, e.ETagURL = pg.ETag, ""
	if pg.ETag != "" {
		e.ETagURL = pg.URL
	}
}

package discourse

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// cursor is the Discourse source's stored cursor (JSON):
//
//	{"v":1,"since":"2016-05-25T02:52:49.526Z","done":[1148]}
//
// since is the last_posted_at of the newest topic processed (topics are
// processed oldest first, so everything before it is stored); done lists
// the topics processed whose last_posted_at is exactly since, so that a
// tie is neither skipped nor fetched again.
type cursor struct {
	V     int     `json:"v"`
	Since string  `json:"since,omitempty"` // RFC 3339 with fraction, UTC
	Done  []int64 `json:"done,omitempty"`
}

const cursorVersion = 1

func parseCursor(s string) (*cursor, error) {
	c := &cursor{V: cursorVersion}
	if s == "" {
		return c, nil
	}
	if err := json.Unmarshal([]byte(s), c); err != nil {
		return nil, fmt.Errorf("unreadable cursor: %w", err)
	}
	if c.V != cursorVersion {
		return nil, fmt.Errorf("cursor version %d is not %d", c.V, cursorVersion)
	}
	if c.Since != "" {
		if _, err := time.Parse(time.RFC3339Nano, c.Since); err != nil {
			return nil, fmt.Errorf("unreadable cursor time: %w", err)
		}
	}
	return c, nil
}

func (c *cursor) since() time.Time {
	t, _ := time.Parse(time.RFC3339Nano, c.Since)
	return t
}

// isNew reports whether a topic last posted in at has posts not yet stored.
func (c *cursor) isNew(at time.Time, id int64) bool {
	s := c.since()
	return at.After(s) || (at.Equal(s) && !slices.Contains(c.Done, id))
}

// advance records that topic id, last posted in at, is stored.
func (c *cursor) advance(at time.Time, id int64) {
	s := c.since()
	switch {
	case at.After(s):
		c.Since = at.UTC().Format(time.RFC3339Nano)
		c.Done = []int64{id}
	case at.Equal(s) && !slices.Contains(c.Done, id):
		c.Done = append(c.Done, id)
	}
}

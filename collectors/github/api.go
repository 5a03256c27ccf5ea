package github

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// The parts of GitHub's REST API objects the collector reads. Timestamps
// that are null or absent decode as the zero time.

type user struct {
	Login string `json:"login"`
	Type  string `json:"type"` // "User", "Bot", "Organization"
}

// issue is an item of GET /repos/{o}/{r}/issues: an issue, or a pull request
// when PullRequest is set.
type issue struct {
	ID          int64        `json:"id"`
	Number      int          `json:"number"`
	Title       string       `json:"title"`
	User        *user        `json:"user"`
	State       string       `json:"state"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
	ClosedAt    time.Time    `json:"closed_at"`
	PullRequest *pullRequest `json:"pull_request"`
}

// pullRequest is an issue's pull_request member. Today's API carries
// merged_at in it; older recordings do not (MergedAt is then nil, and
// "null" when present and null).
type pullRequest struct {
	URL      string          `json:"url"`
	MergedAt json.RawMessage `json:"merged_at"`
}

// pull is GET /repos/{o}/{r}/pulls/{n}.
type pull struct {
	ID       int64     `json:"id"`
	Number   int       `json:"number"`
	State    string    `json:"state"`
	Merged   bool      `json:"merged"`
	MergedAt time.Time `json:"merged_at"`
	ClosedAt time.Time `json:"closed_at"`
}

// comment is an issue comment or a pull request review comment.
type comment struct {
	ID             int64     `json:"id"`
	User           *user     `json:"user"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	IssueURL       string    `json:"issue_url"`
	PullRequestURL string    `json:"pull_request_url"`
}

type review struct {
	ID          int64     `json:"id"`
	User        *user     `json:"user"`
	State       string    `json:"state"`
	SubmittedAt time.Time `json:"submitted_at"` // zero while PENDING
}

type release struct {
	ID          int64     `json:"id"`
	TagName     string    `json:"tag_name"`
	Name        string    `json:"name"`
	Draft       bool      `json:"draft"`
	Author      *user     `json:"author"`
	CreatedAt   time.Time `json:"created_at"`
	PublishedAt time.Time `json:"published_at"` // zero for drafts
}

type milestone struct {
	ID        int64     `json:"id"`
	Number    int       `json:"number"`
	Title     string    `json:"title"`
	State     string    `json:"state"`
	DueOn     time.Time `json:"due_on"`
	ClosedAt  time.Time `json:"closed_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// numberFromURL returns the trailing number of an API URL such as
// …/issues/12 or …/pulls/12 (0 if none).
func numberFromURL(u string) int {
	i := strings.LastIndexByte(u, '/')
	n, err := strconv.Atoi(u[i+1:])
	if err != nil || n < 0 {
		return 0
	}
	return n
}

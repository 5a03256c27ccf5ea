// Package data holds EcoPulse's domain types and its SQLite store.
//
// Domain types live in this one file (in the manner of WTF Dial) so that every
// other package speaks the same language. data imports none of EcoPulse's other
// packages; metrics may import these types and nothing else from here.
package data

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// DateLayout is how calendar dates are stored and exchanged.
const DateLayout = "2006-01-02"

// Day truncates t to the start of its UTC calendar day.
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ParseDay parses a YYYY-MM-DD date as a UTC day.
func ParseDay(s string) (time.Time, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, Errorf(EINVALID, "invalid date %q: want YYYY-MM-DD", s)
	}
	return t, nil
}

// MemberKind says what kind of party a member is.
type MemberKind string

const (
	KindPartner      MemberKind = "partner"
	KindDeveloperOrg MemberKind = "developer_org"
	KindResearch     MemberKind = "research"
	KindInternal     MemberKind = "internal"
)

// Valid reports whether k is one of the known kinds.
func (k MemberKind) Valid() bool {
	switch k {
	case KindPartner, KindDeveloperOrg, KindResearch, KindInternal:
		return true
	}
	return false
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// ValidSlug reports whether s is a usable URL slug.
func ValidSlug(s string) bool { return slugRE.MatchString(s) }

// Member is a party of the ecosystem.
type Member struct {
	ID       int64      `json:"id"`
	Slug     string     `json:"slug"`
	Name     string     `json:"name"`
	Kind     MemberKind `json:"kind"`
	Tier     string     `json:"tier"`
	Segment  string     `json:"segment"`
	JoinedOn time.Time  `json:"joined_on"`
}

// Validate returns an EINVALID error when m cannot be stored.
func (m *Member) Validate() error {
	switch {
	case !ValidSlug(m.Slug):
		return Errorf(EINVALID, "member slug %q must be lower-case letters, digits and dashes", m.Slug)
	case strings.TrimSpace(m.Name) == "":
		return Errorf(EINVALID, "member %q needs a name", m.Slug)
	case !m.Kind.Valid():
		return Errorf(EINVALID, "member %q has unknown kind %q", m.Slug, m.Kind)
	case m.JoinedOn.IsZero():
		return Errorf(EINVALID, "member %q needs a joined date", m.Slug)
	}
	return nil
}

// Person is someone who takes part in the community. Identities (per-source
// logins) and e-mail addresses link collected activity to a person.
type Person struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"-"` // kept for affiliation only, never shown
}

// Validate returns an EINVALID error when p cannot be stored.
func (p *Person) Validate() error {
	if strings.TrimSpace(p.Name) == "" {
		return Errorf(EINVALID, "person needs a name")
	}
	return nil
}

// Identity ties a login on one source (github, discourse…) to a person.
type Identity struct {
	PersonID int64  `json:"person_id"`
	Source   string `json:"source"`
	Login    string `json:"login"`
}

// Affiliation says that a person belonged to a member over [From, To).
// A zero To means the affiliation is still open.
type Affiliation struct {
	PersonID int64     `json:"person_id"`
	MemberID int64     `json:"member_id"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to,omitempty"`
}

// Validate returns an EINVALID error when a cannot be stored.
func (a *Affiliation) Validate() error {
	switch {
	case a.PersonID == 0 || a.MemberID == 0:
		return Errorf(EINVALID, "affiliation needs a person and a member")
	case a.From.IsZero():
		return Errorf(EINVALID, "affiliation needs a start date")
	case !a.To.IsZero() && !a.To.After(a.From):
		return Errorf(EINVALID, "affiliation ends (%s) before it starts (%s)", a.To.Format(DateLayout), a.From.Format(DateLayout))
	}
	return nil
}

// APIConsumer is an API key, application or consumer name seen at the
// gateway. MemberID is zero for consumers not (yet) mapped to a member: their
// traffic is counted, never dropped.
type APIConsumer struct {
	ID       int64  `json:"id"`
	Key      string `json:"key"`
	Name     string `json:"name"`
	MemberID int64  `json:"member_id,omitempty"`
}

// Validate returns an EINVALID error when c cannot be stored.
func (c *APIConsumer) Validate() error {
	if strings.TrimSpace(c.Key) == "" {
		return Errorf(EINVALID, "API consumer needs a key")
	}
	return nil
}

// UsageRollup is API traffic pre-aggregated per (bucket, consumer, endpoint,
// status class). Bucket is the start of the hour (or day) in UTC.
type UsageRollup struct {
	Bucket       time.Time `json:"bucket"`
	ConsumerID   int64     `json:"consumer_id"`
	Endpoint     string    `json:"endpoint"`
	StatusClass  int       `json:"status_class"` // 1..5 for 1xx..5xx
	Calls        int64     `json:"calls"`
	Bytes        int64     `json:"bytes"`
	LatencySumMS float64   `json:"latency_sum_ms"`
	Latency      Histogram `json:"-"`
}

// Validate returns an EINVALID error when r cannot be stored.
func (r *UsageRollup) Validate() error {
	switch {
	case r.ConsumerID == 0:
		return Errorf(EINVALID, "usage rollup needs a consumer")
	case r.StatusClass < 1 || r.StatusClass > 5:
		return Errorf(EINVALID, "status class %d is not 1..5", r.StatusClass)
	case r.Calls < 0 || r.Bytes < 0:
		return Errorf(EINVALID, "usage counts cannot be negative")
	case r.Bucket.IsZero():
		return Errorf(EINVALID, "usage rollup needs a time bucket")
	}
	return nil
}

// Project states.
const (
	ProjectPlanned   = "planned"
	ProjectActive    = "active"
	ProjectCompleted = "completed"
	ProjectCancelled = "cancelled"
)

// Project is a cooperation project (a cooperation agreement in the seed's words).
type Project struct {
	ID      int64          `json:"id"`
	Slug    string         `json:"slug"`
	Name    string         `json:"name"`
	Scope   string         `json:"scope"`
	Terms   string         `json:"terms"`
	Status  string         `json:"status"`
	StartOn time.Time      `json:"start_on"`
	EndOn   time.Time      `json:"end_on,omitempty"`
	Source  string         `json:"source"`
	Parties []ProjectParty `json:"parties"`
}

// ProjectParty is a member taking part in a project, with its role.
type ProjectParty struct {
	MemberID int64  `json:"member_id"`
	Role     string `json:"role"`
}

// Validate returns an EINVALID error when p cannot be stored.
func (p *Project) Validate() error {
	switch {
	case !ValidSlug(p.Slug):
		return Errorf(EINVALID, "project slug %q must be lower-case letters, digits and dashes", p.Slug)
	case strings.TrimSpace(p.Name) == "":
		return Errorf(EINVALID, "project %q needs a name", p.Slug)
	case p.StartOn.IsZero():
		return Errorf(EINVALID, "project %q needs a start date", p.Slug)
	case !p.EndOn.IsZero() && p.EndOn.Before(p.StartOn):
		return Errorf(EINVALID, "project %q ends before it starts", p.Slug)
	}
	switch p.Status {
	case ProjectPlanned, ProjectActive, ProjectCompleted, ProjectCancelled:
	default:
		return Errorf(EINVALID, "project %q has unknown status %q", p.Slug, p.Status)
	}
	seen := map[int64]bool{}
	for _, party := range p.Parties {
		if party.MemberID == 0 {
			return Errorf(EINVALID, "project %q has a party without a member", p.Slug)
		}
		if seen[party.MemberID] {
			return Errorf(EINVALID, "project %q lists member %d twice", p.Slug, party.MemberID)
		}
		seen[party.MemberID] = true
	}
	return nil
}

// Milestone is a dated deliverable of a project. DoneOn is zero while open.
type Milestone struct {
	ID         int64     `json:"id"`
	ProjectID  int64     `json:"project_id"`
	ExternalID string    `json:"external_id"`
	Title      string    `json:"title"`
	DueOn      time.Time `json:"due_on"`
	DoneOn     time.Time `json:"done_on,omitempty"`
}

// Validate returns an EINVALID error when m cannot be stored.
func (m *Milestone) Validate() error {
	switch {
	case m.ProjectID == 0:
		return Errorf(EINVALID, "milestone needs a project")
	case strings.TrimSpace(m.Title) == "":
		return Errorf(EINVALID, "milestone needs a title")
	case m.DueOn.IsZero():
		return Errorf(EINVALID, "milestone %q needs a due date", m.Title)
	}
	return nil
}

// Activity kinds.
const (
	ActThreadOpened = "thread_opened" // forum topic or issue opened
	ActReply        = "reply"         // post or comment
	ActPROpened     = "pr_opened"
	ActPRMerged     = "pr_merged"
	ActReview       = "review"
	ActRelease      = "release"
	ActEvent        = "event_attendance"
)

// Activity is one community event. MemberID is resolved through the actor's
// affiliation at the time of the event; zero means unaffiliated.
type Activity struct {
	ID         int64     `json:"id"`
	Source     string    `json:"source"`
	ExternalID string    `json:"external_id"`
	Kind       string    `json:"kind"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	PersonID   int64     `json:"person_id,omitempty"`
	MemberID   int64     `json:"member_id,omitempty"`
	Thread     string    `json:"thread"`
	Title      string    `json:"title,omitempty"`
	Bot        bool      `json:"bot"`
}

// Validate returns an EINVALID error when a cannot be stored.
func (a *Activity) Validate() error {
	switch {
	case a.Source == "" || a.ExternalID == "":
		return Errorf(EINVALID, "activity needs a source and an external id")
	case a.Kind == "":
		return Errorf(EINVALID, "activity %s/%s needs a kind", a.Source, a.ExternalID)
	case a.At.IsZero():
		return Errorf(EINVALID, "activity %s/%s needs a time", a.Source, a.ExternalID)
	case a.Actor == "":
		return Errorf(EINVALID, "activity %s/%s needs an actor", a.Source, a.ExternalID)
	}
	return nil
}

// Health status bands.
const (
	StatusHealthy = "healthy"
	StatusWatch   = "watch"
	StatusAtRisk  = "at_risk"
	StatusNoData  = "no_data"
)

// Health dimensions, in the order of MemberScore.Dimensions.
var Dimensions = [4]string{"api", "projects", "community", "cooperation"}

// MemberScore is a member's score on a day (over a trailing window).
// A dimension without data in the window is NaN in memory and NULL in SQL.
type MemberScore struct {
	Day        time.Time  `json:"day"`
	MemberID   int64      `json:"member_id"`
	T          float64    `json:"T"`
	I          float64    `json:"I"`
	M          float64    `json:"M"`
	C          float64    `json:"C"`
	K          float64    `json:"K"`
	Phi        float64    `json:"phi"`
	Health     float64    `json:"health"`
	Dimensions [4]float64 `json:"-"`
	Status     string     `json:"status"`
}

// Edge is a cooperation tie K_ij between two members (A < B).
type Edge struct {
	A int64   `json:"a"`
	B int64   `json:"b"`
	K float64 `json:"k"`
}

// EcosystemScore is the ecosystem total on a day.
type EcosystemScore struct {
	Day          time.Time `json:"day"`
	R            float64   `json:"R"`
	Health       float64   `json:"health"`
	Members      int       `json:"active_members"`
	Consumers    int       `json:"api_consumers"`
	Contributors int       `json:"contributors"`
}

// DayScores is everything the scoring job stores for one day.
type DayScores struct {
	Ecosystem EcosystemScore
	Members   []MemberScore
	Edges     []Edge
}

// CollectorRun statuses.
const (
	RunRunning   = "running"
	RunSucceeded = "succeeded"
	RunFailed    = "failed"
)

// CollectorRun records one run of a collector.
type CollectorRun struct {
	ID            int64     `json:"id"`
	Source        string    `json:"source"`
	StartedAt     time.Time `json:"started_at"`
	EndedAt       time.Time `json:"ended_at,omitempty"`
	Status        string    `json:"status"`
	ItemsRead     int64     `json:"items_read"`
	ItemsStored   int64     `json:"items_stored"`
	ItemsRejected int64     `json:"items_rejected"`
	Error         string    `json:"error,omitempty"`
	Cursor        string    `json:"cursor,omitempty"`
}

// ISOWeek names the ISO week of t as YYYY-Www.
func ISOWeek(t time.Time) string {
	y, w := t.UTC().ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

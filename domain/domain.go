// Package domain is EcoPulse's vocabulary: members, people, projects, usage
// records and totals, the latency histogram, the scoring window's inputs,
// scores and their reasons, users, tokens and the error type.
//
// It holds no SQL and imports none of EcoPulse's other packages (in the manner
// of WTF Dial's root package), so that the pure scoring model and the push
// decoder link no database driver. data is the SQLite implementation of the
// store that keeps these types.
package domain

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
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
		return time.Time{}, ErrorKey(EINVALID, "errors.query.date", Facts{"Value": quoted(s)}, "invalid date %q: want YYYY-MM-DD", s)
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
	// Identity hints the other sources match against: e-mail and web
	// domains (affiliation of people), GitHub organisations, and API-key or
	// consumer-name patterns with * as a wildcard (mapping of consumers).
	Domains     []string `json:"domains"`
	GitHubOrgs  []string `json:"github_orgs"`
	KeyPatterns []string `json:"key_patterns"`
	// ArchivedOn is the first day the member is no longer scored (zero:
	// active). An archived member keeps its history and can be restored.
	ArchivedOn time.Time `json:"-"`
	// MergedInto is the slug of the member this one was merged into ("" if
	// none); a merged member stays archived.
	MergedInto string `json:"merged_into,omitempty"`
}

// Bounds of a member's fields: whatever the source (a form, JSON, a
// registry file), a member that does not fit is refused with the field named.
const (
	MaxMemberNameLen  = 200
	MaxMemberLabelLen = 64 // tier, segment
	MaxMemberHints    = 50 // per kind of hint
	MaxMemberHintLen  = 253
)

var (
	domainRE     = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$`)
	githubOrgRE  = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]{0,37}[a-z0-9])?$`)
	keyPatternRE = regexp.MustCompile(`^[\x21-\x7e]+$`) // printable ASCII, no spaces
	earliestDay  = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	latestDay    = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Archived reports whether m is archived.
func (m *Member) Archived() bool { return !m.ArchivedOn.IsZero() }

// Validate returns an EINVALID error, naming the field, when m cannot be
// stored.
func (m *Member) Validate() error {
	switch {
	case !ValidSlug(m.Slug):
		return ErrorKey(EINVALID, "errors.member.slug", Facts{"Slug": quoted(TruncateForError(m.Slug))}, "slug: %q must be 1–63 lower-case letters, digits and dashes, starting with a letter or digit", TruncateForError(m.Slug))
	case strings.TrimSpace(m.Name) == "":
		return ErrorKey(EINVALID, "errors.member.name_required", Facts{"Slug": quoted(m.Slug)}, "name: member %q needs a name", m.Slug)
	case utf8.RuneCountInString(m.Name) > MaxMemberNameLen || !utf8.ValidString(m.Name):
		return ErrorKey(EINVALID, "errors.member.name_too_long", Facts{"Slug": quoted(m.Slug), "Max": MaxMemberNameLen}, "name: member %q has a name longer than %d characters or not UTF-8", m.Slug, MaxMemberNameLen)
	case !m.Kind.Valid():
		return ErrorKey(EINVALID, "errors.member.kind", Facts{"Slug": quoted(m.Slug), "Kind": quoted(TruncateForError(string(m.Kind)))}, "kind: member %q has unknown kind %q (want partner, developer_org, research or internal)", m.Slug, TruncateForError(string(m.Kind)))
	case len(m.Tier) > MaxMemberLabelLen || !utf8.ValidString(m.Tier):
		return ErrorKey(EINVALID, "errors.member.tier_too_long", Facts{"Slug": quoted(m.Slug), "Max": MaxMemberLabelLen}, "tier: member %q has a tier longer than %d bytes", m.Slug, MaxMemberLabelLen)
	case len(m.Segment) > MaxMemberLabelLen || !utf8.ValidString(m.Segment):
		return ErrorKey(EINVALID, "errors.member.segment_too_long", Facts{"Slug": quoted(m.Slug), "Max": MaxMemberLabelLen}, "segment: member %q has a segment longer than %d bytes", m.Slug, MaxMemberLabelLen)
	case m.JoinedOn.IsZero():
		return ErrorKey(EINVALID, "errors.member.joined_required", Facts{"Slug": quoted(m.Slug)}, "joined: member %q needs a joined date", m.Slug)
	case m.JoinedOn.Before(earliestDay) || !m.JoinedOn.Before(latestDay):
		return ErrorKey(EINVALID, "errors.member.joined_out_of_range", Facts{"Slug": quoted(m.Slug), "Day": m.JoinedOn.Format(DateLayout)}, "joined: member %q has a joined date out of range (%s)", m.Slug, m.JoinedOn.Format(DateLayout))
	case m.Archived() && m.ArchivedOn.Before(m.JoinedOn):
		return ErrorKey(EINVALID, "errors.member.archived_before_joined", Facts{"Slug": quoted(m.Slug), "Archived": m.ArchivedOn.Format(DateLayout), "Joined": m.JoinedOn.Format(DateLayout)},
			"archived: member %q cannot be archived (%s) before it joined (%s)", m.Slug, m.ArchivedOn.Format(DateLayout), m.JoinedOn.Format(DateLayout))
	}
	for _, h := range []struct {
		field          string
		list           []string
		re             *regexp.Regexp
		tooMany, entry string // message keys: each field is named in its words
	}{
		{"domains", m.Domains, domainRE, "errors.member.domains_too_many", "errors.member.domains_invalid"},
		{"github_orgs", m.GitHubOrgs, githubOrgRE, "errors.member.github_orgs_too_many", "errors.member.github_orgs_invalid"},
		{"key_patterns", m.KeyPatterns, keyPatternRE, "errors.member.key_patterns_too_many", "errors.member.key_patterns_invalid"},
	} {
		if len(h.list) > MaxMemberHints {
			return ErrorKey(EINVALID, h.tooMany, Facts{"Slug": quoted(m.Slug), "Max": MaxMemberHints}, "%s: member %q has more than %d", h.field, m.Slug, MaxMemberHints)
		}
		for _, v := range h.list {
			if len(v) > MaxMemberHintLen || !h.re.MatchString(v) {
				return ErrorKey(EINVALID, h.entry, Facts{"Slug": quoted(m.Slug), "Value": quoted(TruncateForError(v))}, "%s: member %q has an invalid entry %q", h.field, m.Slug, TruncateForError(v))
			}
		}
	}
	return nil
}

// Normalize trims a member's text fields and tidies its hint lists (trimmed,
// lower-cased where case does not matter, empty entries and repeats
// dropped), so that every way in stores the same member the same way.
func (m *Member) Normalize() {
	m.Slug = strings.TrimSpace(m.Slug)
	m.Name = strings.TrimSpace(m.Name)
	m.Kind = MemberKind(strings.TrimSpace(string(m.Kind)))
	m.Tier = strings.TrimSpace(m.Tier)
	m.Segment = strings.TrimSpace(m.Segment)
	m.Domains = TidyHints(m.Domains, true)
	m.GitHubOrgs = TidyHints(m.GitHubOrgs, true)
	m.KeyPatterns = TidyHints(m.KeyPatterns, false)
}

func TidyHints(in []string, fold bool) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, v := range in {
		v = strings.TrimSpace(v)
		if fold {
			v = strings.ToLower(v)
		}
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
	}
	return out
}

// TruncateForError keeps an error message about a hostile value short.
func TruncateForError(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
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
		return ErrorKey(EINVALID, "errors.project.slug", Facts{"Slug": quoted(p.Slug)}, "project slug %q must be lower-case letters, digits and dashes", p.Slug)
	case strings.TrimSpace(p.Name) == "":
		return ErrorKey(EINVALID, "errors.project.name_required", Facts{"Slug": quoted(p.Slug)}, "project %q needs a name", p.Slug)
	case p.StartOn.IsZero():
		return ErrorKey(EINVALID, "errors.project.start_required", Facts{"Slug": quoted(p.Slug)}, "project %q needs a start date", p.Slug)
	case !p.EndOn.IsZero() && p.EndOn.Before(p.StartOn):
		return ErrorKey(EINVALID, "errors.project.ends_before_start", Facts{"Slug": quoted(p.Slug)}, "project %q ends before it starts", p.Slug)
	}
	switch p.Status {
	case ProjectPlanned, ProjectActive, ProjectCompleted, ProjectCancelled:
	default:
		return ErrorKey(EINVALID, "errors.project.status", Facts{"Slug": quoted(p.Slug), "Status": quoted(p.Status)}, "project %q has unknown status %q", p.Slug, p.Status)
	}
	seen := map[int64]bool{}
	for _, party := range p.Parties {
		if party.MemberID == 0 {
			return ErrorKey(EINVALID, "errors.project.party_without_member", Facts{"Slug": quoted(p.Slug)}, "project %q has a party without a member", p.Slug)
		}
		if seen[party.MemberID] {
			return ErrorKey(EINVALID, "errors.project.party_twice", Facts{"Slug": quoted(p.Slug), "Member": party.MemberID}, "project %q lists member %d twice", p.Slug, party.MemberID)
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
		return ErrorKey(EINVALID, "errors.milestone.project_required", nil, "milestone needs a project")
	case strings.TrimSpace(m.Title) == "":
		return ErrorKey(EINVALID, "errors.milestone.title_required", nil, "milestone needs a title")
	case m.DueOn.IsZero():
		return ErrorKey(EINVALID, "errors.milestone.due_required", Facts{"Title": quoted(m.Title)}, "milestone %q needs a due date", m.Title)
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
	// Changes are what fell against the member's baseline or targets
	// (Score < 1), worst first; Changes[0] is the member's main reason.
	Changes []Change `json:"changes,omitempty"`
}

// Reason is the member's main change, or nil when nothing fell.
func (s *MemberScore) Reason() *Change {
	if len(s.Changes) == 0 {
		return nil
	}
	return &s.Changes[0]
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
	Health       float64   `json:"health"`      // C-weighted mean of member health
	HealthMean   *float64  `json:"health_mean"` // plain mean of member health; nil for days scored before it was kept
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

// Package registry applies the cooperation-projects registry: the file that
// partnership teams keep (a YAML file, or a CSV exported from their
// spreadsheet) listing projects, their parties, milestones and repositories.
// The file is re-read on every run and applied idempotently: applying the
// same file twice changes nothing.
//
// # YAML
//
//	members:                          # optional; applied before projects
//	  - slug: acme                    # required: lower-case letters, digits, dashes
//	    name: Acme AI                 # required
//	    kind: partner                 # required: partner, developer_org, research, internal
//	    joined: 2025-01-15            # required, YYYY-MM-DD
//	    segment: NLP                  # optional
//	    tier: gold                    # optional
//	    domains: [acme.com, acme.cn]  # optional identity hints: e-mail/web domains,
//	    github_orgs: [acme-ai]        # GitHub organisations,
//	    key_patterns: ["acme-*"]      # API-key or consumer patterns (* wildcard)
//	projects:
//	  - slug: speech-kit              # required: lower-case letters, digits, dashes
//	    name: Speech Kit              # required
//	    scope: On-device ASR SDK      # optional
//	    terms: Revenue share 70/30    # optional
//	    status: active                # required: planned, active, completed, cancelled
//	    start: 2026-01-15             # required, YYYY-MM-DD
//	    end: 2026-12-31               # optional, not before start
//	    repos: [acme/speech-kit]      # optional: owner/repo, linked to the project
//	    parties:                      # members by slug; each member once
//	      - {member: acme, role: lead}
//	      - {member: beta-labs, role: contributor}
//	    milestones:                   # id: stable key within the project
//	      - {id: m1, title: Beta SDK, due: 2026-03-01, done: 2026-02-27}
//	      - {id: m2, title: GA, due: 2026-06-30}
//
// Keys other than these are an error for the project that has them (a typo
// must not drop milestones silently).
//
// # CSV
//
// The first row names the columns, in any order, case-insensitive:
//
//	project,name,scope,terms,status,start,end,repos,member,role,milestone_id,milestone_title,due,done
//
// Only project is required. Each row belongs to the project in its project
// column (rows of a project need not be adjacent) and carries project fields
// (repeated on every row or given once: non-empty values must agree), a party
// (member, role) and/or a milestone (milestone_id, milestone_title, due,
// done); repos holds repositories separated by spaces or semicolons. Blank
// rows and rows starting with # are skipped; other columns (notes, owner…)
// are ignored. A header of semicolon-separated columns (a spreadsheet's
// export in some locales) makes ';' the separator.
//
// A members file may also be a CSV whose header has slug and kind columns
// (and no project column): one member per row, the keys above as columns,
// list values separated by spaces, commas or semicolons.
//
// Members are created or brought up to date (never deleted, never archived:
// that is done on the members page or with ecopulse member archive), each
// whole or not at all, with the same checks as the page, the JSON API and
// the command.
//
// # Errors
//
// A project is applied whole or not at all: any problem in it — an unknown
// member, a bad date, an end before the start, a member listed twice, an
// unknown key — rejects the project, reported as "line N: reason" with the
// line of the offending row (CSV) or key (YAML); the other projects still
// apply. Collect counts projects read, stored and rejected; Rejected lists
// the reasons of the last run, which are also logged at Warn level. Collect
// returns an error only when the file cannot be read or parsed at all, or the
// database fails. Projects or milestones deleted from the file are not
// deleted from the database.
package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ecopulse/ecopulse/collectors"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// ProjectSource is the Source of the projects the registry stores.
const ProjectSource = "registry"

// Config configures the registry source.
type Config struct {
	Path   string `yaml:"path"`   // the registry file
	Format string `yaml:"format"` // "yaml", "csv", or "" to go by the file's extension
}

// Source applies a registry file.
type Source struct {
	path   string
	format string

	mu       sync.Mutex
	rejected []string
}

var _ collectors.Source = (*Source)(nil)

// New checks cfg and returns the source.
func New(cfg Config) (*Source, error) {
	if strings.TrimSpace(cfg.Path) == "" {
		return nil, domain.Errorf(domain.EINVALID, "registry: path must name the registry file")
	}
	format := strings.ToLower(strings.TrimSpace(cfg.Format))
	if format == "" {
		switch strings.ToLower(filepath.Ext(cfg.Path)) {
		case ".yaml", ".yml":
			format = "yaml"
		case ".csv":
			format = "csv"
		default:
			return nil, domain.Errorf(domain.EINVALID, "registry: cannot tell the format of %s from its extension: set format to yaml or csv", cfg.Path)
		}
	}
	switch format {
	case "yml":
		format = "yaml"
	case "yaml", "csv":
	default:
		return nil, domain.Errorf(domain.EINVALID, "registry: unknown format %q: want yaml or csv", cfg.Format)
	}
	return &Source{path: cfg.Path, format: format}, nil
}

// Rejected returns the reasons of the last run's rejected projects and rows,
// each as "line N: reason", in file order.
func (s *Source) Rejected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.rejected)
}

// entry is one project as read from the file, before checking.
type entry struct {
	line       int  // where the project starts
	malformed  bool // not a project at all (its problem says why)
	slug       field
	name       field
	scope      field
	terms      field
	status     field
	start      field
	end        field
	parties    []partyEntry
	milestones []milestoneEntry
	repos      []field
	problems   []problem
}

// field is a value with the line it came from.
type field struct {
	v    string
	line int
}

type partyEntry struct {
	line   int
	member string
	role   string
}

type milestoneEntry struct {
	line  int
	id    field
	title field
	due   field
	done  field
}

type problem struct {
	line   int
	reason string
}

func (p problem) String() string { return fmt.Sprintf("line %d: %s", p.line, p.reason) }

func (e *entry) problem(line int, format string, args ...any) {
	e.problems = append(e.problems, problem{line, fmt.Sprintf(format, args...)})
}

// parsed is what a parser returns: projects, and rows that belong to none.
type parsed struct {
	members []*memberEntry
	entries []*entry
	orphans []problem
}

// Collect reads the file and applies every valid project.
func (s *Source) Collect(ctx context.Context, env collectors.Env) (collectors.Stats, error) {
	log := env.Log
	if log == nil {
		log = slog.Default()
	}
	b, err := os.ReadFile(s.path)
	if err != nil {
		return collectors.Stats{}, fmt.Errorf("registry: unable to read %s: %w", s.path, err)
	}
	var p *parsed
	if s.format == "csv" {
		p, err = parseCSV(b)
	} else {
		p, err = parseYAML(b)
	}
	if err != nil {
		return collectors.Stats{}, fmt.Errorf("registry: unable to parse %s: %w", s.path, err)
	}
	sum := sha256.Sum256(b)
	st := collectors.Stats{Cursor: "sha256:" + hex.EncodeToString(sum[:8])}
	a := applier{db: env.DB, members: map[string]int64{}}
	var rejected []problem
	for _, o := range p.orphans {
		st.Read++
		st.Rejected++
		rejected = append(rejected, o)
	}
	// Members first: the projects below may name them.
	stored, memberProblems, err := applyMembers(ctx, env.DB, env.Name, p.members)
	st.Read += int64(len(p.members))
	st.Stored += int64(stored)
	st.Rejected += int64(len(p.members) - stored)
	rejected = append(rejected, memberProblems...)
	if err != nil {
		return st, err
	}
	seen := map[string]int{}
	for _, e := range p.entries {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		st.Read++
		if first, dup := seen[e.slug.v]; dup && e.slug.v != "" {
			e.problem(e.line, "project %s is listed twice (first on line %d)", e.slug.v, first)
		} else {
			seen[e.slug.v] = e.line
		}
		if err := a.apply(ctx, e); err != nil {
			return st, err
		}
		if len(e.problems) > 0 {
			st.Rejected++
			rejected = append(rejected, e.problems...)
			continue
		}
		st.Stored++
	}
	slices.SortStableFunc(rejected, func(x, y problem) int { return x.line - y.line })
	reasons := make([]string, len(rejected))
	for i, r := range rejected {
		reasons[i] = r.String()
		log.Warn("registry: rejected", "file", s.path, "line", r.line, "reason", r.reason)
	}
	s.mu.Lock()
	s.rejected = reasons
	s.mu.Unlock()
	// Kept in the source's quarantine too (replacing the last run's), so
	// that /sources shows the run as partial and the reasons beside it, not
	// only in the server log.
	if env.DB != nil {
		lines := strings.Split(string(b), "\n")
		recs := make([]domain.Rejected, len(rejected))
		for i, r := range rejected {
			recs[i] = domain.Rejected{Reason: r.String()}
			if r.line >= 1 && r.line <= len(lines) {
				recs[i].Record = strings.TrimRight(lines[r.line-1], "\r")
			}
		}
		if err := env.DB.ReplaceRejectedRecords(ctx, env.Name, recs); err != nil {
			return st, err
		}
	}
	if st.Rejected > 0 {
		log.Warn("registry: some projects were not applied", "file", s.path, "read", st.Read, "stored", st.Stored,
			"rejected", st.Rejected, "first", strings.Join(reasons[:min(3, len(reasons))], "; "))
	}
	return st, nil
}

// applier checks entries against the database and stores the valid ones.
type applier struct {
	db      *data.DB
	members map[string]int64 // slug → id; 0 = no such member
}

func (a *applier) member(ctx context.Context, slug string) (int64, error) {
	if id, ok := a.members[slug]; ok {
		return id, nil
	}
	m, err := a.db.MemberBySlug(ctx, slug)
	switch {
	case domain.ErrorCode(err) == domain.ENOTFOUND:
		a.members[slug] = 0
		return 0, nil
	case err != nil:
		return 0, err
	}
	a.members[slug] = m.ID
	return m.ID, nil
}

// apply checks e, adding to e.problems, and stores it when it has none. It
// returns an error only when the database fails.
func (a *applier) apply(ctx context.Context, e *entry) error {
	if e.malformed {
		return nil
	}
	p, what := projectOf(e)
	var err error
	if p.Parties, err = a.parties(ctx, e, what); err != nil {
		return err
	}
	ms := milestonesOf(e, what)
	repos := reposOf(e, what)
	if len(e.problems) == 0 {
		if err := p.Validate(); err != nil {
			e.problem(e.line, "%s", domain.ErrorMessage(err))
		}
	}
	if len(e.problems) > 0 {
		return nil
	}
	return a.store(ctx, e, &p, ms, repos)
}

// projectOf checks the project's own fields and returns the project and
// how problems name it.
func projectOf(e *entry) (domain.Project, string) {
	slug := e.slug.v
	p := domain.Project{
		Slug: slug, Name: e.name.v, Scope: e.scope.v, Terms: e.terms.v,
		Status: strings.ToLower(e.status.v), Source: ProjectSource,
	}
	what := "project " + slug
	if slug == "" {
		what = "project"
		e.problem(e.line, "project without a slug")
	} else if !domain.ValidSlug(slug) {
		e.problem(lineOr(e.slug.line, e.line), "project slug %q must be lower-case letters, digits and dashes", slug)
	}
	if strings.TrimSpace(p.Name) == "" {
		e.problem(e.line, "%s needs a name", what)
	}
	switch p.Status {
	case domain.ProjectPlanned, domain.ProjectActive, domain.ProjectCompleted, domain.ProjectCancelled:
	case "":
		e.problem(e.line, "%s needs a status (planned, active, completed or cancelled)", what)
	default:
		e.problem(e.status.line, "%s: unknown status %q: want planned, active, completed or cancelled", what, e.status.v)
	}
	p.StartOn = date(e, what, "start", e.start, true, e.line)
	p.EndOn = date(e, what, "end", e.end, false, e.line)
	if !p.StartOn.IsZero() && !p.EndOn.IsZero() && p.EndOn.Before(p.StartOn) {
		e.problem(e.end.line, "%s: end %s is before start %s", what, e.end.v, e.start.v)
	}
	return p, what
}

// parties returns the entry's parties that name a known member once.
func (a *applier) parties(ctx context.Context, e *entry, what string) ([]domain.ProjectParty, error) {
	var parties []domain.ProjectParty
	seen := map[string]int{}
	for _, party := range e.parties {
		if party.member == "" {
			e.problem(party.line, "%s: a party needs a member", what)
			continue
		}
		if first, dup := seen[party.member]; dup {
			e.problem(party.line, "%s: member %q is listed twice (first on line %d)", what, party.member, first)
			continue
		}
		seen[party.member] = party.line
		id, err := a.member(ctx, party.member)
		if err != nil {
			return nil, err
		}
		if id == 0 {
			e.problem(party.line, "%s: unknown member %q", what, party.member)
			continue
		}
		parties = append(parties, domain.ProjectParty{MemberID: id, Role: party.role})
	}
	return parties, nil
}

// milestonesOf returns the entry's milestones that have an id of their own,
// their external ids qualified by the project's slug.
func milestonesOf(e *entry, what string) []domain.Milestone {
	var ms []domain.Milestone
	ids := map[string]int{}
	for _, m := range e.milestones {
		id := m.id.v
		switch {
		case id == "":
			e.problem(m.line, "%s: a milestone needs an id", what)
			continue
		case ids[id] != 0:
			e.problem(m.id.line, "%s: milestone %q is listed twice (first on line %d)", what, id, ids[id])
			continue
		}
		ids[id] = m.id.line
		mw := fmt.Sprintf("%s: milestone %q", what, id)
		if strings.TrimSpace(m.title.v) == "" {
			e.problem(m.line, "%s needs a title", mw)
		}
		ms = append(ms, domain.Milestone{
			ExternalID: "registry:" + e.slug.v + ":" + id,
			Title:      m.title.v,
			DueOn:      date(e, mw, "due", m.due, true, m.line),
			DoneOn:     date(e, mw, "done", m.done, false, m.line),
		})
	}
	return ms
}

// reposOf returns the entry's valid repositories, lower-cased, once each.
func reposOf(e *entry, what string) []string {
	var repos []string
	for _, r := range e.repos {
		if !validRepo(r.v) {
			e.problem(r.line, "%s: repository %q is not owner/repo", what, r.v)
			continue
		}
		if !slices.Contains(repos, strings.ToLower(r.v)) {
			repos = append(repos, strings.ToLower(r.v))
		}
	}
	return repos
}

// store upserts the checked project, adds its milestones and links its
// repositories.
func (a *applier) store(ctx context.Context, e *entry, p *domain.Project, ms []domain.Milestone, repos []string) error {
	if err := a.db.UpsertProject(ctx, p); err != nil {
		return a.storeErr(e, err)
	}
	for i := range ms {
		ms[i].ProjectID = p.ID
	}
	if len(ms) > 0 {
		if err := a.db.AddMilestones(ctx, ms); err != nil {
			return a.storeErr(e, err)
		}
	}
	for _, r := range repos {
		if err := a.db.LinkProjectRepo(ctx, p.ID, r); err != nil {
			return a.storeErr(e, err)
		}
	}
	return nil
}

// storeErr turns the store's refusal of bad input into a problem of e;
// anything else fails the run.
func (a *applier) storeErr(e *entry, err error) error {
	if code := domain.ErrorCode(err); code == domain.EINVALID || code == domain.ECONFLICT {
		e.problem(e.line, "%s", domain.ErrorMessage(err))
		return nil
	}
	return err
}

// date parses f as YYYY-MM-DD; an empty optional date is zero. A missing
// required date is reported on line (f's own line when it has one).
func date(e *entry, what, name string, f field, required bool, line int) time.Time {
	if f.v == "" {
		if required {
			e.problem(lineOr(f.line, line), "%s needs a %s date (YYYY-MM-DD)", what, name)
		}
		return time.Time{}
	}
	t, err := domain.ParseDay(f.v)
	if err != nil {
		e.problem(f.line, "%s: %s %q is not a date (YYYY-MM-DD)", what, name, f.v)
		return time.Time{}
	}
	return t
}

func lineOr(line, other int) int {
	if line > 0 {
		return line
	}
	return other
}

// validRepo reports whether s looks like owner/repo.
func validRepo(s string) bool {
	owner, name, ok := strings.Cut(s, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./", c)) {
			return false
		}
	}
	return true
}

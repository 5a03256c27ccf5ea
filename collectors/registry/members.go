package registry

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// memberEntry is one member as read from the file, before checking.
type memberEntry struct {
	line     int
	m        domain.Member
	joined   field
	problems []problem
}

func (e *memberEntry) problem(line int, format string, args ...any) {
	e.problems = append(e.problems, problem{line, fmt.Sprintf(format, args...)})
}

// memberKeys are the keys (YAML) and columns (CSV) of a member.
var memberKeys = []string{"slug", "name", "kind", "segment", "tier", "joined", "domains", "github_orgs", "key_patterns"}

// setMemberField sets one key of a member from its text; list keys take
// values separated by spaces, commas or semicolons.
func (e *memberEntry) set(key string, f field) bool {
	switch key {
	case "slug":
		e.m.Slug = f.v
	case "name":
		e.m.Name = f.v
	case "kind":
		e.m.Kind = domain.MemberKind(strings.ToLower(f.v))
	case "segment":
		e.m.Segment = f.v
	case "tier":
		e.m.Tier = f.v
	case "joined":
		e.joined = f
	case "domains":
		e.m.Domains = append(e.m.Domains, splitList(f.v)...)
	case "github_orgs":
		e.m.GitHubOrgs = append(e.m.GitHubOrgs, splitList(f.v)...)
	case "key_patterns":
		e.m.KeyPatterns = append(e.m.KeyPatterns, splitList(f.v)...)
	default:
		return false
	}
	return true
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == ';' || r == '\t' })
}

// yamlMembers reads the members: list.
func yamlMembers(list *yaml.Node) ([]*memberEntry, []problem) {
	if list == nil || list.Tag == "!!null" {
		return nil, nil
	}
	if list.Kind != yaml.SequenceNode {
		return nil, []problem{{list.Line, "members must be a list"}}
	}
	var out []*memberEntry
	for _, item := range list.Content {
		n := resolve(item)
		e := &memberEntry{line: n.Line}
		out = append(out, e)
		if n.Kind != yaml.MappingNode {
			e.problem(n.Line, "a member must be a mapping (slug: …, name: …, kind: …, joined: …)")
			continue
		}
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], resolve(n.Content[i+1])
			if first, dup := seen[k.Value]; dup {
				e.problem(k.Line, "member: key %q is given twice (first on line %d)", k.Value, first)
				continue
			}
			seen[k.Value] = k.Line
			switch {
			case v.Kind == yaml.SequenceNode:
				for _, c := range v.Content {
					c = resolve(c)
					if c.Kind != yaml.ScalarNode || !isListKey(k.Value) || !e.set(k.Value, field{strings.TrimSpace(c.Value), c.Line}) {
						e.problem(c.Line, "member: %s must be a single value", k.Value)
						break
					}
				}
			case v.Kind != yaml.ScalarNode:
				e.problem(v.Line, "member: %s must be a value or a list", k.Value)
			case v.Tag == "!!null":
			case !e.set(k.Value, field{strings.TrimSpace(v.Value), v.Line}):
				e.problem(k.Line, "member: unknown key %q (want %s)", k.Value, strings.Join(memberKeys, ", "))
			}
		}
	}
	return out, nil
}

func isListKey(k string) bool { return k == "domains" || k == "github_orgs" || k == "key_patterns" }

// isMembersCSV reports whether a CSV header is the members layout (slug and
// kind columns, no project column).
func isMembersCSV(col map[string]int) bool {
	_, slug := col["slug"]
	_, kind := col["kind"]
	_, project := col["project"]
	return slug && kind && !project
}

// parseMembersCSV reads a members CSV: one member per row, the columns of
// memberKeys in any order.
func parseMembersCSV(r *csv.Reader, col map[string]int) (*parsed, error) {
	p := &parsed{}
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			p.orphans = append(p.orphans, problem{pe.StartLine, "unreadable row: " + pe.Err.Error()})
			continue
		} else if err != nil {
			return nil, domain.Errorf(domain.EINVALID, "invalid CSV: %v", err)
		}
		if blankRow(row) {
			continue
		}
		line, _ := r.FieldPos(0)
		e := &memberEntry{line: line}
		for _, k := range memberKeys {
			if i, ok := col[k]; ok && i < len(row) {
				e.set(k, field{strings.TrimSpace(row[i]), line})
			}
		}
		p.members = append(p.members, e)
	}
	return p, nil
}

// applyMembers checks and stores the file's members, each whole or not at
// all, before the projects that may name them. It returns how many were
// stored and the problems of the others; an error only when the database
// fails. A member the file creates or changes is audited, as one made on
// the page is, with the source as the actor ("registry:NAME").
func applyMembers(ctx context.Context, db *data.DB, source string, members []*memberEntry) (stored int, problems []problem, err error) {
	seen := map[string]int{}
	for _, e := range members {
		if err := ctx.Err(); err != nil {
			return stored, problems, err
		}
		if e.m.Slug != "" {
			if first, dup := seen[e.m.Slug]; dup {
				e.problem(e.line, "member %s is listed twice (first on line %d)", e.m.Slug, first)
			} else {
				seen[e.m.Slug] = e.line
			}
		}
		if e.joined.v != "" {
			d, err := domain.ParseDay(e.joined.v)
			if err != nil {
				e.problem(e.joined.line, "member %s: joined %q is not a date (YYYY-MM-DD)", e.m.Slug, e.joined.v)
			}
			e.m.JoinedOn = d
		}
		if len(e.problems) == 0 {
			created, changed, err := db.UpsertMember(ctx, &e.m)
			switch code := domain.ErrorCode(err); {
			case err == nil:
				stored++
				if changed {
					action := "member.update"
					if created {
						action = "member.create"
					}
					if err := db.Audit(ctx, data.AuditEntry{Actor: "registry:" + source, Action: action, Target: e.m.Slug,
						Detail: fmt.Sprintf("line %d", e.line), OK: true}); err != nil {
						return stored, problems, err
					}
				}
			case code == domain.EINVALID || code == domain.ECONFLICT:
				e.problem(e.line, "member %s: %s", e.m.Slug, domain.ErrorMessage(err))
			default:
				return stored, problems, err
			}
		}
		problems = append(problems, e.problems...)
	}
	return stored, problems, nil
}

package registry

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"github.com/ecopulse/ecopulse/domain"
)

// csvColumns are the columns the CSV layout knows.
var csvColumns = []string{"project", "name", "scope", "terms", "status", "start", "end", "repos",
	"member", "role", "milestone_id", "milestone_title", "due", "done"}

// parseCSV reads the CSV layout: one row per party or milestone, grouped by
// the project column.
func parseCSV(b []byte) (*parsed, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // spreadsheets write a byte-order mark
	r := csv.NewReader(bytes.NewReader(b))
	r.Comment = '#'
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.TrimLeadingSpace = true
	if first, _, _ := bytes.Cut(b, []byte("\n")); bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return &parsed{}, nil // an empty file: no projects
	} else if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "invalid CSV header: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := col[h]; dup && h != "" {
			return nil, domain.Errorf(domain.EINVALID, "line 1: column %q appears twice", h)
		}
		col[h] = i
	}
	if isMembersCSV(col) {
		return parseMembersCSV(r, col)
	}
	if _, ok := col["project"]; !ok {
		return nil, domain.Errorf(domain.EINVALID, "line 1: the header has no project column (want %s; a members file has %s)", strings.Join(csvColumns, ","), strings.Join(memberKeys, ","))
	}

	p := &parsed{}
	bySlug := map[string]*entry{}
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
		line, _ := r.FieldPos(0)
		get := func(name string) field {
			if i, ok := col[name]; ok && i < len(row) {
				return field{v: strings.TrimSpace(row[i]), line: line}
			}
			return field{line: line}
		}
		if blankRow(row) {
			continue
		}
		slug := get("project").v
		if slug == "" {
			p.orphans = append(p.orphans, problem{line, "row without a project"})
			continue
		}
		e := bySlug[slug]
		if e == nil {
			e = &entry{line: line, slug: field{slug, line}}
			bySlug[slug] = e
			p.entries = append(p.entries, e)
		}
		what := "project " + slug
		for _, f := range []struct {
			name string
			dst  *field
		}{{"name", &e.name}, {"scope", &e.scope}, {"terms", &e.terms}, {"status", &e.status}, {"start", &e.start}, {"end", &e.end}} {
			v := get(f.name)
			switch {
			case v.v == "":
			case f.dst.v == "":
				*f.dst = v
			case f.dst.v != v.v:
				e.problem(line, "%s: %s %q differs from %q on line %d", what, f.name, v.v, f.dst.v, f.dst.line)
			}
		}
		for _, repo := range strings.FieldsFunc(get("repos").v, func(c rune) bool { return c == ';' || c == ',' || c == ' ' || c == '\t' }) {
			e.repos = append(e.repos, field{repo, line})
		}
		if member, role := get("member").v, get("role").v; member != "" || role != "" {
			e.parties = append(e.parties, partyEntry{line: line, member: member, role: role})
		}
		m := milestoneEntry{line: line, id: get("milestone_id"), title: get("milestone_title"), due: get("due"), done: get("done")}
		if m.id.v != "" || m.title.v != "" || m.due.v != "" || m.done.v != "" {
			e.milestones = append(e.milestones, m)
		}
	}
	return p, nil
}

func blankRow(row []string) bool {
	for _, f := range row {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

package registry

import (
	"strings"

	"github.com/ecopulse/ecopulse/domain"
	"go.yaml.in/yaml/v3"
)

// parseYAML reads the YAML layout, keeping each value's line.
func parseYAML(b []byte) (*parsed, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, domain.Errorf(domain.EINVALID, "invalid YAML: %v", err)
	}
	p := &parsed{}
	if len(doc.Content) == 0 {
		return p, nil // an empty file: no projects
	}
	root := resolve(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		return nil, domain.Errorf(domain.EINVALID, "line %d: the registry must be a mapping with a projects list (and a members list)", root.Line)
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], resolve(root.Content[i+1])
		switch k.Value {
		case "projects":
			list = v
		case "members":
			var orphans []problem
			p.members, orphans = yamlMembers(v)
			p.orphans = append(p.orphans, orphans...)
		default:
			return nil, domain.Errorf(domain.EINVALID, "line %d: unknown key %q: the registry has members and projects", k.Line, k.Value)
		}
	}
	if list == nil || list.Tag == "!!null" {
		return p, nil
	}
	if list.Kind != yaml.SequenceNode {
		return nil, domain.Errorf(domain.EINVALID, "line %d: projects must be a list", list.Line)
	}
	for _, item := range list.Content {
		p.entries = append(p.entries, yamlProject(resolve(item)))
	}
	return p, nil
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// scalar returns a scalar's text ("" for null), or a problem.
func scalar(e *entry, what string, key, v *yaml.Node) field {
	switch {
	case v.Kind != yaml.ScalarNode:
		e.problem(v.Line, "%s: %s must be a single value, not a list or mapping", what, key.Value)
		return field{line: v.Line}
	case v.Tag == "!!null":
		return field{line: v.Line}
	}
	return field{v: strings.TrimSpace(v.Value), line: v.Line}
}

// mapping calls fn for each key of a mapping node, reporting repeated keys.
func mapping(e *entry, n *yaml.Node, what string, fn func(k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		e.problem(n.Line, "%s must be a mapping (key: value)", what)
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if first, dup := seen[k.Value]; dup {
			e.problem(k.Line, "%s: key %q is given twice (first on line %d)", what, k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		fn(k, v)
	}
}

// list calls fn for each element of a sequence node (a lone value counts as
// a list of one when single is set).
func list(e *entry, what string, key, v *yaml.Node, single bool, fn func(*yaml.Node)) {
	switch {
	case v.Tag == "!!null":
	case v.Kind == yaml.SequenceNode:
		for _, c := range v.Content {
			fn(resolve(c))
		}
	case single && v.Kind == yaml.ScalarNode:
		fn(v)
	default:
		e.problem(v.Line, "%s: %s must be a list", what, key.Value)
	}
}

func yamlProject(n *yaml.Node) *entry {
	e := &entry{line: n.Line}
	what := "project"
	if n.Kind != yaml.MappingNode {
		e.malformed = true
		e.problem(n.Line, "a project must be a mapping (slug: …, name: …), not a single value or list")
		return e
	}
	// The slug first, so that every message can name the project.
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k, v := n.Content[i], resolve(n.Content[i+1]); k.Value == "slug" && v.Kind == yaml.ScalarNode {
			what = "project " + strings.TrimSpace(v.Value)
		}
	}
	mapping(e, n, what, func(k, v *yaml.Node) {
		switch k.Value {
		case "slug":
			e.slug = scalar(e, what, k, v)
		case "name":
			e.name = scalar(e, what, k, v)
		case "scope":
			e.scope = scalar(e, what, k, v)
		case "terms":
			e.terms = scalar(e, what, k, v)
		case "status":
			e.status = scalar(e, what, k, v)
		case "start":
			e.start = scalar(e, what, k, v)
		case "end":
			e.end = scalar(e, what, k, v)
		case "repos":
			list(e, what, k, v, true, func(r *yaml.Node) {
				if r.Kind != yaml.ScalarNode {
					e.problem(r.Line, "%s: a repository must be owner/repo", what)
					return
				}
				e.repos = append(e.repos, field{v: strings.TrimSpace(r.Value), line: r.Line})
			})
		case "parties":
			list(e, what, k, v, false, func(pn *yaml.Node) {
				party := partyEntry{line: pn.Line}
				mapping(e, pn, what+": party", func(k, v *yaml.Node) {
					switch k.Value {
					case "member":
						party.member = scalar(e, what, k, v).v
					case "role":
						party.role = scalar(e, what, k, v).v
					default:
						e.problem(k.Line, "%s: party: unknown key %q (want member, role)", what, k.Value)
					}
				})
				e.parties = append(e.parties, party)
			})
		case "milestones":
			list(e, what, k, v, false, func(mn *yaml.Node) {
				m := milestoneEntry{line: mn.Line}
				mapping(e, mn, what+": milestone", func(k, v *yaml.Node) {
					switch k.Value {
					case "id":
						m.id = scalar(e, what, k, v)
					case "title":
						m.title = scalar(e, what, k, v)
					case "due":
						m.due = scalar(e, what, k, v)
					case "done":
						m.done = scalar(e, what, k, v)
					default:
						e.problem(k.Line, "%s: milestone: unknown key %q (want id, title, due, done)", what, k.Value)
					}
				})
				e.milestones = append(e.milestones, m)
			})
		default:
			e.problem(k.Line, "%s: unknown key %q (want %s)", what, k.Value, projectKeys)
		}
	})
	return e
}

const projectKeys = "slug, name, scope, terms, status, start, end, repos, parties, milestones"

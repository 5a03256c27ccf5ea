package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ecopulse/ecopulse/domain"
)

// Problems lists what in the configuration cannot work with the members
// as they are stored: a consumer mapped to a member that does not exist (or
// was archived or merged away), an affiliation rule for one, a source that
// cannot be built. Each is a sentence naming where it is. /sources shows
// them, `ecopulse config --check` prints them and fails.
func Problems(cfg Config, members []domain.Member) []string {
	bySlug := map[string]*domain.Member{}
	for i := range members {
		bySlug[members[i].Slug] = &members[i]
	}
	var out []string
	member := func(where, slug string) {
		slug = strings.TrimSpace(slug)
		m := bySlug[slug]
		switch {
		case m == nil:
			out = append(out, fmt.Sprintf("%s: no member %q — add it (/members/new, the registry file or ecopulse member add) or correct the slug", where, slug))
		case m.MergedInto != "":
			out = append(out, fmt.Sprintf("%s: member %q was merged into %q — name that one", where, slug, m.MergedInto))
		case m.Archived():
			out = append(out, fmt.Sprintf("%s: member %q is archived (since %s)", where, slug, m.ArchivedOn.Format(domain.DateLayout)))
		}
	}
	for i, c := range cfg.Consumers {
		member(fmt.Sprintf("consumers[%d] (key %q)", i, c.Key), c.Member)
	}
	for i, d := range cfg.Affiliation.Domains {
		member(fmt.Sprintf("affiliation.domains[%d] (%s)", i, d.Domain), d.Member)
	}
	for i, p := range cfg.Affiliation.People {
		for j, s := range p.Affiliations {
			member(fmt.Sprintf("affiliation.people[%d] (%s), affiliations[%d]", i, p.Name, j), s.Member)
		}
	}
	if err := checkSources(cfg.Sources); err != nil {
		var e *domain.Error
		if errors.As(err, &e) {
			out = append(out, e.Message)
		} else {
			out = append(out, err.Error())
		}
	}
	return out
}

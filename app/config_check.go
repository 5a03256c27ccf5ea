package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// configProblems lists what in the configuration cannot work with the
// store as it is: a consumer mapped to a member that does not exist (or was
// archived or merged away), an affiliation rule for one, a source that
// cannot be built. Each is a sentence naming where it is. /sources shows
// them, `ecopulse config --check` prints them and fails.
func configProblems(ctx context.Context, db *data.DB, cfg Config) ([]string, error) {
	members, err := db.Members(ctx)
	if err != nil {
		return nil, err
	}
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
	if _, err := buildSources(cfg.Sources); err != nil {
		var e *domain.Error
		if errors.As(err, &e) {
			out = append(out, e.Message)
		} else {
			out = append(out, err.Error())
		}
	}
	return out, nil
}

// ConfigCheck runs `ecopulse config --check`: it prints every problem of
// the configuration against the database and fails when there is one.
func ConfigCheck(ctx context.Context, env *Env) error {
	return env.withDB(ctx, func(db *data.DB) error {
		problems, err := configProblems(ctx, db, env.Config)
		if err != nil {
			return err
		}
		if len(problems) == 0 {
			fmt.Fprintf(env.Out, "configuration ok: %d sources, %d consumer mappings, %d affiliation rules\n",
				len(env.Config.Sources), len(env.Config.Consumers), len(env.Config.Affiliation.Domains)+len(env.Config.Affiliation.People))
			return nil
		}
		for _, p := range problems {
			fmt.Fprintln(env.Out, p)
		}
		return domain.Errorf(domain.EINVALID, "the configuration has %d problem(s)", len(problems))
	})
}

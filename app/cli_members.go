package app

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// The `ecopulse member …` commands: the same functions as the members pages
// and their JSON twins (app/members_manage.go), as actor cli.

// MemberAdd runs `ecopulse member add SLUG --name NAME --kind KIND …`.
func MemberAdd(ctx context.Context, env *Env, in MemberInput) error {
	return env.withDB(ctx, func(db *data.DB) error {
		m, err := memberCreate(ctx, db, "cli", in, env.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "member %q created (%s, joined %s); scores include it from the next scoring run\n", m.Slug, m.Kind, m.JoinedOn.Format(domain.DateLayout))
		return nil
	})
}

// MemberEdit runs `ecopulse member edit SLUG …`: the flags given replace
// those fields, the others stay.
func MemberEdit(ctx context.Context, env *Env, slug string, change func(*MemberInput)) error {
	return env.withDB(ctx, func(db *data.DB) error {
		m, err := db.MemberBySlug(ctx, slug)
		if err != nil {
			return err
		}
		in := inputOf(m)
		change(&in)
		if _, err := memberUpdate(ctx, db, "cli", slug, in, env.Now()); err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "member %q updated\n", slug)
		return nil
	})
}

// MemberList runs `ecopulse member list [--json]`.
func MemberList(ctx context.Context, env *Env, asJSON bool) error {
	return env.withDB(ctx, func(db *data.DB) error {
		members, err := db.Members(ctx)
		if err != nil {
			return err
		}
		records := make([]MemberRecord, len(members))
		for i := range members {
			records[i] = recordOf(&members[i])
		}
		if asJSON {
			return printJSON(env, map[string]any{"members": records})
		}
		w := tabwriter.NewWriter(env.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "SLUG\tNAME\tKIND\tSEGMENT\tTIER\tJOINED\tSTATE")
		for _, r := range records {
			state := "active"
			if r.MergedInto != "" {
				state = "merged into " + r.MergedInto
			} else if r.ArchivedOn != nil {
				state = "archived " + *r.ArchivedOn
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Slug, oneLineText(r.Name), r.Kind, oneLineText(r.Segment), oneLineText(r.Tier), r.Joined, state)
		}
		return w.Flush()
	})
}

// MemberArchive runs `ecopulse member archive SLUG [--on DATE]`.
func MemberArchive(ctx context.Context, env *Env, slug, on string) error {
	day, err := parseOptionalDay("--on", on, env.Now())
	if err != nil {
		return err
	}
	return env.withDB(ctx, func(db *data.DB) error {
		if err := memberArchive(ctx, db, "cli", slug, day); err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "member %q archived from %s: it keeps its history; days scored since are scored again on the next scoring run\n", slug, day.Format(domain.DateLayout))
		return nil
	})
}

// MemberRestore runs `ecopulse member restore SLUG`.
func MemberRestore(ctx context.Context, env *Env, slug string) error {
	return env.withDB(ctx, func(db *data.DB) error {
		if err := memberRestore(ctx, db, "cli", slug); err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "member %q restored\n", slug)
		return nil
	})
}

// MemberMerge runs `ecopulse member merge SLUG --into KEEP`.
func MemberMerge(ctx context.Context, env *Env, drop, keep string) error {
	return env.withDB(ctx, func(db *data.DB) error {
		res, err := memberMerge(ctx, db, "cli", drop, keep)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "member %q merged into %q: %d API consumers, %d affiliations, %d projects and %d activities moved\n",
			drop, keep, res.Consumers, res.Affiliations, res.Projects, res.Activities)
		return nil
	})
}

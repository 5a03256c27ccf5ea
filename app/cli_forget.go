package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/ecopulse/ecopulse/collectors/affiliation"
	"github.com/ecopulse/ecopulse/data"
)

// Forget runs `ecopulse forget PERSON`: it erases the identifying data of
// the community member with that login (SOURCE:LOGIN to name the source)
// or e-mail address, keeping every count and score (data.DB.ForgetPerson
// says exactly what changes), and audits it under the pseudonym, never the
// login. It warns when the configuration still names the person, since the
// affiliation rules would bring the login back at the next start.
func Forget(ctx context.Context, env *Env, who string) error {
	return env.withDB(ctx, func(db *data.DB) error {
		f, err := db.ForgetPerson(ctx, who)
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("%d logins, %d activities, %d titles, %d quarantined records", f.Identities, f.Activities, f.Titles, f.Rejected)
		if err := db.Audit(ctx, data.AuditEntry{Actor: "cli", Action: "person.forget", Target: f.Pseudonym, Detail: detail, OK: true}); err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "forgotten: now %s (%s)\n", f.Pseudonym, detail)
		switch {
		case db.Backend() == "postgres" && !f.Checkpointed:
			fmt.Fprintln(env.Out, "warning: the tables could not be rewritten (VACUUM FULL): old versions of the changed rows stay in PostgreSQL's files "+
				"until VACUUM FULL people, identities, activities, rejected_records runs")
		case db.Backend() == "postgres":
			fmt.Fprintln(env.Out, "note: the changed tables were rewritten without the old rows; PostgreSQL's write-ahead log (and its archive, if any) keeps them until recycled")
		case !f.Checkpointed:
			fmt.Fprintln(env.Out, "warning: the write-ahead log is in use: old copies of the rows stay in the -wal file until the next checkpoint (stop `serve` and run this again to be sure)")
		}
		if where := configNames(env.Config.Affiliation, who); where != "" {
			fmt.Fprintf(env.Out, "warning: the configuration still names this person (%s): remove them from it, or the next start brings the login back\n", where)
		}
		return nil
	})
}

// configNames tells where the affiliation configuration names who (a
// login, SOURCE:LOGIN or e-mail address), or "".
func configNames(cfg affiliation.Config, who string) string {
	who = strings.ToLower(strings.TrimSpace(who))
	_, login, hasSource := strings.Cut(who, ":")
	if !hasSource {
		login = who
	}
	for i, p := range cfg.People {
		if strings.EqualFold(p.Email, who) {
			return fmt.Sprintf("affiliation.people[%d].email", i)
		}
		for source, l := range p.Logins {
			if strings.EqualFold(l, login) {
				return fmt.Sprintf("affiliation.people[%d].logins.%s", i, source)
			}
		}
	}
	return ""
}

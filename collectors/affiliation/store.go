package affiliation

// How Apply brings one person into the store. The store finds people by
// login (PersonByIdentity), creates them with their logins (CreatePerson),
// sets a person's explicit affiliations exactly (ReplaceAffiliations; the
// stored domain rules then fill the days they leave) and re-resolves
// stored activities (ReresolveActivities). It cannot yet list a person's
// affiliations, add a login to a stored person, or update a stored person's
// name or e-mail; so:
//
//   - whether a person's affiliations changed is told by asking the store
//     what the person resolves to on the days where the wanted spans start
//     and end (ResolveActor): exact for every change that touches those
//     days; a stored span wholly inside a gap of the wanted ones goes
//     unnoticed (it is still removed, as ReplaceAffiliations sets them all,
//     but does not count as a change and does not trigger re-resolution).
//     With data.DB.Affiliations(ctx, personID) the comparison becomes exact:
//     replace changed() with a comparison of the two lists;
//   - a new login of a stored person, and a changed name or e-mail, are
//     reported as problems (wanted: data.DB.UpdatePerson).

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

func syncPerson(ctx context.Context, a *applier, pl *plan) error {
	db := a.db
	owners := map[int64][]string{}
	var stored *domain.Person
	var known domain.Identity // a login the store has for the person
	var missing []string
	for _, id := range pl.ids {
		p, err := db.PersonByIdentity(ctx, id.Source, id.Login)
		switch {
		case domain.ErrorCode(err) == domain.ENOTFOUND:
			missing = append(missing, id.Source+"/"+id.Login)
		case err != nil:
			return err
		default:
			owners[p.ID] = append(owners[p.ID], id.Source+"/"+id.Login)
			stored, known = p, id
		}
	}
	switch len(owners) {
	case 0:
		p := pl.person
		if err := db.CreatePerson(ctx, &p, pl.ids...); err != nil {
			return err
		}
		a.rep.People++
		a.rep.Identities += len(pl.ids)
		stored, known = &p, pl.ids[0]
	case 1:
		if len(missing) > 0 {
			a.problem("%s: logins %s not added: the store cannot add logins to a stored person (wanted: data.DB.UpdatePerson)",
				pl.label, strings.Join(missing, ", "))
		}
		if stored.Name != pl.person.Name || !strings.EqualFold(stored.Email, pl.person.Email) {
			a.problem("%s: the stored name or e-mail differs and was not updated: the store cannot update a person (wanted: data.DB.UpdatePerson)", pl.label)
		}
	default:
		var groups []string
		for _, logins := range owners {
			groups = append(groups, strings.Join(logins, "+"))
		}
		slices.Sort(groups)
		a.problem("%s: logins %s belong to different stored people; skipped", pl.label, strings.Join(groups, " and "))
		return nil
	}

	n, err := changed(ctx, db, known, pl.affs)
	if err != nil {
		return err
	}
	want := slices.Clone(pl.affs)
	if err := db.ReplaceAffiliations(ctx, stored.ID, want); err != nil {
		return err
	}
	a.rep.Affiliations += n
	return nil
}

// changed counts how the store's affiliations of the person behind login
// differ from want (ordered, disjoint): spans not in effect on their first
// and last day, spans the store starts earlier, and spans it ends later.
func changed(ctx context.Context, db *data.DB, login domain.Identity, want []domain.Affiliation) (int, error) {
	stored := func(day time.Time) (int64, error) {
		_, m, err := db.ResolveActor(ctx, login.Source, login.Login, day)
		return m, err
	}
	wanted := func(day time.Time) int64 {
		for _, a := range want {
			if !a.From.After(day) && day.Before(end(a.To)) {
				return a.MemberID
			}
		}
		return 0
	}
	n := 0
	for _, a := range want {
		days := []time.Time{a.From}
		if !a.To.IsZero() {
			days = append(days, a.To.AddDate(0, 0, -1))
		}
		for _, d := range days {
			m, err := stored(d)
			if err != nil {
				return 0, err
			}
			if m != a.MemberID {
				n++ // added or changed
				break
			}
		}
		// Does the store keep the member before the start, or past the end?
		edges := []time.Time{a.From.AddDate(0, 0, -1)}
		if !a.To.IsZero() {
			edges = append(edges, a.To)
		}
		for _, d := range edges {
			m, err := stored(d)
			if err != nil {
				return 0, err
			}
			if m == a.MemberID && wanted(d) != a.MemberID {
				n++
			}
		}
	}
	return n, nil
}

func reresolve(ctx context.Context, a *applier) (int64, error) {
	return a.db.ReresolveActivities(ctx)
}

func unaffiliated(ctx context.Context, db *data.DB, from, to time.Time) ([]Actor, error) {
	counts, err := db.UnaffiliatedActors(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]Actor, len(counts))
	for i, c := range counts {
		out[i] = Actor{Source: c.Source, Login: c.Login, Activities: c.Activities}
		p, err := db.PersonByIdentity(ctx, c.Source, c.Login)
		switch {
		case domain.ErrorCode(err) == domain.ENOTFOUND:
		case err != nil:
			return nil, err
		default:
			out[i].PersonID = p.ID
		}
	}
	return out, nil
}

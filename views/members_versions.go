package views

import (
	"context"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// memberVersionMix sets the member's calls by API version over its page's
// usage range (docs/api-versions.md, "The member page").
func memberVersionMix(ctx context.Context, db *data.DB, d *MemberDetail, p MemberParams) error {
	from, err := domain.ParseDay(d.Usage.From)
	if err != nil {
		return err
	}
	to, err := domain.ParseDay(d.Usage.To)
	if err != nil {
		return err
	}
	rows, err := db.EndpointCalls(ctx, p.Slug, from, to.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	vs := p.Versions.Clone()
	calls := make([]int64, len(vs.List)+1)
	var total int64
	for _, r := range rows {
		v := vs.Classify(r.Endpoint)
		if v < 0 {
			v = len(vs.List)
		}
		calls[v] = domain.AddSat(calls[v], r.Calls)
		total = domain.AddSat(total, r.Calls)
	}
	mix := mixOf(vs.List, calls, total)
	for i := range mix {
		for _, v := range vs.List {
			if v.Name == mix[i].Name {
				mix[i].Status = v.StatusOn(to)
			}
		}
	}
	d.Usage.Versions = mix
	return nil
}

package views

import (
	"context"
	"sort"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// The community page: /community and /api/v1/community, CHAOSS metrics
// over a range, week by week (ISO weeks, Monday to Sunday; the first and
// last may be partial: only activity inside the range counts). Bots are
// left out everywhere.
//
//   - active contributors: people with any activity in the week;
//   - new contributors: people whose first activity ever falls in the week;
//   - time to first response: from a thread or pull request being opened
//     to the first reply, review or merge by someone else (before the range
//     ends), median and 90th percentile, linearly interpolated between ranks;
//   - change request closure ratio: pull requests merged / opened;
//   - contributor absence factor (bus factor): the fewest contributors whose
//     contributions make at least half of the range's;
//   - unaffiliated contributors: people whose activity no affiliation
//     attributes to a member (data.UnaffiliatedActors).

// CommunityBusShare is the share of contributions the bus factor covers.
const CommunityBusShare = 0.5

const (
	communityUnaffiliatedListed = 12
	communityConcentrationMax   = 60 // points of the concentration curve
)

// CommunityWeek is one week's metrics.
type CommunityWeek struct {
	Week                string   `json:"week"`  // ISO week, YYYY-Www
	Start               string   `json:"start"` // first day counted (the Monday, or the range's first day)
	End                 string   `json:"end"`   // last day counted
	Contributions       int      `json:"contributions"`
	ActiveContributors  int      `json:"active_contributors"`
	NewContributors     int      `json:"new_contributors"`
	PROpened            int      `json:"prs_opened"`
	PRMerged            int      `json:"prs_merged"`
	ClosureRatio        *float64 `json:"closure_ratio"` // merged / opened; null when none was opened
	Threads             int      `json:"threads"`
	Responded           int      `json:"responded"`
	FirstResponseMedian *float64 `json:"first_response_median_hours"`
	FirstResponseP90    *float64 `json:"first_response_p90_hours"`
	// DataDays is how many of its days counted hold collected input (API
	// calls or community activity); a week with none is a gap on the
	// charts. Partial: fewer than 7 days counted, or fewer than 7 with data.
	DataDays int  `json:"data_days"`
	Partial  bool `json:"partial"`
}

// Community is /community and /api/v1/community.
type Community struct {
	// Available offers the days with community activity when the range
	// shown has none (null otherwise).
	Available           *DataOffer `json:"available"`
	From                string     `json:"from"`
	To                  string     `json:"to"`
	Days                int        `json:"days"`
	Contributions       int        `json:"contributions"`
	ActiveContributors  int        `json:"active_contributors"` // distinct over the range
	NewContributors     int        `json:"new_contributors"`
	PROpened            int        `json:"prs_opened"`
	PRMerged            int        `json:"prs_merged"`
	ClosureRatio        *float64   `json:"closure_ratio"`
	Threads             int        `json:"threads"`
	Responded           int        `json:"responded"`
	FirstResponseMedian *float64   `json:"first_response_median_hours"`
	FirstResponseP90    *float64   `json:"first_response_p90_hours"`
	// BusFactor is the contributor absence factor: the fewest contributors
	// accounting for at least half of the range's contributions (0 when
	// there were none); BusFactorShare the share they account for.
	BusFactor      int     `json:"bus_factor"`
	BusFactorShare float64 `json:"bus_factor_share"`
	// Concentration[k] is the share of all contributions made by the k+1
	// most active contributors (at most 60 points).
	Concentration            []float64         `json:"concentration"`
	UnaffiliatedContributors int               `json:"unaffiliated_contributors"`
	Unaffiliated             []data.ActorCount `json:"unaffiliated"` // the busiest, at most 12
	Weeks                    []CommunityWeek   `json:"weeks"`
	LastCollected            string            `json:"last_collected,omitempty"`
	// CanAssign and AssignTargets are set by the handler for managers: the
	// page then offers "Assign to member" and "Add a domain rule" (the page
	// cache keys on the role, so they never reach a viewer).
	CanAssign     bool            `json:"-"`
	AssignTargets []domain.Member `json:"-"`
}

// Unaffiliated is /api/v1/people/unaffiliated and `ecopulse person list
// --unaffiliated`: every contributor of a range whose activity no
// affiliation attributes to a member, busiest first (the community page
// lists the busiest of the same list).
type Unaffiliated struct {
	From   string            `json:"from"`
	To     string            `json:"to"`
	People []data.ActorCount `json:"people"`
	Total  int               `json:"total"`          // unaffiliated contributors of the range, in all
	Limit  int               `json:"limit"`          // of this page
	Offset int               `json:"offset"`         // of this page
	Next   *int              `json:"next,omitempty"` // the offset of the next page, when there is one
}

// Pages of the unaffiliated contributors.
const (
	UnaffiliatedPageDefault = 200
	UnaffiliatedPageMax     = 1000
)

// BuildUnaffiliated returns one page (limit from offset; limit 0: the
// default) of the unaffiliated contributors of the range the community
// page would show for p, busiest first.
func BuildUnaffiliated(ctx context.Context, db *data.DB, p RangeParams, limit, offset int) (*Unaffiliated, error) {
	return oneRead(ctx, db, func(ctx context.Context) (*Unaffiliated, error) { return readUnaffiliated(ctx, db, p, limit, offset) })
}

// readUnaffiliated is BuildUnaffiliated inside its snapshot.
func readUnaffiliated(ctx context.Context, db *data.DB, p RangeParams, limit, offset int) (*Unaffiliated, error) {
	if limit == 0 {
		limit = UnaffiliatedPageDefault
	}
	if limit < 1 || limit > UnaffiliatedPageMax || offset < 0 {
		return nil, domain.Errorf(domain.EINVALID, "limit must be in [1, %d] and offset at least 0, got %d and %d", UnaffiliatedPageMax, limit, offset)
	}
	from, to, err := resolveRange(ctx, db, p)
	if err != nil {
		return nil, err
	}
	un, total, err := db.UnaffiliatedActorsPage(ctx, from, to.AddDate(0, 0, 1), limit, offset)
	if err != nil {
		return nil, err
	}
	u := &Unaffiliated{From: from.Format(domain.DateLayout), To: to.Format(domain.DateLayout), People: un, Total: total, Limit: limit, Offset: offset}
	if next := offset + len(un); next < total && len(un) > 0 {
		u.Next = &next
	}
	return u, nil
}

// BusFactor returns the fewest entries of counts (largest first) whose sum
// reaches share of the total, and the share they reach; 0 for no total.
func BusFactor(counts []int, share float64) (int, float64) {
	total := 0
	for _, c := range counts {
		total += c
	}
	if total == 0 {
		return 0, 0
	}
	sum := 0
	for i, c := range counts {
		sum += c
		if float64(sum) >= share*float64(total) {
			return i + 1, float64(sum) / float64(total)
		}
	}
	return len(counts), 1
}

// BuildCommunity returns the community page. The page and its JSON twin
// both call it.
func BuildCommunity(ctx context.Context, db *data.DB, cfg metrics.Config, p RangeParams) (*Community, error) {
	return oneRead(ctx, db, func(ctx context.Context) (*Community, error) { return readCommunity(ctx, db, cfg, p) })
}

// readCommunity is BuildCommunity inside its snapshot.
func readCommunity(ctx context.Context, db *data.DB, cfg metrics.Config, p RangeParams) (*Community, error) {
	from, to, err := resolveRange(ctx, db, p)
	if err != nil {
		return nil, err
	}
	out := &Community{From: from.Format(domain.DateLayout), To: to.Format(domain.DateLayout), Weeks: []CommunityWeek{},
		Concentration: []float64{}, Unaffiliated: []data.ActorCount{}}
	if out.LastCollected, err = ecoLastCollected(ctx, db); err != nil {
		return nil, err
	}
	end := to.AddDate(0, 0, 1)
	c, err := db.EcosystemCommunity(ctx, from, end)
	if err != nil {
		return nil, err
	}
	un, err := db.UnaffiliatedActors(ctx, from, end)
	if err != nil {
		return nil, err
	}
	out.Days = int(end.Sub(from).Hours() / 24)
	frame, err := loadTrendFrame(ctx, db, from, to, cfg.WindowDays)
	if err != nil {
		return nil, err
	}
	out.Contributions, out.ActiveContributors, out.NewContributors = c.Contributions, c.ActiveContributors, c.NewContributors
	var all []float64
	for _, w := range c.Weeks {
		start, last := w.Start, w.Start.AddDate(0, 0, 6)
		if start.Before(from) {
			start = from
		}
		if last.After(to) {
			last = to
		}
		cw := CommunityWeek{Week: domain.ISOWeek(w.Start), Start: start.Format(domain.DateLayout), End: last.Format(domain.DateLayout),
			Contributions: w.Contributions, ActiveContributors: w.ActiveContributors, NewContributors: w.NewContributors,
			PROpened: w.PROpened, PRMerged: w.PRMerged, Threads: w.Threads, Responded: w.Responded,
			FirstResponseMedian: ecoOpt(ecoQuantile(w.ResponseHours, 0.5)), FirstResponseP90: ecoOpt(ecoQuantile(w.ResponseHours, 0.9))}
		cw.DataDays = frame.dataDaysIn(start, last)
		cw.Partial = int(last.Sub(start).Hours()/24)+1 < 7 || cw.DataDays < 7
		if w.PROpened > 0 {
			cw.ClosureRatio = ecoOpt(float64(w.PRMerged) / float64(w.PROpened))
		}
		out.Weeks = append(out.Weeks, cw)
		out.PROpened += w.PROpened
		out.PRMerged += w.PRMerged
		out.Threads += w.Threads
		out.Responded += w.Responded
		all = append(all, w.ResponseHours...)
	}
	if out.PROpened > 0 {
		out.ClosureRatio = ecoOpt(float64(out.PRMerged) / float64(out.PROpened))
	}
	sort.Float64s(all)
	out.FirstResponseMedian, out.FirstResponseP90 = ecoOpt(ecoQuantile(all, 0.5)), ecoOpt(ecoQuantile(all, 0.9))
	out.BusFactor, out.BusFactorShare = BusFactor(c.PerPerson, CommunityBusShare)
	sum := 0
	for i, n := range c.PerPerson {
		if i == communityConcentrationMax {
			break
		}
		sum += n
		out.Concentration = append(out.Concentration, float64(sum)/float64(c.Contributions))
	}
	out.UnaffiliatedContributors = len(un)
	for i, a := range un {
		if i == communityUnaffiliatedListed {
			break
		}
		out.Unaffiliated = append(out.Unaffiliated, a)
	}
	if err := communityOffer(ctx, db, out); err != nil {
		return nil, err
	}
	return out, nil
}

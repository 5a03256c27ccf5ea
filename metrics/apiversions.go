package metrics

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// API version adoption (docs/api-versions.md): pure arithmetic over the
// calls per (day, member, endpoint), classified by the declared versions.

// VersionInput is what a version report is computed from. Rows hold the
// days [From, At]; the headline numbers cover the WindowDays ending At.
type VersionInput struct {
	Versions   *domain.APIVersions
	Rows       []domain.EndpointCalls
	From, At   time.Time
	WindowDays int
	SunsetDays int // N of "still calling within N days of its sunset"
}

// VersionReport is the adoption of the declared versions. Version indexes
// are those of Versions.List; index len(List) stands for the unversioned
// calls.
type VersionReport struct {
	Days        []time.Time // From … At
	Daily       [][]int64   // [version][day] calls
	WindowFrom  time.Time
	WindowCalls []int64 // per version, in the window
	Members     []MemberVersions
	Weeks       []time.Time  // the first day of each 7-day block ending At
	Burndown    [][]BurnWeek // per version ([version][week]); nil for a version never deprecated by At
	Risks       []SunsetRisk // every member at risk, by version then member
}

// MemberVersions is one member's calls by version.
type MemberVersions struct {
	Slug            string
	Calls           int64   // in the window
	DeprecatedCalls int64   // in the window, to versions deprecated on the call's day
	Mix             []int64 // in the window, per version (and unversioned last)
	Weekly          []ShareWeek
}

// DeprecatedShare is DeprecatedCalls / Calls; false when it made no calls.
func (m MemberVersions) DeprecatedShare() (float64, bool) {
	if m.Calls == 0 {
		return 0, false
	}
	return float64(m.DeprecatedCalls) / float64(m.Calls), true
}

// ShareWeek is a member's calls in one 7-day block, and how many went to
// versions deprecated on their day.
type ShareWeek struct {
	Calls, Deprecated int64
}

// BurnWeek is, for one deprecated version and one 7-day block, how many
// members still called it and how often.
type BurnWeek struct {
	Members int
	Calls   int64
}

// SunsetRisk is a member that would break at a version's sunset: it called
// the version in the last N days while the sunset is at most N days away
// (or past).
type SunsetRisk struct {
	Version int
	Member  string
	Calls   int64     // in the N days ending the day judged
	LastDay time.Time // its latest call to the version
}

// VersionAdoption computes a report. It never reads the clock: "now" is At.
func VersionAdoption(in VersionInput) *VersionReport {
	vs := in.Versions.Clone()
	nv := 0
	if vs != nil {
		nv = len(vs.List)
	}
	from, at := domain.Day(in.From), domain.Day(in.At)
	r := &VersionReport{WindowFrom: at.AddDate(0, 0, 1-in.WindowDays), WindowCalls: make([]int64, nv+1)}
	for d := from; !d.After(at); d = d.AddDate(0, 0, 1) {
		r.Days = append(r.Days, d)
	}
	for w := at.AddDate(0, 0, -6); !w.Before(from); w = w.AddDate(0, 0, -7) {
		r.Weeks = append(r.Weeks, w)
	}
	slices.Reverse(r.Weeks)
	r.Daily = make([][]int64, nv+1)
	for i := range r.Daily {
		r.Daily[i] = make([]int64, len(r.Days))
	}
	r.Burndown = make([][]BurnWeek, nv)
	burnSeen := map[[3]int]bool{} // version, week, member index: counted once
	members := map[string]*MemberVersions{}
	memberIdx := map[string]int{}
	for _, row := range in.Rows {
		day := domain.Day(row.Day)
		di := int(day.Sub(from).Hours() / 24)
		if di < 0 || di >= len(r.Days) || row.Calls <= 0 {
			continue
		}
		v := vs.Classify(row.Endpoint)
		if v < 0 {
			v = nv
		}
		r.Daily[v][di] = domain.AddSat(r.Daily[v][di], row.Calls)
		inWindow := !day.Before(r.WindowFrom)
		if inWindow {
			r.WindowCalls[v] = domain.AddSat(r.WindowCalls[v], row.Calls)
		}
		if row.Member == "" {
			continue
		}
		m := members[row.Member]
		if m == nil {
			m = &MemberVersions{Slug: row.Member, Mix: make([]int64, nv+1), Weekly: make([]ShareWeek, len(r.Weeks))}
			members[row.Member] = m
			memberIdx[row.Member] = len(memberIdx)
		}
		deprecated := v < nv && vs.List[v].DeprecatedOn(day)
		if inWindow {
			m.Calls = domain.AddSat(m.Calls, row.Calls)
			m.Mix[v] = domain.AddSat(m.Mix[v], row.Calls)
			if deprecated {
				m.DeprecatedCalls = domain.AddSat(m.DeprecatedCalls, row.Calls)
			}
		}
		wi := weekOf(r.Weeks, day)
		if wi < 0 {
			continue // before the first whole block
		}
		w := &m.Weekly[wi]
		w.Calls = domain.AddSat(w.Calls, row.Calls)
		if deprecated {
			w.Deprecated = domain.AddSat(w.Deprecated, row.Calls)
		}
		if v < nv && vs.List[v].DeprecatedOn(at) {
			if r.Burndown[v] == nil {
				r.Burndown[v] = make([]BurnWeek, len(r.Weeks))
			}
			b := &r.Burndown[v][wi]
			b.Calls = domain.AddSat(b.Calls, row.Calls)
			if k := [3]int{v, wi, memberIdx[row.Member]}; !burnSeen[k] {
				burnSeen[k] = true
				b.Members++
			}
		}
	}
	for _, m := range members {
		r.Members = append(r.Members, *m)
	}
	slices.SortFunc(r.Members, func(a, b MemberVersions) int { return strings.Compare(a.Slug, b.Slug) })
	r.Risks = SunsetRisks(vs, in.Rows, at, in.SunsetDays)
	return r
}

// weekOf is the index of the 7-day block (starting at weeks[i]) holding
// day, or -1.
func weekOf(weeks []time.Time, day time.Time) int {
	if len(weeks) == 0 || day.Before(weeks[0]) {
		return -1
	}
	i := int(day.Sub(weeks[0]).Hours()/24) / 7
	if i >= len(weeks) {
		return -1
	}
	return i
}

// InSunsetWarning says whether day is within n days of v's sunset, or past
// it: from the sunset day minus n days on.
func InSunsetWarning(v domain.APIVersion, day time.Time, n int) bool {
	return !v.Sunset.IsZero() && n > 0 && !domain.Day(day).Before(v.Sunset.AddDate(0, 0, -n))
}

// SunsetRisks are the members that still called a version in the n days
// ending at (days at−n+1 … at) while at is within n days of the version's
// sunset, or past it: those that would break at the sunset (or already
// do). Unmapped consumers are no member and are not listed. Sorted by
// version, then member.
func SunsetRisks(vs *domain.APIVersions, rows []domain.EndpointCalls, at time.Time, n int) []SunsetRisk {
	vs = vs.Clone()
	if !vs.Declared() || n <= 0 {
		return nil
	}
	at = domain.Day(at)
	first := at.AddDate(0, 0, 1-n)
	byKey := map[string]*SunsetRisk{}
	var out []*SunsetRisk
	for _, row := range rows {
		day := domain.Day(row.Day)
		if row.Member == "" || row.Calls <= 0 || day.Before(first) || day.After(at) {
			continue
		}
		v := vs.Classify(row.Endpoint)
		if v < 0 || !InSunsetWarning(vs.List[v], at, n) {
			continue
		}
		key := vs.List[v].Name + "\x00" + row.Member
		r := byKey[key]
		if r == nil {
			r = &SunsetRisk{Version: v, Member: row.Member}
			byKey[key] = r
			out = append(out, r)
		}
		r.Calls = domain.AddSat(r.Calls, row.Calls)
		if day.After(r.LastDay) {
			r.LastDay = day
		}
	}
	res := make([]SunsetRisk, len(out))
	for i, r := range out {
		res[i] = *r
	}
	slices.SortFunc(res, func(a, b SunsetRisk) int {
		return cmp.Or(cmp.Compare(a.Version, b.Version), strings.Compare(a.Member, b.Member))
	})
	return res
}

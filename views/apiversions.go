package views

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// API versions and deprecations (docs/api-versions.md): /api-versions and
// its JSON twin /api/v1/api-versions both come from BuildAPIVersions.

const (
	// VersionWindowDays is the window of the headline numbers: calls and
	// shares per version and per member.
	VersionWindowDays = 28
	// VersionChartDays is the history the charts show: 26 whole weeks.
	VersionChartDays = 182
)

// APIVersionsQuery is what the page is asked for.
type APIVersionsQuery struct {
	At         time.Time // zero: the latest day with API usage
	Now        time.Time // "today" when nothing is stored; zero: the clock
	SunsetDays int       // N of the sunset warning
}

// APIVersions is the page and its JSON.
type APIVersions struct {
	Declared         bool                 `json:"declared"`
	At               string               `json:"at"`
	WindowFrom       string               `json:"window_from"`
	ChartFrom        string               `json:"chart_from"`
	SunsetDays       int                  `json:"sunset_days"`
	Calls            int64                `json:"calls"` // every call of the window
	UnversionedCalls int64                `json:"unversioned_calls"`
	Versions         []APIVersionRow      `json:"versions"`
	Members          []APIVersionMember   `json:"members"`
	Sunsets          []APIVersionSunset   `json:"sunsets"`
	Adoption         APIVersionAdoption   `json:"adoption"`
	Burndown         []APIVersionBurndown `json:"burndown"`
}

// APIVersionRow is a version's lifecycle and its calls in the window.
type APIVersionRow struct {
	Name         string   `json:"name"`
	Status       string   `json:"status"`
	ReleasedOn   *string  `json:"released_on"`
	DeprecatedOn *string  `json:"deprecated_on"`
	SunsetOn     *string  `json:"sunset_on"`
	Replacement  string   `json:"replacement,omitempty"`
	Calls        int64    `json:"calls"`
	Share        *float64 `json:"share"` // of every call in the window; null: no call
}

// APIVersionMember is a member's calls on deprecated versions.
type APIVersionMember struct {
	Slug            string              `json:"slug"`
	Calls           int64               `json:"calls"`
	DeprecatedCalls int64               `json:"deprecated_calls"`
	DeprecatedShare *float64            `json:"deprecated_share"` // null: no call in the window
	SunsetRisk      []string            `json:"sunset_risk"`      // versions it would break at
	Mix             []APIVersionShare   `json:"mix"`
	Trend           []APIVersionWeekPct `json:"trend"`
}

// APIVersionShare is one version's share of a member's calls.
type APIVersionShare struct {
	Name   string  `json:"name"`
	Status string  `json:"status,omitempty"` // on the last day counted; none for unversioned calls
	Calls  int64   `json:"calls"`
	Share  float64 `json:"share"`
}

// APIVersionWeekPct is a member's deprecated share in one 7-day block.
type APIVersionWeekPct struct {
	Week  string   `json:"week"` // its first day
	Calls int64    `json:"calls"`
	Share *float64 `json:"deprecated_share"` // null: no call that week
}

// APIVersionSunset is a version's sunset and who would break at it.
type APIVersionSunset struct {
	Version     string             `json:"version"`
	SunsetOn    string             `json:"sunset_on"`
	WarningFrom string             `json:"warning_from"`
	DaysLeft    int                `json:"days_left"` // negative: past
	InWarning   bool               `json:"in_warning"`
	Members     []APIVersionAtRisk `json:"members"`
}

// APIVersionAtRisk is a member still calling a version near its sunset.
type APIVersionAtRisk struct {
	Slug     string `json:"slug"`
	Calls    int64  `json:"calls"`
	LastCall string `json:"last_call"`
}

// APIVersionAdoption is each version's daily share of all calls.
type APIVersionAdoption struct {
	Days   []string           `json:"days"`
	Series []APIVersionSeries `json:"series"`
}

// APIVersionSeries is one version's daily shares (null: no call that day).
type APIVersionSeries struct {
	Name   string     `json:"name"`
	Shares []*float64 `json:"shares"`
}

// APIVersionBurndown is, per week since the chart's start, how many
// members still called a version deprecated by At.
type APIVersionBurndown struct {
	Version      string           `json:"version"`
	DeprecatedOn string           `json:"deprecated_on"`
	Weeks        []APIVersionBurn `json:"weeks"`
}

// APIVersionBurn is one week of a burndown.
type APIVersionBurn struct {
	Week    string `json:"week"`
	Members int    `json:"members"`
	Calls   int64  `json:"calls"`
}

// BuildAPIVersions computes the report in one read of the store.
func BuildAPIVersions(ctx context.Context, db *data.DB, vs *domain.APIVersions, q APIVersionsQuery) (*APIVersions, error) {
	return oneRead(ctx, db, func(ctx context.Context) (*APIVersions, error) {
		at := domain.Day(q.At)
		if q.At.IsZero() {
			r, err := db.DataRange(ctx)
			if err != nil {
				return nil, err
			}
			at = r.UsageLast
			if at.IsZero() {
				at = domain.Day(cmp.Or(q.Now, time.Now()))
			}
		}
		from := at.AddDate(0, 0, 1-VersionChartDays)
		rows, err := db.EndpointCalls(ctx, "", from, at.AddDate(0, 0, 1))
		if err != nil {
			return nil, err
		}
		rep := metrics.VersionAdoption(metrics.VersionInput{Versions: vs, Rows: rows, From: from, At: at,
			WindowDays: VersionWindowDays, SunsetDays: q.SunsetDays})
		return versionsOf(vs, rep, at, q.SunsetDays), nil
	})
}

// versionsOf turns a report into the page's numbers.
func versionsOf(vs *domain.APIVersions, rep *metrics.VersionReport, at time.Time, n int) *APIVersions {
	out := &APIVersions{Declared: vs.Declared(), At: dayText(at), WindowFrom: dayText(rep.WindowFrom), SunsetDays: n,
		Versions: []APIVersionRow{}, Members: []APIVersionMember{}, Sunsets: []APIVersionSunset{}, Burndown: []APIVersionBurndown{}}
	out.ChartFrom = dayText(rep.Days[0])
	var list []domain.APIVersion
	if vs != nil {
		list = vs.List
	}
	for _, c := range rep.WindowCalls {
		out.Calls = domain.AddSat(out.Calls, c)
	}
	out.UnversionedCalls = rep.WindowCalls[len(list)]
	for i, v := range list {
		row := APIVersionRow{Name: v.Name, Status: v.StatusOn(at), ReleasedOn: optDay(v.Released), DeprecatedOn: optDay(v.Deprecated),
			SunsetOn: optDay(v.Sunset), Replacement: v.Replacement, Calls: rep.WindowCalls[i], Share: ratioOrNil(rep.WindowCalls[i], out.Calls)}
		out.Versions = append(out.Versions, row)
	}
	risks := map[string][]string{}
	for _, r := range rep.Risks {
		risks[r.Member] = append(risks[r.Member], list[r.Version].Name)
	}
	for _, m := range rep.Members {
		out.Members = append(out.Members, memberVersionsOf(list, rep, m, risks[m.Slug]))
	}
	slices.SortStableFunc(out.Members, func(a, b APIVersionMember) int {
		return cmp.Or(cmp.Compare(len(b.SunsetRisk), len(a.SunsetRisk)), cmpOptDesc(a.DeprecatedShare, b.DeprecatedShare), strings.Compare(a.Slug, b.Slug))
	})
	out.Sunsets = sunsetsOf(list, rep.Risks, at, n)
	out.Adoption = adoptionOf(list, rep)
	for i, b := range rep.Burndown {
		if b == nil {
			continue
		}
		bd := APIVersionBurndown{Version: list[i].Name, DeprecatedOn: dayText(list[i].Deprecated), Weeks: make([]APIVersionBurn, len(b))}
		for w, x := range b {
			bd.Weeks[w] = APIVersionBurn{Week: dayText(rep.Weeks[w]), Members: x.Members, Calls: x.Calls}
		}
		out.Burndown = append(out.Burndown, bd)
	}
	return out
}

func memberVersionsOf(list []domain.APIVersion, rep *metrics.VersionReport, m metrics.MemberVersions, risk []string) APIVersionMember {
	if risk == nil {
		risk = []string{}
	}
	row := APIVersionMember{Slug: m.Slug, Calls: m.Calls, DeprecatedCalls: m.DeprecatedCalls, SunsetRisk: risk,
		Mix: mixOf(list, m.Mix, m.Calls), Trend: make([]APIVersionWeekPct, len(m.Weekly))}
	if s, ok := m.DeprecatedShare(); ok {
		row.DeprecatedShare = &s
	}
	for w, x := range m.Weekly {
		row.Trend[w] = APIVersionWeekPct{Week: dayText(rep.Weeks[w]), Calls: x.Calls, Share: ratioOrNil(x.Deprecated, x.Calls)}
	}
	return row
}

// mixOf is each version's share of calls (unversioned last), leaving out
// versions without calls.
func mixOf(list []domain.APIVersion, calls []int64, total int64) []APIVersionShare {
	out := []APIVersionShare{}
	for i, c := range calls {
		if c == 0 || total == 0 {
			continue
		}
		name := domain.Unversioned
		if i < len(list) {
			name = list[i].Name
		}
		out = append(out, APIVersionShare{Name: name, Calls: c, Share: float64(c) / float64(total)})
	}
	return out
}

// sunsetsOf lists every declared sunset with the members at risk.
func sunsetsOf(list []domain.APIVersion, risks []metrics.SunsetRisk, at time.Time, n int) []APIVersionSunset {
	out := []APIVersionSunset{}
	for i, v := range list {
		if v.Sunset.IsZero() {
			continue
		}
		s := APIVersionSunset{Version: v.Name, SunsetOn: dayText(v.Sunset), WarningFrom: dayText(v.Sunset.AddDate(0, 0, -n)),
			DaysLeft: int(v.Sunset.Sub(at).Hours() / 24), InWarning: metrics.InSunsetWarning(v, at, n), Members: []APIVersionAtRisk{}}
		for _, r := range risks {
			if r.Version == i {
				s.Members = append(s.Members, APIVersionAtRisk{Slug: r.Member, Calls: r.Calls, LastCall: dayText(r.LastDay)})
			}
		}
		out = append(out, s)
	}
	return out
}

// adoptionOf is each version's daily share; the unversioned calls are a
// series only when there are some.
func adoptionOf(list []domain.APIVersion, rep *metrics.VersionReport) APIVersionAdoption {
	a := APIVersionAdoption{Days: make([]string, len(rep.Days)), Series: []APIVersionSeries{}}
	totals := make([]int64, len(rep.Days))
	for d := range rep.Days {
		a.Days[d] = dayText(rep.Days[d])
		for v := range rep.Daily {
			totals[d] = domain.AddSat(totals[d], rep.Daily[v][d])
		}
	}
	for v, daily := range rep.Daily {
		name := domain.Unversioned
		if v < len(list) {
			name = list[v].Name
		} else if slices.Max(daily) == 0 {
			continue
		}
		s := APIVersionSeries{Name: name, Shares: make([]*float64, len(daily))}
		for d, c := range daily {
			s.Shares[d] = ratioOrNil(c, totals[d])
		}
		a.Series = append(a.Series, s)
	}
	return a
}

func ratioOrNil(n, d int64) *float64 {
	if d <= 0 {
		return nil
	}
	r := float64(n) / float64(d)
	return &r
}

// cmpOptDesc orders larger values first, nil last.
func cmpOptDesc(a, b *float64) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return cmp.Compare(*b, *a)
}

func dayText(d time.Time) string {
	if d.IsZero() {
		return ""
	}
	return d.Format(domain.DateLayout)
}

func optDay(d time.Time) *string {
	if d.IsZero() {
		return nil
	}
	s := dayText(d)
	return &s
}

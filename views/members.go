package views

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// The members list: /members, /members.csv and /api/v1/members.

// MembersQuery is the members list's filters, sort order and day, exactly as
// they appear in the URL query, so a view can be bookmarked and shared.
type MembersQuery struct {
	At      string `json:"at,omitempty"`      // YYYY-MM-DD; empty: the latest scored day
	Segment string `json:"segment,omitempty"` // exact segment
	Tier    string `json:"tier,omitempty"`    // exact tier; "-" selects members without one
	Kind    string `json:"kind,omitempty"`    // partner, developer_org, research, internal
	Status  string `json:"status,omitempty"`  // healthy, watch, at_risk, no_data
	Q       string `json:"q,omitempty"`       // text in the name or slug
	Sort    string `json:"sort"`              // a key of membersSortKeys
	Order   string `json:"order"`             // asc or desc
}

// MembersNoTier is the tier filter value of members without a tier.
const MembersNoTier = "-"

const maxMembersQueryLen = 200

// membersSortKey is a column the list can be sorted by.
type membersSortKey struct {
	Label string
	Desc  bool // the order a first click gives: numbers high to low, text A–Z
	Class string
	less  func(a, b *MembersRow) int // <0, 0, >0
}

func membersCmpFloat(a, b float64) int {
	switch {
	case math.IsNaN(a) && math.IsNaN(b):
		return 0
	case math.IsNaN(a): // a missing value sorts as the lowest
		return -1
	case math.IsNaN(b):
		return 1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// membersStatusRank orders statuses by urgency: at risk first.
var membersStatusRank = map[string]int{domain.StatusAtRisk: 0, domain.StatusWatch: 1, domain.StatusHealthy: 2, domain.StatusNoData: 3}

// membersSortOrder lists the sortable columns in table order.
var membersSortOrder = []string{"name", "segment", "tier", "kind", "status", "health", "change", "T", "I", "M", "C", "K", "phi"}

var membersSortKeys = map[string]membersSortKey{
	"name":    {Label: "Member", less: func(a, b *MembersRow) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) }},
	"segment": {Label: "Segment", less: func(a, b *MembersRow) int { return strings.Compare(a.Segment, b.Segment) }},
	"tier":    {Label: "Tier", less: func(a, b *MembersRow) int { return strings.Compare(a.Tier, b.Tier) }},
	"kind":    {Label: "Kind", less: func(a, b *MembersRow) int { return strings.Compare(a.Kind, b.Kind) }},
	"status":  {Label: "Status", less: func(a, b *MembersRow) int { return membersStatusRank[a.Status] - membersStatusRank[b.Status] }},
	"health":  {Label: "Health", Desc: true, Class: "n", less: func(a, b *MembersRow) int { return membersCmpFloat(a.Health, b.Health) }},
	"change":  {Label: "Δ week", Desc: true, Class: "n", less: func(a, b *MembersRow) int { return membersCmpFloat(a.HealthChange, b.HealthChange) }},
	"T":       {Label: "T", Desc: true, Class: "n", less: func(a, b *MembersRow) int { return membersCmpFloat(a.T, b.T) }},
	"I":       {Label: "I", Desc: true, Class: "n", less: func(a, b *MembersRow) int { return membersCmpFloat(a.I, b.I) }},
	"M":       {Label: "M", Desc: true, Class: "n", less: func(a, b *MembersRow) int { return membersCmpFloat(a.M, b.M) }},
	"C":       {Label: "C", Desc: true, Class: "n", less: func(a, b *MembersRow) int { return membersCmpFloat(a.C, b.C) }},
	"K":       {Label: "K", Desc: true, Class: "n", less: func(a, b *MembersRow) int { return membersCmpFloat(a.K, b.K) }},
	"phi":     {Label: "φ", Desc: true, Class: "n", less: func(a, b *MembersRow) int { return membersCmpFloat(a.Phi, b.Phi) }},
}

const defaultMembersSort = "phi"

// ParseMembersQuery reads the members list's query parameters (get returns
// one by name, "" when absent) and checks them: an unknown status, sort key
// or order, a bad date or an overlong search is an EINVALID error.
func ParseMembersQuery(get func(string) string) (MembersQuery, error) {
	q := MembersQuery{
		At:      strings.TrimSpace(get("at")),
		Segment: strings.TrimSpace(get("segment")),
		Tier:    strings.TrimSpace(get("tier")),
		Kind:    strings.TrimSpace(get("kind")),
		Status:  strings.TrimSpace(get("status")),
		Q:       strings.TrimSpace(get("q")),
		Sort:    strings.TrimSpace(get("sort")),
		Order:   strings.ToLower(strings.TrimSpace(get("order"))),
	}
	if _, err := ParseQueryDay("at", q.At); err != nil {
		return q, err
	}
	for name, v := range map[string]string{"segment": q.Segment, "tier": q.Tier, "kind": q.Kind, "q": q.Q} {
		if len(v) > maxMembersQueryLen {
			return q, domain.ErrorKey(domain.EINVALID, "errors.query.too_long", domain.Facts{"Name": name, "Max": maxMembersQueryLen}, "%s is longer than %d characters", name, maxMembersQueryLen)
		}
	}
	if q.Kind != "" && !domain.MemberKind(q.Kind).Valid() {
		return q, domain.ErrorKey(domain.EINVALID, "errors.query.kind", domain.Facts{"Value": fmt.Sprintf("%q", q.Kind)}, "unknown kind %q: want partner, developer_org, research or internal", q.Kind)
	}
	if q.Status != "" {
		if _, ok := membersStatusRank[q.Status]; !ok {
			return q, domain.ErrorKey(domain.EINVALID, "errors.query.member_status", domain.Facts{"Value": fmt.Sprintf("%q", q.Status)}, "unknown status %q: want healthy, watch, at_risk or no_data", q.Status)
		}
	}
	if q.Sort == "" {
		q.Sort = defaultMembersSort
	}
	key, ok := membersSortKeys[q.Sort]
	if !ok {
		return q, domain.ErrorKey(domain.EINVALID, "errors.query.sort", domain.Facts{"Value": fmt.Sprintf("%q", q.Sort), "Keys": strings.Join(membersSortOrder, ", ")}, "cannot sort by %q: want one of %s", q.Sort, strings.Join(membersSortOrder, ", "))
	}
	switch q.Order {
	case "":
		q.Order = "asc"
		if key.Desc {
			q.Order = "desc"
		}
	case "asc", "desc":
	default:
		return q, domain.ErrorKey(domain.EINVALID, "errors.query.order", domain.Facts{"Value": fmt.Sprintf("%q", q.Order)}, "unknown order %q: want asc or desc", q.Order)
	}
	return q, nil
}

// Values returns the query as URL values, leaving out defaults.
func (q MembersQuery) Values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("at", q.At)
	set("segment", q.Segment)
	set("tier", q.Tier)
	set("kind", q.Kind)
	set("status", q.Status)
	set("q", q.Q)
	if q.Sort != "" && q.Sort != defaultMembersSort {
		v.Set("sort", q.Sort)
	}
	if key, ok := membersSortKeys[q.Sort]; ok && q.Order != "" && (q.Order == "desc") != key.Desc {
		v.Set("order", q.Order)
	}
	return v
}

// URL returns path with the query.
func (q MembersQuery) URL(path string) string {
	if enc := q.Values().Encode(); enc != "" {
		return path + "?" + enc
	}
	return path
}

func (q MembersQuery) filter() data.MemberFilter {
	f := data.MemberFilter{Query: q.Q}
	if q.Segment != "" {
		f.Segment = &q.Segment
	}
	switch q.Tier {
	case "":
	case MembersNoTier:
		none := ""
		f.Tier = &none
	default:
		f.Tier = &q.Tier
	}
	if q.Kind != "" {
		f.Kind = &q.Kind
	}
	return f
}

// MembersRow is one member of the list: the overview's row with T, I, M and
// a weekly health trend.
type MembersRow struct {
	MemberRow
	Factors
	Trend []*float64 `json:"trend"` // health on Members.TrendDays; null where the member had no score
}

// MembersFacets are the values the filters offer.
type MembersFacets struct {
	Segments []string `json:"segments"`
	Tiers    []string `json:"tiers"`
	Kinds    []string `json:"kinds"`
	Statuses []string `json:"statuses"`
}

// Members is /members and /api/v1/members.
type Members struct {
	At string `json:"at"`
	DayShown
	Query         MembersQuery  `json:"query"`
	Total         int           `json:"total"` // scored members of the day, before filters
	Count         int           `json:"count"` // members listed
	TrendDays     []string      `json:"trend_days"`
	Members       []MembersRow  `json:"members"`
	Facets        MembersFacets `json:"facets"`
	Empty         bool          `json:"empty"` // no scores yet
	LastCollected string        `json:"last_collected,omitempty"`
	// Scored is the first and last scored day (null: none), the day
	// input's bounds; Available offers the scores that hold the data when
	// the day shown holds none.
	Scored    *DayRange  `json:"scored_range"`
	Available *DataOffer `json:"available"`
	// CanEdit: the viewer may add and edit members (the page's links; set by
	// the handler, per role, never part of the JSON).
	CanEdit bool `json:"-"`

	// reasons are what the page needs to say each row's reason in its own
	// language (reasonIn); unexported: the JSON keeps the English.
	reasons map[string]reasonFacts
}

// membersTrendDays returns the days of a weekly trend ending on day: the n-1
// Sundays that closed the weeks before it, then day itself, oldest first.
func membersTrendDays(day time.Time, n int) []time.Time {
	day = domain.Day(day)
	out := make([]time.Time, n)
	out[n-1] = day
	back := int(day.Weekday()) // days since the last Sunday
	if back == 0 {
		back = 7
	}
	s := day.AddDate(0, 0, -back)
	for i := n - 2; i >= 0; i-- {
		out[i] = s
		s = s.AddDate(0, 0, -7)
	}
	return out
}

// BuildMembers returns the members list for q. The page, its CSV and
// /api/v1/members all call it.
func BuildMembers(ctx context.Context, db *data.DB, q MembersQuery) (*Members, error) {
	return oneRead(ctx, db, func(ctx context.Context) (*Members, error) { return readMembers(ctx, db, q) })
}

// readMembers is BuildMembers inside its snapshot.
func readMembers(ctx context.Context, db *data.DB, q MembersQuery) (*Members, error) {
	out := &Members{Query: q, Members: []MembersRow{}, TrendDays: []string{},
		Facets: MembersFacets{Segments: []string{}, Tiers: []string{}, Kinds: []string{},
			Statuses: []string{domain.StatusHealthy, domain.StatusWatch, domain.StatusAtRisk, domain.StatusNoData}}}
	last, err := db.LastSuccessfulRun(ctx)
	if err != nil {
		return nil, err
	}
	if !last.IsZero() {
		out.LastCollected = last.Format(time.RFC3339)
	}
	var at time.Time
	if q.At != "" {
		if at, err = domain.ParseDay(q.At); err != nil {
			return nil, err
		}
	}
	day, shown, err := scoreDay(ctx, db, at)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		out.Empty = true
		return out, membersOffer(ctx, db, out, time.Time{})
	} else if err != nil {
		return nil, err
	}
	if err := membersOffer(ctx, db, out, day); err != nil {
		return nil, err
	}
	out.At, out.DayShown = day.Format(domain.DateLayout), shown
	eco, err := db.EcosystemScoreOn(ctx, day)
	if err != nil {
		return nil, err
	}
	out.reasons = map[string]reasonFacts{}
	rows, err := memberRowsFacts(ctx, db, day, day.AddDate(0, 0, -7), eco.R, out.reasons)
	if err != nil {
		return nil, err
	}
	out.Total = len(rows)
	out.Facets.Segments, out.Facets.Tiers, out.Facets.Kinds = membersFacetValues(rows)

	matching, err := db.FilterMembers(ctx, q.filter())
	if err != nil {
		return nil, err
	}
	ids := make(map[string]int64, len(matching))
	for _, m := range matching {
		ids[m.Slug] = m.ID
	}
	days := membersTrendDays(day, trendWeeks)
	for _, d := range days {
		out.TrendDays = append(out.TrendDays, d.Format(domain.DateLayout))
	}
	trends, err := membersHealthTrends(ctx, db, days)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		id, ok := ids[r.Slug]
		if !ok || (q.Status != "" && r.Status != q.Status) {
			continue
		}
		row := MembersRow{MemberRow: r, Trend: trends[id]}
		if row.Trend == nil {
			row.Trend = make([]*float64, len(days))
		}
		row.T, row.I, row.M = r.factors[0], r.factors[1], r.factors[2]
		out.Members = append(out.Members, row)
	}
	sortMembersRows(out.Members, q)
	out.Count = len(out.Members)
	return out, nil
}

func membersFacetValues(rows []MemberRow) (segments, tiers, kinds []string) {
	seen := map[string]bool{}
	add := func(list *[]string, prefix, v string) {
		if v == "" || seen[prefix+v] {
			return
		}
		seen[prefix+v] = true
		*list = append(*list, v)
	}
	segments, tiers, kinds = []string{}, []string{}, []string{}
	noTier := false
	for _, r := range rows {
		add(&segments, "s:", r.Segment)
		add(&tiers, "t:", r.Tier)
		add(&kinds, "k:", r.Kind)
		noTier = noTier || r.Tier == ""
	}
	sort.Strings(segments)
	sort.Strings(tiers)
	sort.Strings(kinds)
	if noTier {
		tiers = append(tiers, MembersNoTier)
	}
	return segments, tiers, kinds
}

// sortMembersRows sorts rows by the query's column and order; ties keep
// the order of descending φ, then name.
func sortMembersRows(rows []MembersRow, q MembersQuery) {
	key, ok := membersSortKeys[q.Sort]
	if !ok {
		key = membersSortKeys[defaultMembersSort]
	}
	desc := q.Order == "desc"
	sort.SliceStable(rows, func(i, j int) bool {
		c := key.less(&rows[i], &rows[j])
		if desc {
			c = -c
		}
		if c != 0 {
			return c < 0
		}
		if c := membersCmpFloat(rows[j].Phi, rows[i].Phi); c != 0 {
			return c < 0
		}
		if rows[i].Name != rows[j].Name {
			return rows[i].Name < rows[j].Name
		}
		return rows[i].Slug < rows[j].Slug
	})
}

// WriteMembersCSV writes the rows of m, in its order, as CSV in the
// columns of every member export (MemberExportColumns): text cells quoted
// and neutralised (SpreadsheetCSV), numbers bare. The changes are against
// 7 days earlier, the list's "Δ week".
func WriteMembersCSV(w io.Writer, m *Members) error {
	return WriteMemberExportCSV(w, MembersExportRows(m))
}

// MembersExportRows are the export rows of the members list, in its order.
func MembersExportRows(m *Members) []MemberExportRow {
	against := ""
	if d, err := domain.ParseDay(m.At); err == nil && m.At != "" {
		against = d.AddDate(0, 0, -7).Format(domain.DateLayout)
	}
	out := make([]MemberExportRow, 0, len(m.Members))
	for _, r := range m.Members {
		e := emptyExportRow(ScopeMember)
		e.Day, e.Slug, e.Name, e.Kind, e.Segment, e.Tier, e.Status = m.At, r.Slug, r.Name, r.Kind, r.Segment, r.Tier, r.Status
		e.Health, e.T, e.I, e.M, e.C, e.K, e.Phi, e.Share = r.Health, r.T, r.I, r.M, r.C, r.K, r.Phi, r.PhiShare
		e.Against, e.HealthChange = against, r.HealthChange
		e.ReasonKind, e.Reason = r.ReasonKind, r.Reason
		out = append(out, e)
	}
	return out
}

// MembersCSVName is the download name of the members CSV.
func MembersCSVName(m *Members) string {
	if m.At == "" {
		return "ecopulse-members.csv"
	}
	return fmt.Sprintf("ecopulse-members-%s.csv", m.At)
}

// membersHealthTrends returns each member's health on days, by member id:
// one point per day, nil where the day has no finite health.
func membersHealthTrends(ctx context.Context, db *data.DB, days []time.Time) (map[int64][]*float64, error) {
	points, err := db.MemberHealthOn(ctx, days)
	if err != nil {
		return nil, err
	}
	dayIndex := make(map[time.Time]int, len(days))
	for i, d := range days {
		dayIndex[domain.Day(d)] = i
	}
	trends := map[int64][]*float64{}
	for _, p := range points {
		i, ok := dayIndex[domain.Day(p.Day)]
		if !ok {
			continue
		}
		tr := trends[p.MemberID]
		if tr == nil {
			tr = make([]*float64, len(days))
			trends[p.MemberID] = tr
		}
		if finiteNum(p.Health) {
			h := p.Health
			tr[i] = &h
		}
	}
	return trends, nil
}

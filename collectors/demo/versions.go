package demo

import (
	"cmp"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// The demo's API versions (docs/api-versions.md): every endpoint exists as
// /v1/… and /v2/…. v2 is released a third of the way into the history and
// v1 deprecated halfway; v1's sunset is sunsetAfterEnd days after End, so
// the demo is inside its 30-day warning. Members move their calls to v2 at
// different speeds — each starts on its own day and takes its own time, all
// done a month before End — except two laggards: one never starts, one
// started late and slowly, and both still call v1 near the sunset.

const (
	v2ReleasedAt   = 1.0 / 3 // share of the history before v2's release
	v1DeprecatedAt = 0.5     // …and before v1's deprecation
	sunsetAfterEnd = 20      // days from End to v1's sunset
	migratedBefore = 32      // days before End by which every other member is on v2
	laggards       = 2
)

// versionPlan says when each consumer's calls move to v2.
type versionPlan struct {
	released, deprecated, sunset time.Time
	// start and span of each member's migration; a laggard's span runs
	// past End.
	start []time.Time
	span  []time.Duration
	lag   []int // the laggards' member indices
}

// APIVersions are the demo's version declarations for the history of opt,
// as serve --demo declares them when the configuration declares none.
func APIVersions(opt Options) *domain.APIVersions {
	vp := newVersionPlan(newPlanShape(opt))
	vs, err := domain.NewAPIVersions([]domain.APIVersion{
		{Name: "v1", Patterns: []*regexp.Regexp{regexp.MustCompile(`^/v1/`)}, Deprecated: vp.deprecated, Sunset: vp.sunset, Replacement: "v2"},
		{Name: "v2", Patterns: []*regexp.Regexp{regexp.MustCompile(`^/v2/`)}, Released: vp.released},
	})
	if err != nil {
		panic(err) // the declarations above are valid whatever the dates: released ≤ deprecated ≤ sunset
	}
	return vs
}

// Laggards are the slugs of the members that still call v1 near its sunset.
func Laggards(opt Options) []string {
	p := newPlan(opt)
	var out []string
	for _, i := range p.versionPlan().lag {
		out = append(out, p.members[i].Slug)
	}
	slices.Sort(out)
	return out
}

// newPlanShape is a plan with its members only: what the version plan
// needs, without the people and projects.
func newPlanShape(opt Options) *plan {
	p := &plan{opt: opt, endDay: domain.Day(opt.End)}
	p.start, p.end = historyRange(opt)
	p.planMembers(newRand(opt.Seed, streamPlan))
	return p
}

// versionPlan is the plan's version plan, made on first use.
func (p *plan) versionPlan() *versionPlan {
	if p.versions == nil {
		p.versions = newVersionPlan(p)
	}
	return p.versions
}

func newVersionPlan(p *plan) *versionPlan {
	days := float64(p.opt.Days)
	vp := &versionPlan{
		released:   p.start.AddDate(0, 0, int(days*v2ReleasedAt)),
		deprecated: p.start.AddDate(0, 0, int(days*v1DeprecatedAt)),
		sunset:     p.endDay.AddDate(0, 0, sunsetAfterEnd),
	}
	done := p.endDay.AddDate(0, 0, -migratedBefore)
	// The laggards: two members still active at End (steady or growing),
	// chosen by a hash of the seed so that another seed picks others.
	var able []int
	for i, m := range p.members {
		if m.traj == trajSteady || m.traj == trajGrowing {
			able = append(able, i)
		}
	}
	slices.SortFunc(able, func(a, b int) int {
		return cmp.Compare(mix64(uint64(p.opt.Seed)^uint64(a)), mix64(uint64(p.opt.Seed)^uint64(b)))
	})
	vp.lag = able[:min(laggards, len(able))]
	for i := range p.members {
		u := unitHash(p.opt.Seed, uint64(i), 1)
		start := vp.released.Add(time.Duration(u * float64(done.Sub(vp.released)) * 0.6))
		room := max(done.Sub(start), 7*day)
		span := time.Duration((0.15 + 0.85*unitHash(p.opt.Seed, uint64(i), 2)) * float64(room))
		switch slices.Index(vp.lag, i) {
		case 0: // never starts
			start, span = p.end.AddDate(10, 0, 0), day
		case 1: // starts late, slowly: about a third on v2 at End
			start = done.AddDate(0, 0, -20)
			span = time.Duration(float64(p.endDay.Sub(start)) * 3)
		}
		vp.start = append(vp.start, start)
		vp.span = append(vp.span, span)
	}
	return vp
}

// onV2 is the share of member m's calls made on v2 at t (m < 0: an
// unmapped consumer, which migrates at the median pace).
func (vp *versionPlan) onV2(m int, t time.Time) float64 {
	start, span := vp.released.Add(30*day), 40*day
	if m >= 0 {
		start, span = vp.start[m], vp.span[m]
	}
	if t.Before(vp.released) || t.Before(start) {
		return 0
	}
	return math.Min(1, float64(t.Sub(start))/float64(span))
}

// versionedPath is the path of a call of consumer ci to endpoint ep in
// hour h: a whole (consumer, endpoint, hour) moves to /v2/ with the
// probability onV2, by a hash, so that Seed and Tick agree and no random
// draw of the traffic changes.
func (p *plan) versionedPath(ci, ep int, h time.Time) string {
	path := endpoints[ep].path
	vp := p.versionPlan()
	if unitHash(p.opt.Seed, uint64(ci)<<8|uint64(ep), uint64(h.Unix()/3600)) < vp.onV2(p.consumers[ci].member, h) {
		return "/v2/" + strings.TrimPrefix(path, "/v1/")
	}
	return path
}

// unitHash is a number in [0, 1) that depends only on its arguments.
func unitHash(seed int64, a, b uint64) float64 {
	return float64(mix64(uint64(seed)^mix64(a+0x9e3779b97f4a7c15)^mix64(b^0xd1b54a32d192ed03))>>11) / (1 << 53)
}

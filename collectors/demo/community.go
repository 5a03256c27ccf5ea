package demo

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

type threadKind int

const (
	kindTopic threadKind = iota // Discourse topic
	kindIssue
	kindPR
	kindBump // dependency update opened by dependabot
)

// thread is a conversation opened by someone: its replies are generated
// once threads are numbered in time order.
type thread struct {
	kind   threadKind
	repo   int
	opener int
	at     time.Time
	title  string
	key    string // "github:ecopulse-demo/sdk-python#123", "discourse:topic/456"
	ext    string // external id prefix of its activities on the source
	seq    int    // activities so far
}

var bumpDeps = [][]string{
	{"httpx", "pydantic", "pytest", "ruff"},
	{"undici", "typescript", "vitest", "eslint"},
	{"jupyterlab", "numpy", "pandas"},
	{"tokio", "serde", "prost"},
	{"datasets", "scikit-learn", "numpy"},
}

// activity returns how active a person is at t relative to their own rate.
func (p *plan) activity(pi int, t time.Time) float64 {
	pp := &p.people[pi]
	if pp.bot {
		return 0
	}
	if len(pp.affs) == 0 {
		return 1
	}
	mi := pp.memberAt(t)
	if mi < 0 {
		if t.Before(pp.affs[0].from) {
			return 0.3 // before joining the member, an occasional independent
		}
		return 0
	}
	return p.communityLevel(&p.members[mi], t)
}

// segmentOf returns the segment of the member a person belongs to at t.
func (p *plan) segmentOf(pi int, t time.Time) (int, string) {
	mi := p.people[pi].memberAt(t)
	if mi < 0 {
		return -1, ""
	}
	return mi, p.members[mi].Segment
}

// openThread draws a thread opened by person pi at t.
func (p *plan) openThread(r *rand.Rand, pi int, t time.Time) thread {
	pp := &p.people[pi]
	_, seg := p.segmentOf(pi, t)
	th := thread{opener: pi, at: t, repo: pickWeighted(r, segmentRepos[seg])}
	x := r.Float64()
	switch {
	case pp.maintainer && x < 0.55, !pp.maintainer && x < 0.2:
		th.kind = kindPR
	case pp.maintainer && x < 0.7, !pp.maintainer && x < 0.55:
		th.kind = kindIssue
	default:
		th.kind = kindTopic
	}
	segTitles := segmentTitles[seg]
	switch th.kind {
	case kindPR:
		th.title = prTitles[r.IntN(len(prTitles))]
	case kindIssue:
		if len(segTitles) > 0 && chance(r, 0.3) {
			th.title = segTitles[r.IntN(len(segTitles))]
		} else {
			th.title = issueTitles[r.IntN(len(issueTitles))]
		}
	default:
		if len(segTitles) > 0 && chance(r, 0.4) {
			th.title = segTitles[r.IntN(len(segTitles))]
		} else {
			th.title = topicTitles[r.IntN(len(topicTitles))]
		}
	}
	return th
}

// workTime draws a time on day d in a person's working hours (evenings now
// and then).
func workTime(r *rand.Rand, d time.Time, tz int) time.Time {
	h := between(r, 8.5, 18.5)
	if chance(r, 0.15) {
		h = between(r, 19, 23.5)
	}
	return d.Add(time.Duration((h - float64(tz)) * float64(time.Hour))).Truncate(time.Second)
}

// pickResponder draws someone to answer in a thread at t: maintainers most
// often, then people of the same segment from other members (cooperation),
// colleagues, and anyone. -1 when nobody is around.
func (p *plan) pickResponder(r *rand.Rand, w []float64, th *thread, t time.Time) int {
	om, oseg := p.segmentOf(th.opener, th.at)
	for pi := range p.people {
		w[pi] = 0
		if pi == th.opener {
			continue
		}
		act := p.activity(pi, t)
		if act <= 0 {
			continue
		}
		mi, seg := p.segmentOf(pi, t)
		cat := 0.6
		switch {
		case p.people[pi].maintainer:
			cat = 5
		case mi >= 0 && mi == om:
			cat = 1.5
		case mi >= 0 && seg == oseg:
			cat = 3
		}
		w[pi] = cat * math.Sqrt(act*p.people[pi].rate)
	}
	return pickWeighted(r, w)
}

// pickMaintainer draws a maintainer active at t (-1 if none).
func (p *plan) pickMaintainer(r *rand.Rand, w []float64, t time.Time) int {
	for pi := range p.people {
		w[pi] = 0
		if p.people[pi].maintainer {
			w[pi] = p.activity(pi, t)
		}
	}
	return pickWeighted(r, w)
}

// login returns a person's login on a source.
func (pp *personPlan) login(source string) string {
	if source == srcDiscourse {
		return pp.discourse
	}
	return pp.github
}

// emit appends one activity of th by person pi at t.
func (p *plan) emit(out []domain.Activity, th *thread, pi int, kind string, t time.Time) []domain.Activity {
	pp := &p.people[pi]
	src := srcGitHub
	if th.kind == kindTopic {
		src = srcDiscourse
	}
	a := domain.Activity{
		Source: src, ExternalID: fmt.Sprintf("%s/%d", th.ext, th.seq), Kind: kind, At: t,
		Actor: pp.login(src), Thread: th.key, Title: th.title, Bot: pp.bot,
	}
	if pp.bot {
		a.PersonID = pp.id // bots are not affiliated: no need to resolve them
	}
	th.seq++
	return append(out, a)
}

// conversation generates what follows the opening of th: replies, CI runs,
// reviews and merges, with realistic delays; some threads stay unanswered.
// Activities at or after until are dropped.
func (p *plan) conversation(r *rand.Rand, w []float64, out []domain.Activity, th *thread, until time.Time) []domain.Activity {
	add := func(pi int, kind string, t time.Time) {
		if pi >= 0 && t.Before(until) {
			out = p.emit(out, th, pi, kind, t)
		}
	}
	opened := actOpened(th.kind)
	add(th.opener, opened, th.at)
	if !th.at.Before(until) {
		return out
	}
	firstDelay := func() time.Duration {
		h := math.Max(logNormal(r, 4, 1.4), 0.05)
		return time.Duration(h * float64(time.Hour)).Truncate(time.Second)
	}
	nextDelay := func(median float64) time.Duration {
		return time.Duration(math.Max(logNormal(r, median, 1.2), 0.03) * float64(time.Hour)).Truncate(time.Second)
	}
	unaffiliated := len(p.people[th.opener].affs) == 0
	switch th.kind {
	case kindTopic, kindIssue:
		miss, more := 0.12, 0.45
		if th.kind == kindIssue {
			miss, more = 0.15, 0.55
		}
		if unaffiliated {
			miss += 0.08
		}
		if chance(r, miss) {
			return out
		}
		n := 1
		for n < 8 && chance(r, more) {
			n++
		}
		t := th.at.Add(firstDelay())
		for k := 0; k < n; k++ {
			who := th.opener
			if k == 0 || !chance(r, 0.3) {
				who = p.pickResponder(r, w, th, t)
			}
			add(who, domain.ActReply, t)
			t = t.Add(nextDelay(5))
		}
	case kindPR, kindBump:
		ci := p.bots[1]
		add(ci, domain.ActReply, th.at.Add(time.Duration(betweenInt(r, 120, 900))*time.Second))
		if th.kind == kindBump {
			if chance(r, 0.8) {
				t := th.at.Add(nextDelay(20))
				m := p.pickMaintainer(r, w, t)
				if chance(r, 0.5) {
					add(m, domain.ActReview, t)
					t = t.Add(nextDelay(0.5))
				}
				add(m, domain.ActPRMerged, t)
			}
			return out
		}
		if chance(r, 0.08) {
			return out
		}
		t := th.at.Add(firstDelay())
		var reviewer int
		reviews := 1
		if chance(r, 0.35) {
			reviews = 2
		}
		for k := 0; k < reviews; k++ {
			if chance(r, 0.6) {
				reviewer = p.pickMaintainer(r, w, t)
			} else {
				reviewer = p.pickResponder(r, w, th, t)
			}
			add(reviewer, domain.ActReview, t)
			t = t.Add(nextDelay(4))
			if chance(r, 0.4) {
				add(th.opener, domain.ActReply, t)
				t = t.Add(nextDelay(4))
			}
		}
		if chance(r, 0.8) {
			merger := reviewer
			if merger < 0 || !p.people[merger].maintainer {
				merger = p.pickMaintainer(r, w, t)
			}
			add(merger, domain.ActPRMerged, t.Add(nextDelay(2)))
		}
	}
	return out
}

// actOpened is the activity kind that opens a thread of kind k.
func actOpened(k threadKind) string {
	if k == kindPR || k == kindBump {
		return domain.ActPROpened
	}
	return domain.ActThreadOpened
}

// history generates the community activity of the seeded period.
func (p *plan) history(r *rand.Rand) []domain.Activity {
	var threads []thread
	for d := p.start; d.Before(p.end); d = d.Add(day) {
		noon := d.Add(12 * time.Hour)
		for pi := range p.people {
			pp := &p.people[pi]
			if pp.bot {
				continue
			}
			act := p.activity(pi, noon)
			if act <= 0 {
				continue
			}
			wd := noon.Add(time.Duration(pp.tz) * time.Hour).Weekday()
			k := poisson(r, pp.rate/7*officeWeek[wd]*act)
			for ; k > 0; k-- {
				t := workTime(r, d, pp.tz)
				if t.Before(p.start) || !t.Before(p.end) || p.activity(pi, t) <= 0 {
					continue
				}
				threads = append(threads, p.openThread(r, pi, t))
			}
		}
		if d.Weekday() == time.Monday {
			for ri := range repos {
				if chance(r, 0.55) {
					deps := bumpDeps[ri]
					major := betweenInt(r, 0, 4)
					minor := betweenInt(r, 1, 30)
					threads = append(threads, thread{
						kind: kindBump, repo: ri, opener: p.bots[0],
						at: d.Add(4*time.Hour + time.Duration(r.IntN(7200))*time.Second),
						title: fmt.Sprintf("Bump %s from %d.%d.0 to %d.%d.0", deps[r.IntN(len(deps))],
							major, minor, major, minor+betweenInt(r, 1, 3)),
					})
				}
			}
		}
	}
	slices.SortStableFunc(threads, func(a, b thread) int { return a.at.Compare(b.at) })

	// Number the threads in time order: issues and pull requests share a
	// repository's numbers; Discourse topics have their own.
	var next [len(repos)]int
	for i := range next {
		next[i] = betweenInt(r, 150, 1200)
	}
	topic := betweenInt(r, 1100, 1500)
	for i := range threads {
		th := &threads[i]
		if th.kind == kindTopic {
			th.key = fmt.Sprintf("discourse:topic/%d", topic)
			th.ext = fmt.Sprintf("topic/%d", topic)
			topic++
			continue
		}
		repo := githubOrg + "/" + repos[th.repo]
		th.key = fmt.Sprintf("github:%s#%d", repo, next[th.repo])
		th.ext = fmt.Sprintf("%s#%d", repo, next[th.repo])
		next[th.repo]++
	}

	w := make([]float64, len(p.people))
	acts := make([]domain.Activity, 0, len(threads)*5)
	for i := range threads {
		acts = p.conversation(r, w, acts, &threads[i], p.end)
	}
	acts = append(acts, p.releases(r, w)...)

	// Store in time order, and give Discourse posts their ids in that order.
	slices.SortStableFunc(acts, func(a, b domain.Activity) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Source, b.Source), cmp.Compare(a.ExternalID, b.ExternalID))
	})
	post := 5000 + r.IntN(2000)
	for i := range acts {
		if acts[i].Source == srcDiscourse {
			acts[i].ExternalID = fmt.Sprintf("post/%d", post)
			post++
		}
	}
	return acts
}

// releases generates the repositories' releases, cut by maintainers every
// two to four weeks.
func (p *plan) releases(r *rand.Rand, w []float64) []domain.Activity {
	var out []domain.Activity
	for ri, repo := range repos {
		major, minor, patch := 1, betweenInt(r, 2, 9), 0
		if ri == 3 {
			major = 0 // edge-runtime is young
		}
		for t := p.start.Add(time.Duration(betweenInt(r, 0, 20)) * day); t.Before(p.end); t = t.Add(time.Duration(betweenInt(r, 12, 30)) * day) {
			at := domain.Day(t).Add(time.Duration(betweenInt(r, 13*60, 17*60)) * time.Minute)
			if !at.Before(p.end) {
				break
			}
			if chance(r, 0.7) {
				minor, patch = minor+1, 0
			} else {
				patch++
			}
			m := p.pickMaintainer(r, w, at)
			if m < 0 {
				continue
			}
			version := fmt.Sprintf("v%d.%d.%d", major, minor, patch)
			full := githubOrg + "/" + repo
			out = append(out, domain.Activity{
				Source: srcGitHub, ExternalID: full + "@" + version, Kind: domain.ActRelease, At: at,
				Actor: p.people[m].github, Thread: "github:" + full + "/releases/tag/" + version,
				Title: repo + " " + version,
			})
		}
	}
	return out
}

// tickCommunity generates the community events of the hours overlapping
// [from, to) after the seeded history: now and then someone opens a topic or
// an issue, and others answer within hours. Each hour's events depend only
// on the seed and the hour, so ticking minute by minute or once an hour gives
// the same activities; only those in [from, to) are returned.
func (p *plan) tickCommunity(from, to time.Time) []domain.Activity {
	const lookback = 72 * time.Hour
	w := make([]float64, len(p.people))
	var out []domain.Activity
	first := from.Add(-lookback).Truncate(time.Hour)
	if first.Before(p.end) {
		first = p.end.Truncate(time.Hour)
	}
	for h := first; h.Before(to); h = h.Add(time.Hour) {
		r := rand.New(rand.NewPCG(uint64(p.opt.Seed)^streamTickHour, uint64(h.Unix())))
		if !chance(r, 0.9*officeCurve[h.Hour()]*officeWeek[h.Weekday()]) {
			continue
		}
		at := h.Add(time.Duration(r.IntN(3600)) * time.Second)
		for pi := range p.people {
			w[pi] = p.activity(pi, at) * p.people[pi].rate
		}
		opener := pickWeighted(r, w)
		if opener < 0 {
			continue
		}
		th := p.openThread(r, opener, at)
		if th.kind == kindPR {
			th.kind = kindIssue
			th.title = issueTitles[r.IntN(len(issueTitles))]
		}
		hour := int(h.Sub(p.start) / time.Hour)
		if th.kind == kindTopic {
			th.key = fmt.Sprintf("discourse:topic/%d", 20000+hour)
			th.ext = fmt.Sprintf("tick/topic/%d", 20000+hour)
		} else {
			repo := githubOrg + "/" + repos[th.repo]
			th.key = fmt.Sprintf("github:%s#%d", repo, 5000+hour)
			th.ext = fmt.Sprintf("tick/%s#%d", repo, 5000+hour)
		}
		for _, a := range p.conversation(r, w, nil, &th, h.Add(lookback)) {
			if !a.At.Before(from) && a.At.Before(to) {
				out = append(out, a)
			}
		}
	}
	return out
}

package demo

import (
	"math/rand/v2"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

const day = 24 * time.Hour

// trajectory is how a member's activity evolves over the history.
type trajectory int

const (
	trajSteady    trajectory = iota
	trajGrowing              // traffic ×2–3 over the period, still growing
	trajDeclining            // traffic falling by half or more
	trajChurning             // traffic and activity stop about six weeks before End
	trajRamping              // joined recently, ramping up
)

// memberPlan is a member with the parameters that drive its activity.
type memberPlan struct {
	domain.Member
	tz        int
	traj      trajectory
	troubled  bool      // sloppy integration, slow workloads, slipping milestones, quiet community
	scale     float64   // peak-hour calls of its production key at End
	rate      float64   // growth (or decline) of ln(traffic) per day
	phase     float64   // of the steady wobble
	q4        float64   // share of client errors (4xx) once settled
	latency   float64   // latency factor of its workloads
	community float64   // propensity of its people to take part in the community
	churnAt   time.Time // trajectory churning: when it stops
	troubleAt time.Time // troubled: when things started to slip
}

// consumerPlan is an API key and the traffic behind it.
type consumerPlan struct {
	key, name string
	member    int     // index in plan.members, -1 for an unmapped key
	scale     float64 // peak-hour calls at End
	mix       []share
	batch     bool // nightly batch jobs
	staging   bool // tests during office hours
}

type affPlan struct {
	member   int
	from, to time.Time // [from, to); zero to = open
}

// personPlan is a person, their logins and where they worked when.
type personPlan struct {
	name, email       string
	github, discourse string
	affs              []affPlan
	rate              float64 // threads opened per week when fully active
	maintainer        bool
	bot               bool
	tz                int
	id                int64 // once stored
}

type partyPlan struct {
	member int
	role   string
}

type projectPlan struct {
	spec       projectSpec
	status     string
	start, end time.Time
	terms      string
	parties    []partyPlan
	troubled   bool
	milestones []domain.Milestone // ProjectID set when stored
}

// incident is a platform outage: server errors and slow responses on some
// endpoints for everyone who calls them.
type incident struct {
	start, end time.Time
	eps        [len(endpoints)]bool
	err5       float64 // share of 5xx at the peak
	latency    float64 // latency factor at the peak
}

// plan is the demo ecosystem, built deterministically from Options without
// touching the database. Seed stores it and its history; Tick rebuilds it to
// continue the same trajectories.
type plan struct {
	opt        Options
	endDay     time.Time // opt.End's day
	start, end time.Time // the history covers [start, end)
	members    []memberPlan
	consumers  []consumerPlan
	people     []personPlan
	projects   []projectPlan
	incidents  []incident
	bots       [2]int       // people indices of dependabot and the CI bot
	versions   *versionPlan // API versions: when calls move to /v2/ (versions.go)
}

// historyRange returns the span the seeded history covers: Days whole days
// ending with End's day, or up to End itself when End carries a time of day.
func historyRange(opt Options) (start, end time.Time) {
	endDay := domain.Day(opt.End)
	start = endDay.AddDate(0, 0, -(opt.Days - 1))
	end = endDay.Add(day)
	if t := opt.End.UTC().Truncate(time.Minute); t.After(endDay) {
		end = t
	}
	return start, end
}

func newPlan(opt Options) *plan {
	p := &plan{opt: opt, endDay: domain.Day(opt.End)}
	p.start, p.end = historyRange(opt)
	r := newRand(opt.Seed, streamPlan)
	p.planMembers(r)
	p.planConsumers(r)
	p.planPeople(r)
	p.planProjects(r)
	p.planIncidents(r)
	return p
}

// daysBefore returns endDay − n days.
func (p *plan) daysBefore(n int) time.Time { return p.endDay.AddDate(0, 0, -n) }

// clampTime keeps t inside [lo, hi].
func clampTime(t, lo, hi time.Time) time.Time {
	if t.Before(lo) {
		return lo
	}
	if t.After(hi) {
		return hi
	}
	return t
}

func (p *plan) planConsumers(r *rand.Rand) {
	for i := range p.members {
		m := &p.members[i]
		mix := segmentEndpoints[m.Segment][:2] // the segment's two main endpoints
		if m.Kind == domain.KindResearch {
			mix = mix[:1]
		}
		p.consumers = append(p.consumers, consumerPlan{
			key: "key_" + m.Slug + "_prod", name: m.Name + " production",
			member: i, scale: m.scale, mix: mix,
		})
		if m.Tier == tierStrategic || m.Tier == tierGold || m.Kind == domain.KindInternal {
			p.consumers = append(p.consumers, consumerPlan{
				key: "key_" + m.Slug + "_batch", name: m.Name + " nightly batch",
				member: i, scale: m.scale * between(r, 0.2, 0.4), mix: []share{{batchEndpoint[m.Segment], 1}}, batch: true,
			})
		}
		if m.Kind == domain.KindPartner || m.Kind == domain.KindInternal || chance(r, 0.4) {
			p.consumers = append(p.consumers, consumerPlan{
				key: "key_" + m.Slug + "_staging", name: m.Name + " staging",
				member: i, scale: max(1.5, m.scale*between(r, 0.01, 0.03)), mix: mix[:1], staging: true,
			})
		}
	}
	for _, u := range unmappedConsumers {
		p.consumers = append(p.consumers, consumerPlan{key: u.key, name: u.name, member: -1, scale: u.scale, mix: u.mix})
	}
}

func (p *plan) planIncidents(r *rand.Rand) {
	span := p.end.Sub(p.start)
	at := func(lo, hi float64) time.Time {
		d := p.start.Add(time.Duration(between(r, lo, hi) * float64(span)))
		return domain.Day(d).Add(time.Duration(betweenInt(r, 13, 16)) * time.Hour)
	}
	mk := func(start time.Time, hours int, err5, lat float64, eps ...int) incident {
		in := incident{start: start, end: start.Add(time.Duration(hours) * time.Hour), err5: err5, latency: lat}
		for _, e := range eps {
			in.eps[e] = true
		}
		return in
	}
	// GPU pool exhaustion: chat and images fail and crawl for a few hours.
	p.incidents = append(p.incidents, mk(at(0.15, 0.3), betweenInt(r, 3, 4), between(r, 0.3, 0.4), between(r, 3.5, 5), epChat, epImages))
	if p.opt.Days >= 45 {
		// A gateway misconfiguration hits every endpoint.
		p.incidents = append(p.incidents, mk(at(0.45, 0.65), 2, between(r, 0.45, 0.55), 2, epChat, epEmbeddings, epImages, epTranscriptions, epSpeech, epModerations))
	}
	if p.opt.Days >= 30 {
		// Speech backend degradation, recent enough to show in the scoring window.
		start := domain.Day(p.end.Add(-time.Duration(betweenInt(r, 8, 20)) * day)).Add(time.Duration(betweenInt(r, 13, 15)) * time.Hour)
		p.incidents = append(p.incidents, mk(start, betweenInt(r, 3, 5), between(r, 0.2, 0.3), between(r, 4, 6), epTranscriptions, epSpeech, epChat))
	}
}

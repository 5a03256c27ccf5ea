package app

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// The planted-degradation test (issue 13) runs EcoPulse on an ecosystem
// whose truth is known: thirty members of every kind and size, ten of them
// degraded on purpose one way each from about day 56 of 84, and twenty
// controls that stay well. This file says who they are. Their inputs are
// written in the formats EcoPulse reads in production — a gateway's
// rotated access logs (planted_gateway_test.go), a GitHub history
// (planted_community_test.go) served as GitHub's REST API
// (planted_github_test.go), the registry file, a members CSV and the
// configuration (planted_registry_test.go) — and planted_test.go runs them
// through the collectors and the scoring job; planted_score_test.go
// measures what was caught.
//
// Nothing here knows how EcoPulse scores: sizes, noise and shapes are what
// such an ecosystem looks like, not what a detector finds easy.

const (
	plantedSeed   = 13
	plantedDays   = 84 // days of history, day 0 to day 83
	plantedOnset  = 56 // degradations start around this day
	plantedWarmup = 35 // controls are judged from this day on
	plantedCatch  = 14 // a degradation must be flagged within this many days of its onset
)

// plantedLast is the last day of the history (day 83): fixed, never the
// wall clock.
var plantedLast = time.Date(2026, 5, 24, 0, 0, 0, 0, time.UTC)

// plantedDay returns the date of day i of the history.
func plantedDay(i int) time.Time { return plantedLast.AddDate(0, 0, i-(plantedDays-1)) }

// plantedDate formats day i as YYYY-MM-DD.
func plantedDate(i int) string { return plantedDay(i).Format("2006-01-02") }

// plantedHolidays are the public holidays of the history (Good Friday,
// Easter Monday, Labour Day, Ascension): offices and people rest as on a
// weekend, machines do not.
var plantedHolidays = []time.Time{
	time.Date(2026, 4, 3, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 6, 0, 0, 0, 0, time.UTC),
	time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 14, 0, 0, 0, 0, time.UTC),
}

// plantedRestDay reports whether day i is a weekend day, or a holiday when
// holidays count.
func plantedRestDay(i int, holidays bool) bool {
	day := plantedDay(i)
	if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return true
	}
	return holidays && slices.ContainsFunc(plantedHolidays, day.Equal)
}

// plantKind is how a member was degraded ("" for a control).
type plantKind string

const (
	plantControl    plantKind = ""
	plantChurn      plantKind = "api churn"            // calls fall by two thirds over a week
	plantDormant    plantKind = "dormancy"             // calls stop
	plantLatency    plantKind = "latency"              // p95 at three times the SLO
	plant4xx        plantKind = "integration breakage" // a fifth of calls answered 4xx
	plant5xx        plantKind = "5xx errors"           // about 10% of calls fail 5xx
	plantNeglect    plantKind = "community neglect"    // the member's threads get no answer
	plantExodus     plantKind = "contributor exodus"   // most contributors gone, contributions −75%
	plantSlow       plantKind = "slow answers"         // first response after about four days
	plantMilestones plantKind = "milestone slip"       // milestones pass their due date open
	plantDrop       plantKind = "usage drop"           // calls −80% within three days
)

// Usage shapes of a member's API traffic.
const (
	plantedSteady   = "steady"   // machine traffic, nearly flat through the week
	plantedWeekly   = "weekly"   // office hours: weekends at about half
	plantedSeasonal = "seasonal" // weekly, and a slow monthly wave of ±25%
	plantedSmall    = "small"    // a few dozen calls a week
	plantedSpike    = "spike"    // steady, and once five times as much for two days
)

// plantedSpikeDay is the first of the two days the spiking control's
// traffic jumps fivefold (a one-off backfill), inside the weeks the
// degraded members are judged on.
const plantedSpikeDay = 60

// plantedMember is one member and everything the generators need of it.
type plantedMember struct {
	Slug, Name, Kind, Segment, Tier string
	Joined                          string // YYYY-MM-DD
	// Via is how the member is created: registry (the registry file's
	// members), csv (a members CSV), cli (ecopulse member add) or api
	// (POST /api/v1/members).
	Via   string
	Plant plantKind
	Onset int // day the degradation starts (degraded members)

	// API traffic.
	Shape       string
	Calls       float64 // mean calls on a weekday, before any degradation
	Weekend     float64 // a weekend day's traffic against a weekday's
	Wave        float64 // amplitude of the monthly wave (seasonal)
	WavePhase   float64 // its phase, in days
	LatencyMS   float64 // median latency of a completion call
	P4xx, P5xx  float64 // shares of calls answered 4xx and 5xx
	Consumers   []*plantedConsumer
	KeyPatterns []string
	HandPattern string // mapped by hand with ecopulse consumer map --pattern

	// Community: people affiliated with the member, how much they do
	// (openings and comments a week, all people together) and how fast
	// their threads are usually answered.
	People        []*plantedPerson
	ActsPerWeek   float64
	ResponseHours float64
	Maintainers   bool // the platform's own team: they answer threads
}

// plantedConsumer is an API consumer (a gateway consumer name).
type plantedConsumer struct {
	Key    string
	Share  float64 // of the member's calls
	MapVia string  // pattern (the member's key pattern), config (consumers:), cli (ecopulse consumer map, by key or HandPattern)
	Agent  string
	Addr   string
	From   int // first day with traffic (0: from the start)
	Until  int // first day without traffic (0: to the end)
	Batch  bool
}

// plantedPerson is someone in the community. Member people are affiliated
// through the configuration (config), an e-mail domain rule (domain) or
// `ecopulse person assign` (cli); outsiders and bots belong to nobody.
type plantedPerson struct {
	Name, Login, Email string
	ID                 int64
	Via                string
	Member             *plantedMember // nil for outsiders
	Weight             float64        // share of the member's activity
	Until              int            // first day without activity (0: to the end)
	Bot                bool
}

// plantedEcosystem is the whole plan.
type plantedEcosystem struct {
	Seed      uint64
	Members   []*plantedMember
	Outsiders []*plantedPerson
	Projects  []plantedProject
}

func (e *plantedEcosystem) member(slug string) *plantedMember {
	for _, m := range e.Members {
		if m.Slug == slug {
			return m
		}
	}
	panic("planted: no member " + slug)
}

// maintainers returns the platform team's people, who answer threads.
func (e *plantedEcosystem) maintainers() []*plantedPerson {
	for _, m := range e.Members {
		if m.Maintainers {
			return m.People
		}
	}
	return nil
}

// plantedProject is a cooperation project of the registry file; days are
// day indexes (done −1: still open).
type plantedProject struct {
	Slug, Name, Status string
	Start, End         int // End 0: open-ended
	Parties            []string
	Milestones         []plantedMilestone
}

type plantedMilestone struct {
	ID, Title string
	Due, Done int
}

// plantedSpec is one roster line: who, what size, what goes wrong.
type plantedSpec struct {
	slug, name, kind, segment, tier, via string
	plant                                plantKind
	shape                                string
	calls                                float64
	consumers, people                    int
	acts                                 float64
}

// plantedRoster: ten degraded members and twenty controls, of every kind,
// size and way of being created.
var plantedRoster = []plantedSpec{
	{"northwind-ai", "Northwind AI", "partner", "NLP", "gold", "registry", plantChurn, plantedWeekly, 700, 3, 3, 4},
	{"quarry-labs", "Quarry Labs", "developer_org", "Dev tools", "", "api", plantDormant, plantedSteady, 180, 2, 2, 2},
	{"helix-bio", "Helix Bio", "research", "Life sciences", "", "registry", plantLatency, plantedWeekly, 350, 2, 3, 4},
	{"brightpath", "Brightpath", "developer_org", "EdTech", "silver", "registry", plant4xx, plantedSteady, 500, 3, 2, 3},
	{"corvid-systems", "Corvid Systems", "partner", "Speech", "gold", "registry", plant5xx, plantedWeekly, 1100, 4, 4, 5},
	{"opensci-lab", "OpenSci Lab", "research", "Open science", "", "registry", plantNeglect, plantedSteady, 60, 1, 5, 9},
	{"lattice-dev", "Lattice Dev", "developer_org", "Frameworks", "", "registry", plantExodus, plantedSteady, 250, 2, 6, 14},
	{"tessera-ai", "Tessera AI", "partner", "Vision", "silver", "registry", plantSlow, plantedWeekly, 400, 2, 4, 7},
	{"meridian-health", "Meridian Health", "partner", "Healthcare", "gold", "registry", plantMilestones, plantedSteady, 300, 2, 2, 2},
	{"skyforge", "Skyforge", "developer_org", "Gaming", "", "registry", plantDrop, plantedSeasonal, 900, 3, 2, 3},

	{"atlas-cloud", "Atlas Cloud", "partner", "Infrastructure", "platinum", "registry", plantControl, plantedSteady, 1800, 3, 3, 5},
	{"kestrel-robotics", "Kestrel Robotics", "partner", "Robotics", "gold", "registry", plantControl, plantedSteady, 1000, 3, 2, 3},
	{"orbital-data", "Orbital Data", "developer_org", "Analytics", "", "registry", plantControl, plantedSteady, 650, 2, 2, 3},
	{"fernhill-uni", "Fernhill University", "research", "Academia", "", "registry", plantControl, plantedSteady, 220, 1, 4, 10},
	{"pinecone-studio", "Pinecone Studio", "developer_org", "Design", "", "registry", plantControl, plantedSteady, 140, 2, 2, 2},
	{"granite-bank", "Granite Bank", "partner", "Finance", "gold", "cli", plantControl, plantedWeekly, 90, 1, 1, 1},
	{"lumen-media", "Lumen Media", "partner", "Media", "gold", "registry", plantControl, plantedSeasonal, 1300, 3, 2, 2},
	{"harbor-logistics", "Harbor Logistics", "partner", "Logistics", "silver", "registry", plantControl, plantedSeasonal, 450, 2, 1, 1},
	{"cobalt-edu", "Cobalt Edu", "developer_org", "EdTech", "", "registry", plantControl, plantedSeasonal, 200, 2, 2, 3},
	{"vireo-health", "Vireo Health", "research", "Healthcare", "", "registry", plantControl, plantedSeasonal, 110, 1, 2, 2},
	{"tinybird-apps", "Tinybird Apps", "developer_org", "Mobile", "", "csv", plantControl, plantedSmall, 6, 1, 1, 1},
	{"mossy-games", "Mossy Games", "developer_org", "Gaming", "", "csv", plantControl, plantedSmall, 4, 1, 2, 1.5},
	{"quill-notes", "Quill Notes", "developer_org", "Productivity", "", "csv", plantControl, plantedSmall, 5, 1, 1, 0.8},
	{"ember-iot", "Ember IoT", "developer_org", "IoT", "", "csv", plantControl, plantedSmall, 8, 1, 2, 1.2},
	{"fjord-research", "Fjord Research", "research", "Climate", "", "cli", plantControl, plantedSmall, 3, 1, 2, 1},
	{"zephyr-retail", "Zephyr Retail", "partner", "Retail", "silver", "csv", plantControl, plantedSpike, 380, 2, 2, 2},
	{"pulse-core", "Pulse Core Team", "internal", "Platform", "", "registry", plantControl, plantedSteady, 250, 2, 6, 18},
	{"polaris-ngo", "Polaris NGO", "research", "Non-profit", "", "csv", plantControl, plantedSmall, 30, 1, 5, 9},
	{"redwood-legal", "Redwood Legal", "partner", "Legal", "silver", "registry", plantControl, plantedWeekly, 520, 2, 1, 1},
	{"sable-security", "Sable Security", "developer_org", "Security", "", "api", plantControl, plantedWeekly, 300, 2, 3, 5},
}

// plantedRand returns the generator of one named stream of the seed, so
// that one part of the plan can change without reshuffling the others.
func plantedRand(seed uint64, stream string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(stream))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// plantedPoisson draws a Poisson count (normal approximation above 30).
func plantedPoisson(r *rand.Rand, lambda float64) int {
	switch {
	case lambda <= 0:
		return 0
	case lambda < 30:
		limit, k, p := math.Exp(-lambda), 0, 1.0
		for {
			p *= r.Float64()
			if p <= limit {
				return k
			}
			k++
		}
	}
	n := math.Round(lambda + math.Sqrt(lambda)*r.NormFloat64())
	return int(max(n, 0))
}

// plantedLogNormal draws around a median with a log-normal spread.
func plantedLogNormal(r *rand.Rand, median, sigma float64) float64 {
	return median * math.Exp(sigma*r.NormFloat64())
}

// plantedBetween draws uniformly in [lo, hi).
func plantedBetween(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

var (
	plantedFirstNames = []string{"Ana", "Bruno", "Chen", "Dara", "Elif", "Femi", "Goran", "Hana", "Ivo", "Jun", "Kavya", "Lars",
		"Mina", "Nils", "Oya", "Priya", "Quinn", "Rafa", "Sven", "Tomo", "Uma", "Vera", "Wen", "Ximena", "Yusuf", "Zoe",
		"Arjun", "Bea", "Colm", "Dmitri", "Esra", "Fatou", "Gil", "Hiro", "Ines", "Jonas", "Kofi", "Lena", "Mateo", "Noor"}
	plantedLastNames = []string{"Almeida", "Berg", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito",
		"Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quispe", "Rossi", "Sato", "Tanaka",
		"Ulrich", "Varga", "Weber", "Xu", "Yilmaz", "Zhang", "Novak", "Mensah", "Costa", "Singh"}
)

// newPlantedEcosystem builds the plan of a seed: the roster with its
// randomised details, people, outsiders and projects.
func newPlantedEcosystem(seed uint64) *plantedEcosystem {
	e := &plantedEcosystem{Seed: seed}
	r := plantedRand(seed, "roster")
	used := map[string]bool{}
	var nextID int64 = 58_000_000
	person := func(m *plantedMember, domain string) *plantedPerson {
		for {
			first := plantedFirstNames[r.IntN(len(plantedFirstNames))]
			last := plantedLastNames[r.IntN(len(plantedLastNames))]
			var login string
			switch r.IntN(4) {
			case 0:
				login = strings.ToLower(first + last)
			case 1:
				login = strings.ToLower(first[:1] + last)
			case 2:
				login = strings.ToLower(first + "-" + last[:min(3, len(last))])
			default:
				login = fmt.Sprintf("%s%d", strings.ToLower(first), 10+r.IntN(90))
			}
			if used[login] {
				continue
			}
			used[login] = true
			nextID += 1 + int64(r.IntN(900_000))
			p := &plantedPerson{Name: first + " " + last, Login: login, ID: nextID, Member: m, Via: "config"}
			if domain != "" {
				p.Email = strings.ToLower(first+"."+last) + "@" + domain
			}
			return p
		}
	}
	agents := []string{"pulse-python/1.8.2", "pulse-python/1.9.0", "pulse-node/2.1.0", "Go-http-client/2.0", "okhttp/4.12.0", "curl/8.5.0"}
	for i, s := range plantedRoster {
		m := &plantedMember{Slug: s.slug, Name: s.name, Kind: s.kind, Segment: s.segment, Tier: s.tier, Via: s.via,
			Plant: s.plant, Shape: s.shape, Calls: s.calls, ActsPerWeek: s.acts}
		m.Joined = plantedDay(-90 - r.IntN(400)).Format("2006-01-02")
		switch s.shape {
		case plantedSteady, plantedSpike:
			m.Weekend = plantedBetween(r, 0.85, 0.97)
		case plantedWeekly:
			m.Weekend = plantedBetween(r, 0.4, 0.6)
		case plantedSeasonal:
			m.Weekend = plantedBetween(r, 0.3, 0.45)
			m.Wave, m.WavePhase = 0.25, plantedBetween(r, 0, 30)
		case plantedSmall:
			m.Weekend = plantedBetween(r, 0.3, 0.7)
		}
		m.LatencyMS = plantedBetween(r, 260, 420)
		m.P4xx = plantedBetween(r, 0.006, 0.02)
		m.P5xx = plantedBetween(r, 0.0008, 0.004)
		m.ResponseHours = plantedBetween(r, 3, 10)
		if s.plant != plantControl && s.plant != plantMilestones {
			m.Onset = plantedOnset - 2 + r.IntN(5)
		}
		// Consumers: named after the member and mapped by its key pattern,
		// unless said otherwise below.
		envs := []string{"prod", "batch", "staging", "eu"}
		for c := 0; c < s.consumers; c++ {
			m.Consumers = append(m.Consumers, &plantedConsumer{Key: s.slug + "-" + envs[c], MapVia: "pattern",
				Agent: agents[r.IntN(len(agents))], Addr: fmt.Sprintf("198.51.%d.%d", 100+i, 10+c), Batch: envs[c] == "batch"})
		}
		m.KeyPatterns = []string{s.slug + "-*"}
		domain := ""
		if s.slug == "fernhill-uni" {
			domain = "fernhill.ac.example"
		}
		for p := 0; p < s.people; p++ {
			pp := person(m, domain)
			pp.Weight = 1 / float64(p+1) // one main contributor, others less
			m.People = append(m.People, pp)
		}
		e.Members = append(e.Members, m)
	}
	shares := func(m *plantedMember, ws ...float64) {
		for i, c := range m.Consumers {
			c.Share = ws[i]
		}
	}
	for _, m := range e.Members {
		w := make([]float64, len(m.Consumers))
		total := 0.0
		for i := range w {
			w[i] = plantedBetween(r, 0.5, 1) / float64(i+1)
			total += w[i]
		}
		for i := range w {
			w[i] /= total
		}
		shares(m, w...)
	}

	// Mappings made other ways than by a key pattern.
	atlas := e.member("atlas-cloud")
	atlas.Consumers = append(atlas.Consumers, &plantedConsumer{Key: "app-7c1e0f9a", Share: 0.12, MapVia: "config",
		Agent: "Go-http-client/2.0", Addr: "198.51.200.7"})
	kestrel := e.member("kestrel-robotics")
	kestrel.KeyPatterns = nil
	for i, c := range kestrel.Consumers {
		c.Key, c.MapVia = fmt.Sprintf("kr-fleet-%02d", i+1), "config"
	}
	corvid := e.member("corvid-systems")
	corvid.Consumers[3].Key, corvid.Consumers[3].MapVia = "cvd-ingest", "cli"
	lumen := e.member("lumen-media")
	lumen.KeyPatterns, lumen.HandPattern = nil, "lumen-*"
	for _, c := range lumen.Consumers {
		c.Key, c.MapVia = strings.Replace(c.Key, "lumen-media-", "lumen-", 1), "cli"
	}
	// A key rotation: the old key stops two days after the new one starts.
	orbital := e.member("orbital-data")
	orbital.Consumers[0].Key, orbital.Consumers[0].Until = "orbital-data-prod-v1", 50
	orbital.Consumers = append(orbital.Consumers, &plantedConsumer{Key: "orbital-data-prod-v2", Share: orbital.Consumers[0].Share,
		MapVia: "pattern", Agent: "pulse-python/1.9.0", Addr: "198.51.112.30", From: 48})

	// Affiliations made other ways than the configuration's people.
	for _, p := range e.member("fernhill-uni").People {
		p.Via = "domain"
	}
	for _, slug := range []string{"polaris-ngo", "tessera-ai"} {
		for _, p := range e.member(slug).People {
			p.Via = "cli"
		}
	}
	core := e.member("pulse-core")
	core.Maintainers = true
	for _, p := range core.People {
		p.Weight = 1
	}
	// The exodus: all but the main contributor leave at the onset.
	lattice := e.member("lattice-dev")
	for _, p := range lattice.People[1:] {
		p.Until = lattice.Onset
	}

	for range 18 {
		e.Outsiders = append(e.Outsiders, person(nil, ""))
	}
	e.Projects = plantedProjects()
	for _, m := range e.Members {
		if m.Plant == plantMilestones {
			m.Onset = e.onsetOf(m)
		}
	}
	return e
}

// plantedProjects are the registry's cooperation projects. Members'
// agreements with the platform itself have one party.
func plantedProjects() []plantedProject {
	ms := func(spec ...int) []plantedMilestone {
		titles := []string{"Kick-off", "Pilot", "Evaluation report", "Rollout", "General availability", "Review"}
		var out []plantedMilestone
		for i := 0; i+1 < len(spec); i += 2 {
			out = append(out, plantedMilestone{ID: fmt.Sprintf("m%d", i/2+1), Title: titles[(i/2)%len(titles)], Due: spec[i], Done: spec[i+1]})
		}
		return out
	}
	return []plantedProject{
		// The slip: delivered on time until the evaluation report (due day
		// 55) and the rollout (due day 62) pass their dates open.
		{"meridian-clinical-nlp", "Clinical NLP", "active", -60, 0, []string{"meridian-health"}, ms(12, 10, 55, -1, 62, -1, 110, -1)},
		{"atlas-kestrel-edge", "Edge inference", "active", -40, 0, []string{"atlas-cloud", "kestrel-robotics"}, ms(20, 18, 48, 47, 76, 74, 104, -1)},
		{"fernhill-polaris-corpus", "Open corpus", "active", -30, 0, []string{"fernhill-uni", "polaris-ngo", "opensci-lab"}, ms(30, 29, 65, 63, 95, -1)},
		{"northwind-corvid-voice", "Voice assistant", "active", -20, 120, []string{"northwind-ai", "corvid-systems"}, ms(25, 24, 70, 69)},
		{"lumen-zephyr-campaigns", "Campaign studio", "active", -10, 0, []string{"lumen-media", "zephyr-retail"}, ms(40, 37)},
		{"orbital-sable-ingest", "Secure ingest", "active", -50, 0, []string{"orbital-data", "sable-security"}, ms(35, 35, 80, 78)},
		{"lattice-helix-bench", "Model benchmark", "active", 5, 0, []string{"lattice-dev", "helix-bio"}, ms(44, 41, 90, -1)},
		{"tessera-sdk-certification", "SDK certification", "active", -25, 0, []string{"tessera-ai"}, ms(15, 14, 60, 58)},
		{"harbor-redwood-docs", "Contract intelligence", "completed", -120, 20, []string{"harbor-logistics", "redwood-legal"}, ms(10, 9)},
		{"skyforge-brightpath-plugins", "Plugin store", "active", -15, 0, []string{"skyforge", "brightpath"}, ms(50, 46, 99, -1)},
		{"quarry-pinecone-templates", "Starter templates", "planned", 100, 0, []string{"quarry-labs", "pinecone-studio"}, nil},
		{"cobalt-vireo-curriculum", "Health curriculum", "active", -35, 0, []string{"cobalt-edu", "vireo-health"}, ms(33, 31, 75, 75)},
		{"granite-risk-pilot", "Risk pilot", "active", 0, 0, []string{"granite-bank"}, ms(45, 44)},
	}
}

// onsetOf is the day a member's degradation starts: for the milestone
// slip, the first day a milestone is past its due date and open.
func (e *plantedEcosystem) onsetOf(m *plantedMember) int {
	if m.Plant != plantMilestones {
		return m.Onset
	}
	first := -1
	for _, p := range e.Projects {
		for _, ms := range p.Milestones {
			if ms.Done < 0 && ms.Due < plantedDays && (first < 0 || ms.Due+1 < first) && plantedHasSlug(p.Parties, m.Slug) {
				first = ms.Due + 1
			}
		}
	}
	return first
}

func plantedHasSlug(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

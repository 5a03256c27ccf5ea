package app

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// The planted ecosystem's community: its people open issues and pull
// requests in the platform's repositories, the platform team (pulse-core)
// and others answer, review and merge, bots greet and report. The history
// is planned whole here; planted_github_test.go serves it as GitHub's REST
// API shows it at any moment.

var plantedRepos = []string{"pulse-ai/pulse-python", "pulse-ai/pulse-node", "pulse-ai/model-cards", "pulse-ai/cookbook"}

var plantedTitles = []string{
	"Streaming stops after 4096 tokens", "Embeddings endpoint returns 422 for empty strings", "Add retry with backoff to the client",
	"`<think>` tags leak into the output", "Support for Python 3.13", "Docs: batch API example is out of date",
	"Timeouts on long completions", "Tokenizer differs from the server's", "Add a Node example for function calling",
	"Rate-limit headers are not exposed", "Model card for the vision model is missing eval numbers", "Fix typo in README",
	"Async client leaks connections", "Feature request: per-request timeouts", "Wrong unit in latency metric (ms vs s)",
	"Cookbook: RAG with pgvector", "Große Dateien schlagen beim Upload fehl", "Type hints for the tools API", "CI: flaky test on Windows",
	"Upload fails with non-ASCII file names — 上传失败", "Expose request ids in exceptions", "Bump httpx to 0.28",
}

// plantedEvent is a comment, review or release: who and when.
type plantedEvent struct {
	ID   int64
	User *plantedPerson
	At   time.Time
}

// plantedThread is an issue or a pull request with its conversation.
type plantedThread struct {
	Repo           string
	Number         int
	ID             int64
	PR             bool
	Title          string
	Author         *plantedPerson
	Opened         time.Time
	Answered       time.Time // first response by someone else (zero: none)
	Closed, Merged time.Time // zero: never
	Comments       []plantedEvent
	Reviews        []plantedEvent
	ReviewComments []plantedEvent
}

// plantedRelease is a published release of a repository.
type plantedRelease struct {
	Repo string
	plantedEvent
	Tag string
}

// plantedCommunity is the whole GitHub history.
type plantedCommunity struct {
	Threads  []*plantedThread
	Releases []plantedRelease
	Bots     map[string]*plantedPerson
}

// plantedEnd is the end of the history: nothing happens from then on.
func plantedEnd() time.Time { return plantedDay(plantedDays) }

// plantedCommunityRate is a person's expected openings and comments on day d.
func plantedCommunityRate(m *plantedMember, p *plantedPerson, d int) float64 {
	if p.Until > 0 && d >= p.Until {
		return 0
	}
	var rate float64
	if m == nil {
		rate = 0.6 / 7 // an outsider
	} else {
		total, left := 0.0, 0.0
		for _, q := range m.People {
			total += q.Weight
			if q.Until == 0 || d < q.Until {
				left += q.Weight
			}
		}
		rate = m.ActsPerWeek / 7 * p.Weight / total
		if m.Plant == plantExodus && d >= m.Onset {
			rate *= 0.25 * total / left // the ones who stay do a quarter of what all did
		}
	}
	if plantedRestDay(d, true) {
		rate *= 0.35
	}
	return rate
}

// plantedWorkTime draws a moment of day d in a person's working hours (UTC,
// spread over time zones).
func plantedWorkTime(r *rand.Rand, d int) time.Time {
	w := plantedHours(false)
	h := plantedPick(r, w[:])
	return plantedDay(d).Add(time.Duration(h)*time.Hour + time.Duration(r.Int64N(int64(time.Hour))))
}

// plantedMaintainerHours moves a maintainer's response off the weekend, to
// Monday morning.
func plantedMaintainerHours(r *rand.Rand, t time.Time) time.Time {
	switch t.Weekday() {
	case time.Saturday:
		return t.Truncate(24*time.Hour).AddDate(0, 0, 2).Add(time.Duration(7+r.IntN(4))*time.Hour + time.Duration(r.IntN(60))*time.Minute)
	case time.Sunday:
		return t.Truncate(24*time.Hour).AddDate(0, 0, 1).Add(time.Duration(7+r.IntN(4))*time.Hour + time.Duration(r.IntN(60))*time.Minute)
	}
	return t
}

// newPlantedCommunity plans the GitHub history of the ecosystem.
func newPlantedCommunity(e *plantedEcosystem) *plantedCommunity {
	r := plantedRand(e.Seed, "community")
	c := &plantedCommunity{Bots: map[string]*plantedPerson{
		"dependabot": {Login: "dependabot[bot]", ID: 49699333, Bot: true},
		"welcome":    {Login: "pulse-welcome[bot]", ID: 91234567, Bot: true},
		"ci":         {Login: "github-actions[bot]", ID: 41898282, Bot: true},
	}}
	end := plantedEnd()
	maintainers := e.maintainers()
	var everyone []*plantedPerson
	for _, m := range e.Members {
		everyone = append(everyone, m.People...)
	}
	everyone = append(everyone, e.Outsiders...)

	var ids int64 = 2_400_000_000
	nextID := func() int64 { ids += 1 + int64(r.IntN(5000)); return ids }

	// Openings and the wish to join a conversation, person by person.
	type joinWish struct {
		who *plantedPerson
		at  time.Time
	}
	var wishes []joinWish
	for d := 0; d < plantedDays; d++ {
		for _, p := range everyone {
			for range plantedPoisson(r, plantedCommunityRate(p.Member, p, d)) {
				at := plantedWorkTime(r, d)
				u := r.Float64()
				openIssue, openPR := 0.3, 0.25
				if p.Member != nil && p.Member.Maintainers {
					openIssue, openPR = 0.15, 0.35
				}
				switch {
				case u < openIssue:
					c.Threads = append(c.Threads, &plantedThread{Repo: plantedRepos[r.IntN(len(plantedRepos))], Author: p, Opened: at,
						Title: plantedTitles[r.IntN(len(plantedTitles))]})
				case u < openIssue+openPR:
					c.Threads = append(c.Threads, &plantedThread{Repo: plantedRepos[r.IntN(len(plantedRepos))], Author: p, Opened: at, PR: true,
						Title: plantedTitles[r.IntN(len(plantedTitles))]})
				default:
					wishes = append(wishes, joinWish{p, at})
				}
			}
		}
		if plantedDay(d).Weekday() == time.Monday { // dependency updates, every repository, every week
			for _, repo := range plantedRepos {
				c.Threads = append(c.Threads, &plantedThread{Repo: repo, Author: c.Bots["dependabot"], PR: true,
					Opened: plantedDay(d).Add(6*time.Hour + time.Duration(r.IntN(3600))*time.Second), Title: "Bump the pip group with 3 updates"})
			}
		}
		if d%14 == 3 { // releases, every other week
			for i, repo := range plantedRepos {
				c.Releases = append(c.Releases, plantedRelease{Repo: repo, Tag: fmt.Sprintf("v1.%d.0", d/14),
					plantedEvent: plantedEvent{ID: nextID(), User: maintainers[(d/14+i)%len(maintainers)], At: plantedWorkTime(r, d)}})
			}
		}
	}
	slices.SortStableFunc(c.Threads, func(a, b *plantedThread) int { return a.Opened.Compare(b.Opened) })
	numbers := map[string]int{}
	for _, th := range c.Threads {
		numbers[th.Repo]++
		th.Number = numbers[th.Repo] + 140 // the repositories had issues before the history starts
		th.ID = nextID()
	}

	// Each thread's conversation.
	active := func(p *plantedPerson, at time.Time) bool {
		return p.Until == 0 || at.Before(plantedDay(p.Until))
	}
	// pickOther picks who answers not's thread: someone else, from another
	// member (the platform team answers its own too), the more likely the
	// more active they are that day.
	pickOther := func(not *plantedPerson, at time.Time, from []*plantedPerson) *plantedPerson {
		d := int(at.Sub(plantedDay(0)) / (24 * time.Hour))
		w := make([]float64, len(from))
		for i, q := range from {
			if q != not && active(q, at) && (not.Member == nil || q.Member != not.Member || q.Member.Maintainers) {
				w[i] = 1
				if q.Member != nil && !q.Member.Maintainers {
					w[i] = plantedCommunityRate(q.Member, q, d)
				}
			}
		}
		if slices.Max(w) == 0 {
			return nil
		}
		return from[plantedPick(r, w)]
	}
	add := func(list *[]plantedEvent, who *plantedPerson, at time.Time) bool {
		if who == nil || !at.Before(end) {
			return false
		}
		*list = append(*list, plantedEvent{ID: nextID(), User: who, At: at})
		return true
	}
	for _, th := range c.Threads {
		a := th.Author
		m := a.Member
		day := int(th.Opened.Sub(plantedDay(0)) / (24 * time.Hour))
		if !a.Bot {
			if th.PR {
				add(&th.Comments, c.Bots["ci"], th.Opened.Add(time.Duration(5+r.IntN(15))*time.Minute))
			} else if m == nil || !m.Maintainers {
				add(&th.Comments, c.Bots["welcome"], th.Opened.Add(time.Duration(60+r.IntN(120))*time.Second))
			}
		}
		// When and by whom the first response comes.
		var wait time.Duration
		answered := true
		switch {
		case m != nil && m.Plant == plantNeglect && day >= m.Onset:
			answered = r.Float64() < 0.25
			wait = time.Duration(plantedBetween(r, 7, 12) * float64(24*time.Hour))
		case m != nil && m.Plant == plantSlow && day >= m.Onset:
			wait = time.Duration(plantedLogNormal(r, 96, 0.2) * float64(time.Hour))
		default:
			answered = r.Float64() > 0.04
			median := 6.0
			if m != nil {
				median = m.ResponseHours
			}
			if a.Bot {
				median = 20
			}
			wait = time.Duration(plantedLogNormal(r, median, 0.9) * float64(time.Hour))
		}
		var responder *plantedPerson
		switch u := r.Float64(); {
		case a.Bot || u < 0.75 || (m != nil && m.Maintainers && u < 0.85):
			responder = pickOther(a, th.Opened, maintainers)
		case u < 0.9:
			responder = pickOther(a, th.Opened, everyone[:len(everyone)-len(e.Outsiders)])
		default:
			responder = pickOther(a, th.Opened, e.Outsiders)
		}
		first := th.Opened.Add(wait)
		if responder != nil && responder.Member != nil && responder.Member.Maintainers {
			first = plantedMaintainerHours(r, first)
		}
		if answered && responder != nil && first.Before(end) {
			th.Answered = first
			if th.PR {
				add(&th.Reviews, responder, first)
				if r.Float64() < 0.5 {
					// Inline comments go with the review, written just before it.
					at := first.Add(-time.Duration(r.IntN(600)) * time.Second)
					add(&th.ReviewComments, responder, plantedLater(at, th.Opened.Add(time.Minute)))
				}
			} else {
				add(&th.Comments, responder, first)
			}
			last := first // the conversation's latest message
			// The conversation goes on between the two.
			for i := range plantedPoisson(r, 1.3) {
				who := a
				if i%2 == 1 {
					who = responder
				}
				if who.Bot {
					continue
				}
				next := last.Add(time.Duration(plantedLogNormal(r, 6, 1) * float64(time.Hour)))
				if add(&th.Comments, who, next) {
					last = next
				}
			}
			switch {
			case th.PR && r.Float64() < 0.85:
				if at := last.Add(time.Duration(plantedBetween(r, 2, 48) * float64(time.Hour))); at.Before(end) {
					th.Merged, th.Closed = at, at
				}
			case !th.PR && r.Float64() < 0.7:
				if at := last.Add(time.Duration(plantedBetween(r, 1, 72) * float64(time.Hour))); at.Before(end) {
					th.Closed = at
				}
			}
		} else if !a.Bot && r.Float64() < 0.6 {
			// Nobody answered: the author asks again.
			add(&th.Comments, a, th.Opened.Add(time.Duration(plantedBetween(r, 3, 5)*float64(24*time.Hour))))
		}
	}

	// People joining conversations already going on.
	for _, w := range wishes {
		var candidates []*plantedThread
		for _, th := range c.Threads {
			if th.Opened.After(w.at) {
				break
			}
			if w.at.Sub(th.Opened) < 21*24*time.Hour && !th.Answered.IsZero() && th.Answered.Before(w.at) &&
				th.Author != w.who && (th.Closed.IsZero() || th.Closed.After(w.at)) {
				candidates = append(candidates, th)
			}
		}
		if len(candidates) == 0 {
			continue
		}
		th := candidates[r.IntN(len(candidates))]
		add(&th.Comments, w.who, w.at)
	}
	for _, th := range c.Threads {
		slices.SortFunc(th.Comments, func(a, b plantedEvent) int { return a.At.Compare(b.At) })
	}
	return c
}

// plantedActivityTruth counts the activities the collector must store:
// every opening, merge, comment, review comment, review and release, and
// those of each member's people (bots belong to nobody).
func (c *plantedCommunity) truth() (total int, byMember map[string]int) {
	byMember = map[string]int{}
	count := func(p *plantedPerson) {
		total++
		if p.Member != nil && !p.Bot {
			byMember[p.Member.Slug]++
		}
	}
	for _, th := range c.Threads {
		count(th.Author)
		if !th.Merged.IsZero() {
			count(th.Author) // the merge is credited to the author
		}
		for _, list := range [][]plantedEvent{th.Comments, th.Reviews, th.ReviewComments} {
			for _, ev := range list {
				count(ev.User)
			}
		}
	}
	for _, rl := range c.Releases {
		count(rl.User)
	}
	return total, byMember
}

func plantedLater(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

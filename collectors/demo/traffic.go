package demo

import (
	"context"
	"math"
	"math/rand/v2"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// Daily curves by local hour: interactive traffic follows office hours,
// batch jobs run at night.
var (
	officeCurve = [24]float64{0.14, 0.11, 0.1, 0.1, 0.12, 0.18, 0.3, 0.5, 0.75, 0.92, 1, 1,
		0.95, 0.97, 1, 0.98, 0.92, 0.8, 0.62, 0.5, 0.42, 0.34, 0.25, 0.18}
	batchCurve = [24]float64{0.9, 1, 1, 1, 0.95, 0.7, 0.3, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0.2, 0.45, 0.7}
	// Weekly seasonality by local weekday (Sunday first).
	officeWeek = [7]float64{0.36, 0.97, 1, 1, 0.98, 0.9, 0.42}
	batchWeek  = [7]float64{0.85, 1, 1, 1, 1, 1, 0.85}
)

const (
	baseServerErrors = 0.0002 // share of 5xx outside incidents
	clientErrorMS    = 25     // a 4xx is rejected quickly
	rowsPerAddUsage  = 20000
	burstCalls       = 50 // calls in a busy hour of a light consumer
)

// daysSince returns the (fractional) number of days from a to b.
func daysSince(a, b time.Time) float64 { return b.Sub(a).Hours() / 24 }

// level is the member's activity at t relative to its scale at End: its
// trajectory, times a ramp-up after it joined.
func (p *plan) level(m *memberPlan, t time.Time) float64 {
	d := daysSince(p.end, t) // ≤ 0 in the history
	var v float64
	switch m.traj {
	case trajGrowing:
		v = math.Exp(m.rate * min(d, 60))
	case trajDeclining:
		v = math.Max(0.25, math.Exp(-m.rate*d))
	case trajChurning:
		s := daysSince(m.churnAt, t)
		v = 0.95 + 0.08*math.Sin(2*math.Pi*daysSince(p.start, t)/35+m.phase)
		if s > 0 {
			if s > 5 {
				return 0
			}
			v *= math.Exp(-s / 1.2)
		}
	default:
		v = 1 + 0.1*math.Sin(2*math.Pi*daysSince(p.start, t)/40+m.phase)
	}
	j := daysSince(m.JoinedOn, t)
	if j < 1 {
		return 0
	}
	if j < 90 {
		// Logistic ramp-up: about half the traffic three weeks in.
		v *= 1 / (1 + math.Exp(-(j-20)/5))
	}
	return v
}

// communityLevel is how active the member's people are at t (0 to ~1.5).
func (p *plan) communityLevel(m *memberPlan, t time.Time) float64 {
	if m.traj == trajChurning && t.After(m.churnAt.AddDate(0, 0, -10)) {
		return 0 // gone quiet before the traffic stopped
	}
	if m.troubled && t.After(m.troubleAt) {
		return 0.1 * m.community
	}
	if t.Before(m.JoinedOn) {
		return 0
	}
	return m.community * math.Sqrt(math.Max(0.05, p.level(m, t)))
}

// clientErrorShare is the member's share of 4xx at t: newcomers make more
// mistakes while they integrate.
func (m *memberPlan) clientErrorShare(t time.Time) float64 {
	q := m.q4
	if j := daysSince(m.JoinedOn, t); j >= 0 && j < 120 {
		q *= 1 + 2.5*math.Exp(-j/20)
	}
	return math.Min(q, 0.6)
}

// incidentAt returns the 5xx share and the latency factor added by incidents
// on endpoint ep at hour h (ramping in and out over the first and last hour).
func (p *plan) incidentAt(ep int, h time.Time) (err5, lat float64) {
	lat = 1
	for i := range p.incidents {
		in := &p.incidents[i]
		if !in.eps[ep] || h.Before(in.start) || !h.Before(in.end) {
			continue
		}
		sev := 1.0
		if h.Equal(in.start) || h.Add(time.Hour).Equal(in.end) {
			sev = 0.5
		}
		err5 += in.err5 * sev
		lat *= 1 + (in.latency-1)*sev
	}
	return err5, lat
}

// curves returns the daily and weekly factors of a consumer at t.
func (c *consumerPlan) curves(t time.Time, tz int) (float64, float64) {
	local := t.Add(time.Duration(tz) * time.Hour)
	h, wd := local.Hour(), local.Weekday()
	switch {
	case c.batch:
		return batchCurve[h], batchWeek[wd]
	case c.staging:
		w := officeWeek[wd]
		return officeCurve[h] * officeCurve[h], w * w
	}
	return officeCurve[h], officeWeek[wd]
}

// traffic generates the usage of the minutes in [from, to), hour by hour,
// and hands each rollup to emit. Each minute's calls go to its hour's bucket.
func (p *plan) traffic(ctx context.Context, r *rand.Rand, ids []int64, from, to time.Time, emit func(*domain.UsageRollup) error) (calls int64, rows int, err error) {
	from, to = from.UTC().Truncate(time.Minute), to.UTC().Truncate(time.Minute)
	var ru domain.UsageRollup
	for h := from.Truncate(time.Hour); h.Before(to); h = h.Add(time.Hour) {
		if err := ctx.Err(); err != nil {
			return calls, rows, err
		}
		lo, hi := h, h.Add(time.Hour)
		if lo.Before(from) {
			lo = from
		}
		if hi.After(to) {
			hi = to
		}
		frac := hi.Sub(lo).Minutes() / 60
		if frac <= 0 {
			continue
		}
		mid := lo.Add(hi.Sub(lo) / 2)
		dayNum := uint64(h.Unix() / 86400)
		for ci := range p.consumers {
			c := &p.consumers[ci]
			var m *memberPlan
			lvl, tz, q4, latf := 1.0, 0, 0.05, 1.0
			if c.member >= 0 {
				m = &p.members[c.member]
				lvl = p.level(m, mid)
				tz, q4, latf = m.tz, m.clientErrorShare(mid), m.latency
			} else {
				lvl = 1 + 0.15*math.Sin(2*math.Pi*daysSince(p.start, mid)/30+float64(ci))
			}
			if lvl <= 0 {
				continue
			}
			dayNoise := math.Exp(0.1 * hashNormal(p.opt.Seed, uint64(ci), dayNum))
			curve, week := c.curves(mid, tz)
			base := c.scale * lvl * curve * week * dayNoise * frac
			for _, sh := range c.mix {
				ep := &endpoints[sh.ep]
				lambda := base * sh.w * math.Exp(0.12*r.NormFloat64())
				if lambda < burstCalls {
					// Light traffic comes in bursts (a few users, a test run):
					// an hour is busy with probability λ/burst, and then
					// has burst calls on average, so the mean stays λ.
					if r.Float64()*burstCalls >= lambda {
						continue
					}
					lambda = burstCalls
				}
				n := poisson(r, lambda)
				if n == 0 {
					continue
				}
				inc5, incLat := p.incidentAt(sh.ep, h)
				n5 := min(n, poisson(r, float64(n)*(baseServerErrors+inc5)))
				q := q4 * ep.client
				if c.batch {
					q *= 0.2 // pipelines send validated requests
				}
				n4 := min(n-n5, poisson(r, float64(n-n5)*q))
				n2 := n - n4 - n5
				median := ep.medianMS * latf * (1 + 0.12*curve)
				bytes := ep.bytes
				if c.batch {
					median *= 1.8
					bytes *= 3
				}
				for _, part := range [3]struct {
					class int
					n     int64
				}{{2, n2}, {4, n4}, {5, n5}} {
					if part.n == 0 {
						continue
					}
					ru = domain.UsageRollup{Bucket: h, ConsumerID: ids[ci], Endpoint: p.versionedPath(ci, sh.ep, h), StatusClass: part.class, Calls: part.n}
					switch part.class {
					case 2:
						ru.LatencySumMS = fillLatency(&ru.Latency, r, part.n, median*incLat, ep.sigma, ep.tail)
						ru.Bytes = int64(float64(part.n) * bytes * math.Exp(0.1*r.NormFloat64()))
					case 4:
						ru.LatencySumMS = fillLatency(&ru.Latency, r, part.n, clientErrorMS, 0.6, 0)
						ru.Bytes = part.n * 180
					case 5:
						// Server errors: slow failures, some at the gateway timeout.
						ru.LatencySumMS = fillLatency(&ru.Latency, r, part.n, median*incLat*2.5, 0.9, 0.1)
						ru.Bytes = part.n * 120
					}
					if err := emit(&ru); err != nil {
						return calls, rows, err
					}
					calls += part.n
					rows++
				}
			}
		}
	}
	return calls, rows, nil
}

// logBounds[k] is ln of the upper bound of histogram bucket k.
var logBounds = func() [domain.HistBuckets - 1]float64 {
	var b [domain.HistBuckets - 1]float64
	for k := range b {
		b[k] = math.Log(domain.HistBound(k))
	}
	return b
}()

// fillLatency adds n calls of log-normal latency (median, sigma), a share
// tail of them in a slow tail, to h and returns their latency sum in ms.
// Few calls are drawn one by one; many are spread by the distribution's CDF.
func fillLatency(h *domain.Histogram, r *rand.Rand, n int64, median, sigma, tail float64) float64 {
	if n <= 0 {
		return 0
	}
	if n <= 16 {
		var sum float64
		for i := int64(0); i < n; i++ {
			ms := median * math.Exp(sigma*r.NormFloat64())
			if tail > 0 && r.Float64() < tail {
				ms *= 5 * math.Exp(0.4*r.NormFloat64())
			}
			ms = math.Min(ms, 60000)
			h.Observe(ms, 1)
			sum += ms
		}
		return sum
	}
	nt := int64(math.Round(float64(n) * tail))
	spread(h, n-nt, median, sigma)
	spread(h, nt, median*5, 0.4)
	mean := func(med, s float64) float64 { return med * math.Exp(s*s/2) }
	return float64(n-nt)*mean(median, sigma) + float64(nt)*mean(median*5, 0.4)
}

// spread adds n calls to h in the proportions of a log-normal distribution,
// by rounding its cumulative counts, so the counts add up to n exactly.
func spread(h *domain.Histogram, n int64, median, sigma float64) {
	if n <= 0 {
		return
	}
	mu := math.Log(median)
	lo := domain.HistBucket(math.Exp(mu - 4.5*sigma))
	hi := domain.HistBucket(math.Exp(mu + 4.5*sigma))
	var prev int64
	for k := lo; k <= hi; k++ {
		var cum int64 = n
		if k < hi && k < domain.HistBuckets-1 {
			z := (logBounds[k] - mu) / sigma
			cum = int64(math.Round(float64(n) * 0.5 * math.Erfc(-z/math.Sqrt2)))
		}
		h[k] += cum - prev
		prev = cum
	}
}

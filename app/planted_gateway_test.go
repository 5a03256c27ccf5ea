package app

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The planted ecosystem's API gateway: nginx in front of the model API,
// behind the gateway's authentication, which passes the consumer's name on
// as X-Consumer-Username. Its access log rotates daily and is gzipped, as
// logrotate leaves it; the newest day is the live, uncompressed file.

// plantedLogFormat is the gateway's nginx log_format.
const plantedLogFormat = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time "$http_x_consumer_username"`

// plantedEndpoint is an API route and how it behaves; latency is relative
// to the member's completion latency.
type plantedEndpoint struct {
	method, path    string
	weight, latency float64
	sigma, bytes    float64
}

var plantedEndpoints = []plantedEndpoint{
	{"POST", "/v1/chat/completions", 0.55, 1, 0.42, 2400},
	{"POST", "/v1/embeddings", 0.28, 0.2, 0.35, 9000},
	{"GET", "/v1/models?limit=20", 0.08, 0.04, 0.3, 5200},
	{"GET", "/v1/files/file-%s/content", 0.05, 0.12, 0.5, 40000},
	{"POST", "/v1/batches", 0.04, 0.35, 0.4, 800},
}

// plantedUsage is what the gateway answered one member: the truth the
// stored usage must match.
type plantedUsage struct {
	Calls, Errors4xx, Errors5xx int64
}

// plantedGateway is the written log.
type plantedGateway struct {
	Files []string // by day
	Lines int64
	Truth map[string]*plantedUsage // by member slug
}

// volume is the member's expected calls on day d, before noise.
func (m *plantedMember) volume(d int) float64 {
	f := 1.0
	since := float64(d - m.Onset + 1)
	switch {
	case m.Plant == plantChurn && d >= m.Onset:
		f = 1 - (2.0/3)*math.Min(1, since/7)
	case m.Plant == plantDrop && d >= m.Onset:
		f = 1 - 0.8*math.Min(1, since/3)
	case m.Plant == plantDormant && d >= m.Onset:
		return 0
	}
	if m.Shape == plantedSpike && (d == plantedSpikeDay || d == plantedSpikeDay+1) {
		f *= 5
	}
	if plantedRestDay(d, m.Shape != plantedSteady && m.Shape != plantedSpike) {
		f *= m.Weekend
	}
	if m.Wave > 0 {
		f *= 1 + m.Wave*math.Sin(2*math.Pi*(float64(d)+m.WavePhase)/30)
	}
	return m.Calls * f
}

// errorRates are the member's 4xx and 5xx shares on day d.
func (m *plantedMember) errorRates(r *rand.Rand, d int) (p4, p5 float64) {
	p4, p5 = m.P4xx*plantedLogNormal(r, 1, 0.2), m.P5xx*plantedLogNormal(r, 1, 0.3)
	if m.Plant == plant4xx && d >= m.Onset {
		p4 = 0.2 * plantedLogNormal(r, 1, 0.08)
	}
	if m.Plant == plant5xx && d >= m.Onset {
		p5 = 0.1 * plantedLogNormal(r, 1, 0.15)
	}
	return p4, p5
}

// chatLatency is the median latency of the member's completion calls on
// day d: three times the SLO at p95 once the latency degradation starts.
func (m *plantedMember) chatLatency(r *rand.Rand, d int) float64 {
	if m.Plant == plantLatency && d >= m.Onset {
		return 1700 * plantedLogNormal(r, 1, 0.06)
	}
	return m.LatencyMS * plantedLogNormal(r, 1, 0.06)
}

// plantedRequest is one logged request, before formatting.
type plantedRequest struct {
	at       int64 // Unix nanoseconds
	addr     string
	agent    string
	consumer string
	method   string
	path     string
	status   int
	bytes    int
	ms       float64
}

// plantedHours are the shares of a day's calls per UTC hour: office hours
// around 14:00 UTC for interactive traffic, nights for batch jobs.
func plantedHours(batch bool) [24]float64 {
	var w [24]float64
	for h := range w {
		if batch {
			w[h] = 1
			if h < 6 {
				w[h] = 2.5
			}
		} else {
			x := float64(h) - 14
			w[h] = 0.2 + math.Exp(-x*x/18)
		}
	}
	return w
}

func plantedPick(r *rand.Rand, w []float64) int {
	total := 0.0
	for _, v := range w {
		total += v
	}
	x := r.Float64() * total
	for i, v := range w {
		if x < v {
			return i
		}
		x -= v
	}
	return len(w) - 1
}

var (
	planted4xxCodes   = []int{400, 401, 404, 422, 429}
	planted4xxWeights = []float64{0.3, 0.1, 0.2, 0.25, 0.15}
	planted5xxCodes   = []int{500, 502, 503, 504}
	planted5xxWeights = []float64{0.35, 0.25, 0.25, 0.15}
)

// request draws one request of consumer c of member m on day d.
func (m *plantedMember) request(r *rand.Rand, c *plantedConsumer, day time.Time, hours *[24]float64, chat, p4, p5 float64) plantedRequest {
	h := plantedPick(r, hours[:])
	at := day.Add(time.Duration(h)*time.Hour + time.Duration(r.Int64N(int64(time.Hour))))
	var weights [5]float64
	for i, e := range plantedEndpoints {
		weights[i] = e.weight
	}
	e := plantedEndpoints[plantedPick(r, weights[:])]
	path := e.path
	if strings.Contains(path, "%s") {
		path = fmt.Sprintf(path, strconv.FormatInt(r.Int64N(1<<40), 36))
	}
	q := plantedRequest{at: at.UnixNano(), addr: c.Addr, agent: c.Agent, consumer: c.Key, method: e.method, path: path}
	u := r.Float64()
	switch {
	case u < p5:
		q.status = planted5xxCodes[plantedPick(r, planted5xxWeights)]
		switch q.status {
		case 504:
			q.ms = 60000 + plantedBetween(r, 0, 5)
		case 500:
			q.ms = plantedLogNormal(r, 200, 0.8)
		default:
			q.ms = plantedLogNormal(r, 4, 0.5)
		}
		q.bytes = 150 + r.IntN(60)
	case u < p5+p4:
		q.status = planted4xxCodes[plantedPick(r, planted4xxWeights)]
		q.ms = plantedLogNormal(r, 12, 0.5)
		q.bytes = 90 + r.IntN(200)
	default:
		q.status = 200
		q.ms = plantedLogNormal(r, chat*e.latency, e.sigma)
		q.bytes = int(plantedLogNormal(r, e.bytes, 0.6))
	}
	return q
}

// plantedLogLine formats q as the gateway's log_format.
func plantedLogLine(b []byte, q *plantedRequest) []byte {
	b = append(b, q.addr...)
	b = append(b, " - - ["...)
	b = time.Unix(0, q.at).UTC().AppendFormat(b, "02/Jan/2006:15:04:05 -0700")
	b = append(b, "] \""...)
	b = append(b, q.method...)
	b = append(b, ' ')
	b = append(b, q.path...)
	b = append(b, " HTTP/1.1\" "...)
	b = strconv.AppendInt(b, int64(q.status), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(q.bytes), 10)
	b = append(b, " \"-\" \""...)
	b = append(b, q.agent...)
	b = append(b, "\" "...)
	b = strconv.AppendFloat(b, q.ms/1000, 'f', 3, 64)
	b = append(b, " \""...)
	if q.consumer == "" {
		b = append(b, '-')
	} else {
		b = append(b, q.consumer...)
	}
	b = append(b, "\"\n"...)
	return b
}

// writePlantedGateway writes the whole history's access log into dir, one
// file a day, and returns the files and the truth per member.
func writePlantedGateway(dir string, e *plantedEcosystem) (*plantedGateway, error) {
	g := &plantedGateway{Truth: map[string]*plantedUsage{}}
	r := plantedRand(e.Seed, "gateway")
	office, batch := plantedHours(false), plantedHours(true)
	var reqs []plantedRequest
	var line []byte
	for d := 0; d < plantedDays; d++ {
		day := plantedDay(d)
		reqs = reqs[:0]
		for _, m := range e.Members {
			u := g.Truth[m.Slug]
			if u == nil {
				u = &plantedUsage{}
				g.Truth[m.Slug] = u
			}
			mean := m.volume(d) * plantedLogNormal(r, 1, 0.07) // day-to-day variation beyond Poisson
			chat := m.chatLatency(r, d)
			p4, p5 := m.errorRates(r, d)
			for _, c := range m.Consumers {
				if d < c.From || (c.Until > 0 && d >= c.Until) {
					continue
				}
				share := c.Share
				if (c.Until > 0 && d >= c.Until-2) || (c.From > 0 && d < c.From+2) {
					share /= 2 // a key rotation's two days of overlap: traffic moves over
				}
				hours := &office
				if c.Batch {
					hours = &batch
				}
				n := plantedPoisson(r, mean*share)
				for range n {
					q := m.request(r, c, day, hours, chat, p4, p5)
					u.Calls++
					switch {
					case q.status >= 500:
						u.Errors5xx++
					case q.status >= 400:
						u.Errors4xx++
					}
					reqs = append(reqs, q)
				}
			}
		}
		reqs = plantedNoise(r, reqs, d, day, &office)
		slices.SortFunc(reqs, func(a, b plantedRequest) int { return int(a.at - b.at) })
		name := "api.access.log-" + day.Format("20060102") + ".gz"
		if d == plantedDays-1 {
			name = "api.access.log" // the live file, not rotated yet
		}
		path := filepath.Join(dir, name)
		if err := plantedWriteLog(path, func(w *bufio.Writer) error {
			for i := range reqs {
				line = plantedLogLine(line[:0], &reqs[i])
				if _, err := w.Write(line); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return nil, err
		}
		g.Lines += int64(len(reqs))
		g.Files = append(g.Files, path)
	}
	return g, nil
}

// plantedNoise adds what every gateway also logs: scanners without a
// consumer, a trial key nobody mapped, and a hackathon team's key for two
// weeks.
func plantedNoise(r *rand.Rand, reqs []plantedRequest, d int, day time.Time, office *[24]float64) []plantedRequest {
	scanPaths := []string{"/.env", "/wp-login.php", "/v1/chat/completions", "/admin", "/v1/models"}
	for range plantedPoisson(r, 35) {
		at := day.Add(time.Duration(r.Int64N(int64(24 * time.Hour))))
		status := 401
		p := scanPaths[r.IntN(len(scanPaths))]
		if p[1] != 'v' {
			status = 404
		}
		reqs = append(reqs, plantedRequest{at: at.UnixNano(), addr: fmt.Sprintf("203.0.113.%d", 1+r.IntN(250)),
			agent: "Mozilla/5.0 zgrab/0.x", method: "GET", path: p, status: status, bytes: 150, ms: plantedLogNormal(r, 2, 0.4)})
	}
	trial := &plantedMember{Slug: "trial", LatencyMS: 350}
	c := &plantedConsumer{Key: "trial-4411", Addr: "192.0.2.44", Agent: "pulse-python/1.9.0"}
	for range plantedPoisson(r, 15) {
		reqs = append(reqs, trial.request(r, c, day, office, 350, 0.05, 0.002))
	}
	if d >= 20 && d < 34 {
		c := &plantedConsumer{Key: "hackathon-team-7", Addr: "192.0.2.77", Agent: "pulse-node/2.1.0"}
		for range plantedPoisson(r, 200) {
			reqs = append(reqs, trial.request(r, c, day, office, 350, 0.08, 0.002))
		}
	}
	return reqs
}

// plantedWriteLog writes one log file, gzipped when its name says so.
func plantedWriteLog(path string, fill func(*bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var zw *gzip.Writer
	w := bufio.NewWriterSize(f, 1<<20)
	if filepath.Ext(path) == ".gz" {
		zw, _ = gzip.NewWriterLevel(f, gzip.BestSpeed)
		w = bufio.NewWriterSize(zw, 1<<20)
	}
	if err := fill(w); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return err
		}
	}
	return f.Close()
}

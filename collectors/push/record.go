package push

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/collectors/endpoint"
	"github.com/ecopulse/ecopulse/domain"
)

// wire is the union of both record shapes, filled in one scan. Only the
// members a record needs are kept; the rest is checked and skipped.
type wire struct {
	// EcoPulse's shape.
	time, consumer, endpoint, path, status, bytes, latency val
	// consumer as a Kong consumer object.
	consumerUsername, consumerCustomID, consumerID val

	// Kong's HTTP Log object.
	startedAt, request, response, latencies, route, service val
	uri, url, hdrUsername, hdrCustomID, hdrID               val
	respStatus, respSize, latRequest, latProxy              val
	routeName, serviceName                                  val
}

// scanRecord scans the object at s.i into w.
func (s *scanner) scanRecord(w *wire) error {
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return s.unexpected("looking for beginning of object")
	}
	for it := s.object(); ; {
		key, ok, err := it.next()
		if err != nil || !ok {
			return err
		}
		switch string(key) {
		case "time":
			w.time, err = s.value()
		case "consumer":
			if s.i < len(s.b) && s.b[s.i] == '{' {
				w.consumer = val{kind: 'o'}
				err = s.members(func(k []byte) (err error) {
					switch string(k) {
					case "username":
						w.consumerUsername, err = s.value()
					case "custom_id":
						w.consumerCustomID, err = s.value()
					case "id":
						w.consumerID, err = s.value()
					default:
						_, err = s.value()
					}
					return err
				})
			} else {
				w.consumer, err = s.value()
			}
		case "endpoint":
			w.endpoint, err = s.value()
		case "path":
			w.path, err = s.value()
		case "status":
			w.status, err = s.value()
		case "bytes":
			w.bytes, err = s.value()
		case "latency_ms":
			w.latency, err = s.value()
		case "started_at":
			w.startedAt, err = s.value()
		case "request":
			w.request, err = s.nested(func(k []byte) (err error) {
				switch string(k) {
				case "uri":
					w.uri, err = s.value()
				case "url":
					w.url, err = s.value()
				case "headers":
					_, err = s.nested(func(h []byte) (err error) {
						switch {
						case bytes.EqualFold(h, []byte("x-consumer-username")):
							w.hdrUsername, err = s.header()
						case bytes.EqualFold(h, []byte("x-consumer-custom-id")):
							w.hdrCustomID, err = s.header()
						case bytes.EqualFold(h, []byte("x-consumer-id")):
							w.hdrID, err = s.header()
						default:
							_, err = s.value()
						}
						return err
					})
				default:
					_, err = s.value()
				}
				return err
			})
		case "response":
			w.response, err = s.nested(func(k []byte) (err error) {
				switch string(k) {
				case "status":
					w.respStatus, err = s.value()
				case "size":
					w.respSize, err = s.value()
				default:
					_, err = s.value()
				}
				return err
			})
		case "latencies":
			w.latencies, err = s.nested(func(k []byte) (err error) {
				switch string(k) {
				case "request":
					w.latRequest, err = s.value()
				case "proxy":
					w.latProxy, err = s.value()
				default:
					_, err = s.value()
				}
				return err
			})
		case "route":
			w.route, err = s.nested(func(k []byte) (err error) {
				if string(k) == "name" {
					w.routeName, err = s.value()
				} else {
					_, err = s.value()
				}
				return err
			})
		case "service":
			w.service, err = s.nested(func(k []byte) (err error) {
				if string(k) == "name" {
					w.serviceName, err = s.value()
				} else {
					_, err = s.value()
				}
				return err
			})
		default:
			_, err = s.value()
		}
		if err != nil {
			return err
		}
	}
}

// members walks the object at s.i, calling member with s.i on each value.
func (s *scanner) members(member func(key []byte) error) error {
	s.depth++
	defer func() { s.depth-- }()
	for it := s.object(); ; {
		key, ok, err := it.next()
		if err != nil || !ok {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
	}
}

// nested walks the value at s.i with member when it is an object, and scans
// it as a plain value otherwise (the caller reports the wrong type).
func (s *scanner) nested(member func(key []byte) error) (val, error) {
	if s.i < len(s.b) && s.b[s.i] == '{' {
		return val{kind: 'o'}, s.members(member)
	}
	return s.value()
}

// header scans a header value: a string, or an array of strings (a header
// sent several times) whose first element is kept.
func (s *scanner) header() (val, error) {
	if s.i >= len(s.b) || s.b[s.i] != '[' {
		return s.value()
	}
	s.depth++
	defer func() { s.depth-- }()
	s.i++
	var first val
	for n := 0; ; n++ {
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == ']' && n == 0 {
			s.i++
			return first, nil
		}
		v, err := s.value()
		if err != nil {
			return val{}, err
		}
		if n == 0 {
			first = v
		}
		s.ws()
		if s.i >= len(s.b) {
			return val{}, s.fail("unexpected end of input")
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case ']':
			s.i++
			return first, nil
		default:
			return val{}, s.unexpected("after array element")
		}
	}
}

func (w *wire) isKong() bool {
	return w.request.kind != 0 || w.response.kind != 0 || w.latencies.kind != 0 || w.startedAt.kind != 0
}

// own fills r from EcoPulse's shape and returns why it cannot, or "".
func (w *wire) own(r *domain.UsageRecord, c *strCache) string {
	var why string
	if r.Time, why = timeValue("time", w.time); why != "" {
		return why
	}
	if r.Consumer, why = w.consumerName(c); why != "" {
		return why
	}
	ep, field := w.endpoint, "endpoint"
	if !ep.present() || (ep.kind == 's' && ep.blank()) {
		ep, field = w.path, "path"
	}
	switch {
	case !ep.present() || (ep.kind == 's' && ep.blank()):
		return "missing endpoint (or path)"
	case ep.kind != 's':
		return fmt.Sprintf("%s must be a string, got %s", field, ep.kindName())
	}
	r.Endpoint = c.path(ep)
	if !w.status.present() {
		return "missing status"
	}
	n := number(w.status, false)
	if r.Status, why = n.status("status"); why != "" {
		return why
	}
	n = number(w.bytes, false)
	if r.Bytes, why = n.size("bytes"); why != "" {
		return why
	}
	n = number(w.latency, false)
	r.LatencyMS, why = n.latency("latency_ms", false)
	return why
}

// kong fills r from a Kong log object and returns why it cannot, or "".
func (w *wire) kong(r *domain.UsageRecord, c *strCache) string {
	for _, o := range []struct {
		name string
		v    val
	}{{"request", w.request}, {"response", w.response}, {"latencies", w.latencies}, {"route", w.route}, {"service", w.service}} {
		if o.v.present() && o.v.kind != 'o' {
			return fmt.Sprintf("%s must be an object, got %s", o.name, o.v.kindName())
		}
	}
	var why string
	switch {
	case !w.startedAt.present():
		return "missing started_at"
	}
	n := number(w.startedAt, false)
	if w.startedAt.kind != 'n' {
		return fmt.Sprintf("started_at must be a number (epoch milliseconds), got %s", n.describe())
	}
	if r.Time, why = epochMS("started_at", &n); why != "" {
		return why
	}
	if r.Consumer, why = w.consumerName(c); why != "" {
		return why
	}
	if r.Consumer == "" {
		for _, h := range []val{w.hdrUsername, w.hdrCustomID, w.hdrID} {
			if h.kind == 's' && !h.blank() {
				r.Consumer = strings.TrimSpace(h.str())
				break
			}
		}
		r.Consumer = c.consumer(r.Consumer)
	}
	for _, e := range []struct {
		name string
		v    val
		path bool
	}{{"request.uri", w.uri, true}, {"request.url", w.url, true}, {"route.name", w.routeName, false}, {"service.name", w.serviceName, false}} {
		switch {
		case !e.v.present():
			continue
		case e.v.kind != 's':
			return fmt.Sprintf("%s must be a string, got %s", e.name, e.v.kindName())
		case e.v.blank():
			continue
		case e.path:
			r.Endpoint = c.path(e.v)
		default:
			r.Endpoint = c.redact(strings.TrimSpace(e.v.str())) // a route or service name: free text
		}
		break
	}
	if r.Endpoint == "" {
		return "missing request.uri (and request.url, route.name, service.name)"
	}
	if !w.respStatus.present() {
		return "missing response.status"
	}
	n = number(w.respStatus, true)
	if r.Status, why = n.status("response.status"); why != "" {
		return why
	}
	n = number(w.respSize, true)
	if r.Bytes, why = n.size("response.size"); why != "" {
		return why
	}
	r.LatencyMS = -1
	for _, l := range []struct {
		name string
		v    val
	}{{"latencies.request", w.latRequest}, {"latencies.proxy", w.latProxy}} {
		n := number(l.v, true)
		ms, why := n.latency(l.name, true)
		if why != "" {
			return why
		}
		if ms >= 0 {
			r.LatencyMS = ms
			break
		}
	}
	return ""
}

// consumerName returns the consumer: a string, or the first non-empty of a
// Kong consumer's username, custom_id and id. An IP address is dropped.
func (w *wire) consumerName(c *strCache) (string, string) {
	var name string
	switch w.consumer.kind {
	case 0, 'z':
	case 's':
		name = c.str(w.consumer)
	case 'o':
		for _, f := range []struct {
			name string
			v    val
		}{{"consumer.username", w.consumerUsername}, {"consumer.custom_id", w.consumerCustomID}, {"consumer.id", w.consumerID}} {
			switch {
			case !f.v.present():
			case f.v.kind != 's':
				return "", fmt.Sprintf("%s must be a string, got %s", f.name, f.v.kindName())
			case !f.v.blank() && name == "":
				name = c.str(f.v)
			}
		}
	default:
		return "", "consumer must be a string or a Kong consumer object, got " + w.consumer.kindName()
	}
	// Never keep an address: a name that is one is anonymous, one that
	// holds one (or an e-mail address) keeps a keyed token in its place.
	return c.consumer(strings.TrimSpace(name)), ""
}

// num is a value meant to be a number.
type num struct {
	v      val
	ok     bool    // a finite number in float64 range (a numeric string when strings are allowed)
	isInt  bool    // … and an integer within int64
	i      int64   // when isInt
	f      float64 // when ok
	strOK  bool    // strings with numeric content count (Kong)
	parsed bool
}

// number reads v as a number; strs allows numeric strings (older Kong
// versions sent sizes as "434").
func number(v val, strs bool) num {
	n := num{v: v, strOK: strs}
	switch {
	case v.kind == 'n':
		n.parse(v.raw)
	case v.kind == 's' && strs && !v.esc:
		n.parse(bytes.TrimSpace(v.raw))
		n.parsed = n.ok // "big" and "1e999" are not sizes
	}
	return n
}

func (n *num) parse(b []byte) {
	n.parsed = true
	if !bytes.ContainsAny(b, ".eE") {
		if i, err := strconv.ParseInt(string(b), 10, 64); err == nil {
			n.i, n.f, n.isInt, n.ok = i, float64(i), true, true
			return
		}
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return
	}
	n.f, n.ok = f, true
	if f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63 {
		n.i, n.isInt = int64(f), true
	}
}

// usable reports whether n can be read as a number at all.
func (n *num) usable() bool { return n.parsed }

// describe says what n holds, for messages.
func (n *num) describe() string {
	switch n.v.kind {
	case 's':
		return "string " + strconv.Quote(shorten(n.v.str()))
	case 't':
		return "true"
	case 'f':
		return "false"
	case 'z':
		return "null"
	case 'o':
		return "an object"
	case 'a':
		return "an array"
	}
	if n.isInt && n.v.kind == 'n' && len(n.v.raw) < 20 && !bytes.ContainsAny(n.v.raw, ".eE") {
		return strconv.FormatInt(n.i, 10)
	}
	return shorten(string(n.v.raw))
}

func (n *num) status(field string) (int, string) {
	switch {
	case !n.usable():
		return 0, fmt.Sprintf("%s must be a number, got %s", field, n.describe())
	case !n.ok:
		return 0, fmt.Sprintf("%s %s is out of range", field, n.describe())
	case n.f != math.Trunc(n.f):
		return 0, fmt.Sprintf("%s %s is not an integer", field, n.describe())
	case n.f < 100 || n.f > 599:
		return 0, fmt.Sprintf("%s %s is not an HTTP status", field, n.describe())
	}
	return int(n.f), ""
}

// size reads a byte count; absent or null is 0.
func (n *num) size(field string) (int64, string) {
	switch {
	case !n.v.present():
		return 0, ""
	case !n.usable():
		return 0, fmt.Sprintf("%s must be a number, got %s", field, n.describe())
	case !n.ok:
		return 0, fmt.Sprintf("%s %s is out of range", field, n.describe())
	case n.f != math.Trunc(n.f):
		return 0, fmt.Sprintf("%s %s is not an integer", field, n.describe())
	case n.f < 0:
		return 0, fmt.Sprintf("%s %s is negative", field, n.describe())
	case !n.isInt:
		return 0, fmt.Sprintf("%s %s is out of range", field, n.describe())
	case n.i > domain.MaxRecordBytes:
		return 0, fmt.Sprintf("%s %s is out of range: over the limit of 1 TiB (%d bytes) per record", field, n.describe(), int64(domain.MaxRecordBytes))
	}
	return n.i, ""
}

// maxLatencyMS bounds a record's latency (one day, as the store checks).
const maxLatencyMS = domain.MaxRecordLatencyMS

// latency returns milliseconds, or -1 when not measured: absent, null, or
// (with kong set) negative, as Kong reports -1 for what it did not measure.
func (n *num) latency(field string, kong bool) (float64, string) {
	switch {
	case !n.v.present():
		return -1, ""
	case !n.usable():
		return 0, fmt.Sprintf("%s must be a number, got %s", field, n.describe())
	case !n.ok:
		return 0, fmt.Sprintf("%s %s is out of range", field, n.describe())
	case n.f > maxLatencyMS:
		return 0, fmt.Sprintf("%s %s is out of range: over the limit of %d ms (one day) per record", field, n.describe(), maxLatencyMS)
	case n.f < 0 && kong:
		return -1, ""
	case n.f < 0:
		return 0, fmt.Sprintf("%s %s is negative", field, n.describe())
	}
	return n.f, ""
}

// epochMS converts a number of milliseconds since 1970 to a time.
func epochMS(field string, n *num) (time.Time, string) {
	if !n.ok || n.f < float64(minTime.UnixMilli()) || n.f >= float64(maxTime.UnixMilli()) {
		return time.Time{}, fmt.Sprintf("%s %s is not a time in milliseconds since 1970 between %s and %s",
			field, n.describe(), minTime.Format(domain.DateLayout), maxTime.Format(domain.DateLayout))
	}
	if n.isInt {
		return time.UnixMilli(n.i).UTC(), ""
	}
	ms := math.Floor(n.f)
	return time.UnixMilli(int64(ms)).Add(time.Duration((n.f - ms) * 1e6)).UTC(), ""
}

// timeValue reads an RFC 3339 string or a number of epoch milliseconds.
func timeValue(field string, v val) (time.Time, string) {
	switch v.kind {
	case 0, 'z':
		return time.Time{}, "missing " + field
	case 'n':
		n := number(v, false)
		return epochMS(field, &n)
	case 's':
		s := strings.TrimSpace(v.str())
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Sprintf("%s %q is not an RFC 3339 time (like 2026-05-01T09:15:00Z) nor epoch milliseconds", field, shorten(s))
		}
		if tm.Before(minTime) || !tm.Before(maxTime) {
			return time.Time{}, fmt.Sprintf("%s %q is not between %s and %s", field, shorten(s),
				minTime.Format(domain.DateLayout), maxTime.Format(domain.DateLayout))
		}
		return tm.UTC(), ""
	}
	n := number(v, false)
	return time.Time{}, fmt.Sprintf("%s must be an RFC 3339 string or epoch milliseconds, got %s", field, n.describe())
}

// strCache shares the strings of a body's consumers and endpoints (few
// distinct values, many records): fewer allocations, and each endpoint is
// normalised once.
type strCache struct {
	strs  map[string]string
	paths map[string]string
	// key hashes the addresses and e-mail addresses of consumer names
	// (endpoint.Consumer); consumers caches the names so redacted.
	key       []byte
	consumers map[string]string
}

// consumer returns the consumer key to store for a reported name.
func (c *strCache) consumer(name string) string {
	if name == "" {
		return ""
	}
	if s, ok := c.consumers[name]; ok {
		return s
	}
	s := endpoint.Consumer(name, c.key)
	if c.consumers == nil {
		c.consumers = map[string]string{}
	}
	if len(c.consumers) < maxCached {
		c.consumers[name] = s
	}
	return s
}

// redact replaces the addresses and e-mail addresses of free text.
func (c *strCache) redact(s string) string { return endpoint.Redact(s, c.key) }

// maxCached bounds each map of a strCache.
const maxCached = 4096

func (c *strCache) str(v val) string {
	if v.esc {
		return v.str()
	}
	if s, ok := c.strs[string(v.raw)]; ok {
		return s
	}
	s := v.str()
	if c.strs == nil {
		c.strs = map[string]string{}
	}
	if len(c.strs) < maxCached {
		c.strs[s] = s
	}
	return s
}

func (c *strCache) path(v val) string {
	if v.esc {
		return NormalizePath(v.str())
	}
	if s, ok := c.paths[string(v.raw)]; ok {
		return s
	}
	s := NormalizePath(v.str())
	if c.paths == nil {
		c.paths = map[string]string{}
	}
	if len(c.paths) < maxCached {
		c.paths[string(v.raw)] = s
	}
	return s
}

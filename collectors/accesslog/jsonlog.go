package accesslog

import (
	"math"
	"strings"
)

// jsonMap holds the value slots of a JSON format's fields.
type jsonMap struct {
	time, method, uri, url, status, bytes, latency, clientIP int
	consumers                                                []int // tried in order
	timeFormat                                               string
}

// initKong sets up Kong's file-log (and http-log, tcp-log…) record shape:
// request.method/uri/url/headers, response.status/size, latencies.request
// (ms), consumer.username/custom_id/id, started_at (epoch ms), client_ip.
func (p *parser) initKong() error {
	p.parse = (*parser).parseJSON
	p.latencyMul = 1 // Kong's latencies are milliseconds
	m := &p.jmap
	m.time = p.addPath("started_at")
	m.timeFormat = "ms"
	m.method = p.addPath("request.method")
	m.uri = p.addPath("request.uri")
	m.url = p.addPath("request.url")
	m.status = p.addPath("response.status")
	m.bytes = p.addPath("response.size")
	m.latency = p.addPath("latencies.request")
	m.clientIP = p.addPath("client_ip")
	switch p.cfg.Consumer.From {
	case "":
		m.consumers = []int{p.addPath("consumer.username"), p.addPath("consumer.custom_id"), p.addPath("consumer.id")}
	case ConsumerField:
		m.consumers = []int{p.addPath(p.cfg.Consumer.Name)}
	case ConsumerHeader:
		// Kong logs header names in lower case.
		m.consumers = []int{p.addPath("request.headers." + strings.ToLower(strings.TrimSpace(p.cfg.Consumer.Name)))}
	}
	p.jvals = make([][]byte, p.jslots)
	return nil
}

// initJSON sets up generic JSON lines with the configured field map.
func (p *parser) initJSON() error {
	p.parse = (*parser).parseJSON
	p.latencyMul = unitMul(p.cfg.LatencyUnit)
	fm := p.cfg.FieldMap
	for _, f := range []struct{ name, path string }{{"time", fm.Time}, {"path", fm.Path}, {"status", fm.Status}} {
		if strings.TrimSpace(f.path) == "" {
			return invalid("format json needs field_map.%s", f.name)
		}
	}
	for _, path := range []string{fm.Time, fm.Method, fm.Path, fm.Status, fm.Bytes, fm.LatencyMS, fm.Consumer, fm.ClientIP, p.cfg.Consumer.Name} {
		for _, k := range strings.Split(path, ".") {
			if path != "" && k == "" {
				return invalid("field_map path %q has an empty key", path)
			}
		}
	}
	switch fm.TimeFormat {
	case "rfc3339", "s", "ms":
	default:
		return invalid("field_map.time_format must be rfc3339, s or ms, got %q", fm.TimeFormat)
	}
	m := &p.jmap
	slot := func(path string) int {
		if path == "" {
			return -1
		}
		return p.addPath(path)
	}
	m.time = slot(fm.Time)
	m.timeFormat = fm.TimeFormat
	m.method = slot(fm.Method)
	m.uri = slot(fm.Path)
	m.url = -1
	m.status = slot(fm.Status)
	m.bytes = slot(fm.Bytes)
	m.latency = slot(fm.LatencyMS)
	m.clientIP = slot(fm.ClientIP)
	switch p.cfg.Consumer.From {
	case "":
		if fm.Consumer != "" {
			m.consumers = []int{slot(fm.Consumer)}
		}
	case ConsumerField:
		m.consumers = []int{slot(p.cfg.Consumer.Name)}
	case ConsumerHeader:
		return invalid("format json has no request headers: use consumer.from field with the dot path of the header")
	case ConsumerIP:
		if fm.ClientIP == "" {
			return invalid("consumer.from ip needs field_map.client_ip")
		}
	}
	p.jvals = make([][]byte, p.jslots)
	return nil
}

func (p *parser) val(slot int) []byte {
	if slot < 0 {
		return nil
	}
	return p.jvals[slot]
}

func (p *parser) parseJSON(line []byte, f *fields) error {
	clear(p.jvals)
	if err := scanJSON(line, p.jroot, p.jvals); err != nil {
		return err
	}
	m := &p.jmap
	// time
	raw := p.val(m.time)
	if raw == nil {
		return reason("record has no time")
	}
	var err error
	if m.timeFormat == "rfc3339" {
		t, ok := jsonText(raw)
		if !ok {
			return reasonf("time %s is not an RFC 3339 string", quote(raw))
		}
		if f.unix, f.nsec, err = isoTime(t); err != nil {
			return err
		}
	} else {
		v, ok, err := jsonNumber(raw)
		if err != nil || !ok {
			return reasonf("time %s is not an epoch number", quote(raw))
		}
		if f.unix, f.nsec, err = epochTime(v, m.timeFormat); err != nil {
			return err
		}
	}
	// path
	var target []byte
	if t, ok := jsonText(p.val(m.uri)); ok && len(t) > 0 {
		target = t
	} else if t, ok := jsonText(p.val(m.url)); ok && len(t) > 0 {
		target = t
	} else {
		return reason("record has no path")
	}
	f.target = target
	// status
	if p.val(m.status) == nil {
		return reason("record has no status")
	}
	v, ok, err := jsonNumber(p.val(m.status))
	if err != nil || !ok {
		return reasonf("status %s is not a number", quoteJSON(p.val(m.status)))
	}
	if v != math.Trunc(v) || v < 0 || v > 1000 {
		return reasonf("status %v is not an HTTP status", v)
	}
	f.status = int(v)
	// bytes
	if v, ok, err = jsonNumber(p.val(m.bytes)); err != nil {
		return reasonf("size %s is not a number", quoteJSON(p.val(m.bytes)))
	} else if ok {
		if v < 0 || v > 1<<62 {
			return reasonf("size %v is out of range", v)
		}
		f.bytes = int64(v)
	}
	// latency
	if v, ok, err = jsonNumber(p.val(m.latency)); err != nil {
		return reasonf("latency %s is not a number", quoteJSON(p.val(m.latency)))
	} else if ok {
		switch {
		case v == -1 && p.cfg.Format == FormatKong:
			// Kong logs -1 for a latency it did not measure (a request
			// answered before any upstream): the call counts, its latency
			// is unknown — never 0, which would pull percentiles down. As
			// push ingest reads it.
		case v < 0:
			return reasonf("latency %v is negative", v)
		default:
			f.latencyMS = v * p.latencyMul
		}
	}
	if t, ok := jsonText(p.val(m.clientIP)); ok {
		f.clientIP = t
	}
	for _, s := range m.consumers {
		if t, ok := jsonText(p.val(s)); ok && len(t) > 0 {
			f.consumer = t
			break
		}
	}
	return nil
}

// quoteJSON shows a raw value in a reason: a string's text, else the JSON.
func quoteJSON(raw []byte) string {
	if raw == nil {
		return "(missing)"
	}
	if t, ok := jsonText(raw); ok && len(raw) > 0 && raw[0] == '"' {
		return quote(t)
	}
	return quote(raw)
}

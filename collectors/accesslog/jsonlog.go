package accesslog

import (
	"math"
	"strings"

	"github.com/ecopulse/ecopulse/collectors/endpoint"
	"github.com/ecopulse/ecopulse/collectors/push"
)

// jsonMap holds the slots of a JSON format's fields in p.jpaths.
type jsonMap struct {
	time, method, uri, status, bytes, latency, clientIP int
	consumers                                           []int // tried in order
	timeFormat                                          string
}

// initKong sets up Kong's file-log (and http-log, tcp-log…) records: they
// are read with push ingest's Kong mapping (push.KongFields), so that a call
// counts the same whether Kong logs it to a file or pushes it. Only the
// consumer may be configured otherwise: a field (a dot path), a request
// header, the client address (client_ip) or a path prefix.
func (p *parser) initKong() error {
	p.parse = (*parser).parseKong
	p.latencyMul = 1 // Kong's latencies are milliseconds
	p.kong = push.AddKong(&p.jpaths)
	m := &p.jmap
	m.clientIP = p.addPath("client_ip")
	switch p.cfg.Consumer.From {
	case ConsumerField:
		m.consumers = []int{p.addPath(p.cfg.Consumer.Name)}
	case ConsumerHeader:
		// Kong logs header names in lower case.
		m.consumers = []int{p.addPath("request.headers." + strings.ToLower(strings.TrimSpace(p.cfg.Consumer.Name)))}
	}
	p.jvals = make([]push.Value, p.jpaths.Len())
	return nil
}

// parseKong reads a Kong log line with the Kong mapping.
func (p *parser) parseKong(line []byte, f *fields) error {
	if err := p.scanLine(line); err != nil {
		return err
	}
	u, why := p.kong.Usage(p.jvals)
	if why != "" {
		return reason(why)
	}
	f.unix, f.nsec = u.Time.Unix(), int64(u.Time.Nanosecond())
	if t, ok := u.Path.Text(); ok {
		f.target = t
	} else {
		// A route or service name: free text, its addresses redacted as
		// push ingest redacts them.
		f.endpoint = endpoint.Redact(u.RouteName(), p.hashKey)
	}
	f.status, f.bytes, f.latencyMS = u.Status, u.Bytes, u.LatencyMS
	if t, ok := jsonText(p.val(p.jmap.clientIP)); ok {
		f.clientIP = t
	}
	if p.cfg.Consumer.From == "" {
		f.consumer, _ = u.Consumer.Text()
		return nil
	}
	for _, s := range p.jmap.consumers {
		if t, ok := jsonText(p.val(s)); ok && len(t) > 0 {
			f.consumer = t
			break
		}
	}
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
	p.jvals = make([]push.Value, p.jpaths.Len())
	return nil
}

// parseJSON reads a generic JSON line with the configured field map.
func (p *parser) parseJSON(line []byte, f *fields) error {
	if err := p.scanLine(line); err != nil {
		return err
	}
	m := &p.jmap
	// time
	raw := p.val(m.time)
	if raw.Missing() {
		return reason("record has no time")
	}
	var err error
	if m.timeFormat == "rfc3339" {
		t, ok := jsonText(raw)
		if !ok {
			return reasonf("time %s is not an RFC 3339 string", quoteJSON(raw))
		}
		if f.unix, f.nsec, err = isoTime(t); err != nil {
			return err
		}
	} else {
		v, ok, err := jsonNumber(raw)
		if err != nil || !ok {
			return reasonf("time %s is not an epoch number", quoteJSON(raw))
		}
		if f.unix, f.nsec, err = epochTime(v, m.timeFormat); err != nil {
			return err
		}
	}
	// path
	t, ok := jsonText(p.val(m.uri))
	if !ok || len(t) == 0 {
		return reason("record has no path")
	}
	f.target = t
	// status
	if p.val(m.status).Missing() {
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
		if v < 0 {
			// Generic JSON has no "not measured" value, unlike Kong's -1.
			return reasonf("latency %v is negative", v)
		}
		f.latencyMS = v * p.latencyMul
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

package push

import (
	"fmt"

	"github.com/ecopulse/ecopulse/domain"
)

// recordPaths are the members of both record shapes, read in one scan of
// each record: EcoPulse's own members (ownFields) and a Kong log object's
// (kongFields), which share the consumer.
var (
	recordPaths Paths
	kongFields  = AddKong(&recordPaths)
	ownFields   = addOwn(&recordPaths)
)

// ownSlots are the slots of EcoPulse's record shape; its consumer is the
// Kong mapping's (a name, or a Kong consumer object).
type ownSlots struct{ time, endpoint, path, status, bytes, latency int }

func addOwn(p *Paths) ownSlots {
	return ownSlots{time: p.Add("time"), endpoint: p.Add("endpoint"), path: p.Add("path"),
		status: p.Add("status"), bytes: p.Add("bytes"), latency: p.Add("latency_ms")}
}

// fill fills r from a scanned record of either shape and returns why it
// cannot, or "".
func fill(r *domain.UsageRecord, vals []Value, c *strCache) string {
	if !kongFields.isKong(vals) {
		return own(r, vals, c)
	}
	u, why := kongFields.Usage(vals)
	if why != "" {
		return why
	}
	r.Time, r.Status, r.Bytes, r.LatencyMS = u.Time, u.Status, u.Bytes, u.LatencyMS
	r.Consumer = c.consumerOf(u.Consumer)
	if u.Path.kind != 0 {
		r.Endpoint = c.path(u.Path)
	} else {
		r.Endpoint = c.redact(u.RouteName()) // a route or service name: free text
	}
	return ""
}

// own fills r from EcoPulse's shape and returns why it cannot, or "".
func own(r *domain.UsageRecord, vals []Value, c *strCache) string {
	o := ownFields
	var why string
	if r.Time, why = timeValue("time", vals[o.time]); why != "" {
		return why
	}
	name, why := kongFields.consumer.name(vals)
	if why != "" {
		return why
	}
	r.Consumer = c.consumerOf(name)
	ep, field := vals[o.endpoint], "endpoint"
	if !ep.present() || (ep.kind == 's' && ep.blank()) {
		ep, field = vals[o.path], "path"
	}
	switch {
	case !ep.present() || (ep.kind == 's' && ep.blank()):
		return "missing endpoint (or path)"
	case ep.kind != 's':
		return fmt.Sprintf("%s must be a string, got %s", field, ep.kindName())
	}
	r.Endpoint = c.path(ep)
	if !vals[o.status].present() {
		return "missing status"
	}
	n := number(vals[o.status], false)
	if r.Status, why = n.status("status"); why != "" {
		return why
	}
	n = number(vals[o.bytes], false)
	if r.Bytes, why = n.size("bytes"); why != "" {
		return why
	}
	n = number(vals[o.latency], false)
	r.LatencyMS, why = n.latency("latency_ms", false)
	return why
}

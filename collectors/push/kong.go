package push

import (
	"fmt"
	"strings"
	"time"
)

// The one mapping of a Kong log object (the file-log, HTTP Log and TCP Log
// plugins' record) to a usage record. Push ingest (Decode) and the
// access-log collector's format kong both read Kong objects with it, so
// that a call counts the same whichever way it reaches EcoPulse. Where the
// two once differed, the more careful reading was kept; each field says why.
//
//   - time: started_at, a JSON number of milliseconds since 1970, between
//     2000 and 2200 — Kong always writes a number, and the range refuses an
//     epoch in seconds, which would otherwise land in January 1970.
//   - endpoint: request.uri, else request.url (its path), else route.name,
//     else service.name — a call Kong answered without a request path still
//     counts, under its route; a name is free text, its addresses redacted.
//   - status: response.status, an integer 100..599.
//   - bytes: response.size, an integer >= 0; absent or null is 0.
//   - latency: latencies.request (what the client waited), else
//     latencies.proxy (the upstream's share); latencies.kong alone is Kong's
//     own share, not the call's latency, and is never used. Kong writes -1
//     for what it did not measure: any negative latency is "not measured",
//     so that a call is never lost (nor a whole pushed batch refused) for a
//     latency Kong could not take, and never counts as a 0 ms call.
//   - consumer: consumer.username, else consumer.custom_id, else
//     consumer.id (a blank one skipped); no consumer object is anonymous.
//     The X-Consumer-* request headers are never read: Kong sets them only
//     when it also logs the consumer object, and on a route without an
//     authentication plugin they are whatever the client sent, so reading
//     them would let a client spend calls in a member's name.
//
// Numbers may be numeric strings ("434"), as older Kong versions sent them.
// A member of the wrong type (request not an object, a username that is
// not a string) refuses the record with a message naming it.

// KongFields are the slots, in a Paths, of the members a Kong object's
// usage is read from.
type KongFields struct {
	startedAt, request, response, latencies, route, service              int
	uri, url, status, size, latRequest, latProxy, routeName, serviceName int
	consumer                                                             consumerFields
}

// consumerFields are the slots of a consumer: a name, or a Kong consumer
// object.
type consumerFields struct{ value, username, customID, id int }

// AddKong registers in p the members the Kong mapping reads.
func AddKong(p *Paths) KongFields {
	return KongFields{
		startedAt: p.Add("started_at"), request: p.Add("request"), response: p.Add("response"),
		latencies: p.Add("latencies"), route: p.Add("route"), service: p.Add("service"),
		uri: p.Add("request.uri"), url: p.Add("request.url"),
		status: p.Add("response.status"), size: p.Add("response.size"),
		latRequest: p.Add("latencies.request"), latProxy: p.Add("latencies.proxy"),
		routeName: p.Add("route.name"), serviceName: p.Add("service.name"),
		consumer: consumerFields{value: p.Add("consumer"), username: p.Add("consumer.username"),
			customID: p.Add("consumer.custom_id"), id: p.Add("consumer.id")},
	}
}

// isKong reports whether a scanned object is a Kong log object: one with a
// request, response, latencies or started_at member.
func (k KongFields) isKong(vals []Value) bool {
	return vals[k.request].kind != 0 || vals[k.response].kind != 0 || vals[k.latencies].kind != 0 || vals[k.startedAt].kind != 0
}

// KongUsage is what one Kong object says about its call. The endpoint and
// the consumer are left as scanned: each caller normalises the path and
// turns the name into a consumer key with its own caches.
type KongUsage struct {
	Time      time.Time
	Consumer  Value   // a string, or the zero Value (anonymous)
	Path      Value   // request.uri or request.url, to normalise; zero when Route names the endpoint
	Route     Value   // route.name or service.name, free text, when there is no Path
	Status    int     // 100..599
	Bytes     int64   // >= 0
	LatencyMS float64 // -1: not measured
}

// Usage reads a Kong object scanned with the Paths k was added to; the
// string says why it cannot, or is "".
func (k KongFields) Usage(vals []Value) (KongUsage, string) {
	u := KongUsage{LatencyMS: -1}
	for _, o := range [...]struct {
		name string
		slot int
	}{{"request", k.request}, {"response", k.response}, {"latencies", k.latencies}, {"route", k.route}, {"service", k.service}} {
		if v := vals[o.slot]; v.present() && v.kind != 'o' {
			return u, fmt.Sprintf("%s must be an object, got %s", o.name, v.kindName())
		}
	}
	var why string
	if u.Time, why = kongTime(vals[k.startedAt]); why != "" {
		return u, why
	}
	if u.Consumer, why = k.consumer.name(vals); why != "" {
		return u, why
	}
	if u.Path, u.Route, why = k.endpoint(vals); why != "" {
		return u, why
	}
	if !vals[k.status].present() {
		return u, "missing response.status"
	}
	n := number(vals[k.status], true)
	if u.Status, why = n.status("response.status"); why != "" {
		return u, why
	}
	n = number(vals[k.size], true)
	if u.Bytes, why = n.size("response.size"); why != "" {
		return u, why
	}
	u.LatencyMS, why = k.latency(vals)
	return u, why
}

// kongTime reads started_at.
func kongTime(v Value) (time.Time, string) {
	if !v.present() {
		return time.Time{}, "missing started_at"
	}
	n := number(v, false)
	if v.kind != 'n' {
		return time.Time{}, fmt.Sprintf("started_at must be a number (epoch milliseconds), got %s", n.describe())
	}
	return epochMS("started_at", &n)
}

// endpoint returns the first non-blank of request.uri and request.url (a
// path), or of route.name and service.name (a name).
func (k KongFields) endpoint(vals []Value) (path, name Value, why string) {
	for _, e := range [...]struct {
		name string
		slot int
		path bool
	}{{"request.uri", k.uri, true}, {"request.url", k.url, true}, {"route.name", k.routeName, false}, {"service.name", k.serviceName, false}} {
		v := vals[e.slot]
		switch {
		case !v.present():
		case v.kind != 's':
			return Value{}, Value{}, fmt.Sprintf("%s must be a string, got %s", e.name, v.kindName())
		case v.blank():
		case e.path:
			return v, Value{}, ""
		default:
			return Value{}, v, ""
		}
	}
	return Value{}, Value{}, "missing request.uri (and request.url, route.name, service.name)"
}

// latency reads latencies.request, else latencies.proxy.
func (k KongFields) latency(vals []Value) (float64, string) {
	for _, l := range [...]struct {
		name string
		slot int
	}{{"latencies.request", k.latRequest}, {"latencies.proxy", k.latProxy}} {
		n := number(vals[l.slot], true)
		ms, why := n.latency(l.name, true)
		if why != "" || ms >= 0 {
			return ms, why
		}
	}
	return -1, ""
}

// name returns the consumer's name: a string, or the first non-blank of a
// Kong consumer object's username, custom_id and id; the zero Value when
// there is none.
func (c consumerFields) name(vals []Value) (Value, string) {
	switch v := vals[c.value]; v.kind {
	case 0, 'z':
		return Value{}, ""
	case 's':
		return v, ""
	case 'o':
	default:
		return Value{}, "consumer must be a string or a Kong consumer object, got " + v.kindName()
	}
	var name Value
	for _, f := range [...]struct {
		name string
		slot int
	}{{"consumer.username", c.username}, {"consumer.custom_id", c.customID}, {"consumer.id", c.id}} {
		switch v := vals[f.slot]; {
		case !v.present():
		case v.kind != 's':
			return Value{}, fmt.Sprintf("%s must be a string, got %s", f.name, v.kindName())
		case !v.blank() && name.kind == 0:
			name = v
		}
	}
	return name, ""
}

// RouteName is the route or service name that names the endpoint when
// there is no path: valid UTF-8, trimmed. The caller redacts it.
func (u KongUsage) RouteName() string { return strings.TrimSpace(u.Route.str()) }

package accesslog

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ecopulse/ecopulse/collectors/endpoint"
	"github.com/ecopulse/ecopulse/collectors/push"
	"github.com/ecopulse/ecopulse/domain"
)

// Limits on what one record stores.
const (
	maxEndpointLen = endpoint.MaxLen // bytes of a normalised endpoint
	maxConsumerLen = 200             // bytes of a consumer key (domain.UsageRecord.Validate's limit)
	maxCacheKeys   = 1 << 16
)

type prefixRule struct{ prefix, consumer string }

// fields is what a format parser extracts from one line, before the common
// steps (endpoint normalisation, consumer resolution) turn it into a record.
type fields struct {
	unix      int64 // seconds
	nsec      int64
	target    []byte  // request target as logged (path, maybe query, maybe absolute URL)
	status    int     //
	bytes     int64   //
	latencyMS float64 // < 0: not reported
	clientIP  []byte
	consumer  []byte // the configured field or header, when the format has it
	endpoint  string // a ready endpoint (a Kong route name), used instead of target
}

// parser turns lines of one configured format into usage records. It keeps
// small caches (normalised endpoints, hashed addresses), so it is not safe
// for concurrent use.
type parser struct {
	cfg      Config
	hashKey  []byte
	prefixes []prefixRule
	parse    func(p *parser, line []byte, f *fields) error

	latencyMul float64 // milliseconds per unit of the request-time field

	// combined
	userConsumer bool // consumer is $remote_user

	// log_format
	lf        []lfToken
	lfHas     [varCount]bool
	lfConsVar int // token index of the consumer variable, -1: none

	// json and kong
	jpaths push.Paths
	jvals  []push.Value
	jmap   jsonMap
	kong   push.KongFields

	endpoints map[string]string
	consumers map[string]string

	// secret: the consumer value is a credential (config.go
	// carriesSecret), stored as endpoint.SecretKey and named by
	// endpoint.SecretName; names maps the keys of this parser's cache to
	// their names, for the batch that creates them.
	secret bool
	names  map[string]string
	// rejectedSecret is the consumer value of the last rejected line,
	// as far as the parser got: masked in the quarantined text.
	rejectedSecret []byte

	fields fields // the line being parsed (parseRecord)

	lastTS   [40]byte
	lastTSN  int
	lastUnix int64
}

func (p *parser) resetCaches() {
	p.endpoints = make(map[string]string, 1024)
	p.consumers = make(map[string]string, 1024)
	if p.secret {
		p.names = make(map[string]string, 1024)
	}
}

// reason is a parse failure: why a line was rejected.
type reason string

func (r reason) Error() string { return string(r) }

func reasonf(format string, args ...any) error { return reason(fmt.Sprintf(format, args...)) }

// quote shows a bit of a line in a reason.
func quote(b []byte) string {
	const max = 40
	if len(b) > max {
		return fmt.Sprintf("%q…", b[:max])
	}
	return fmt.Sprintf("%q", b)
}

// parseRecord parses one line (without its newline) into rec. A non-nil
// error is the reason the line is rejected; rec then is not valid.
func (p *parser) parseRecord(line []byte, rec *domain.UsageRecord) error {
	// The parser's own fields, reset: a fields of its own per line went to
	// the heap (p.parse is a func value), an allocation a line.
	f := &p.fields
	*f = fields{latencyMS: -1}
	if err := p.parse(p, line, f); err != nil {
		if p.secret {
			p.rejectedSecret = p.partialConsumer(f)
		}
		return err
	}
	if f.status < 100 || f.status > 599 {
		return reasonf("status %d is not an HTTP status", f.status)
	}
	if f.bytes < 0 {
		return reasonf("size %d is negative", f.bytes)
	}
	if f.latencyMS != f.latencyMS || f.latencyMS > 1e12 {
		return reasonf("request time is not a usable number")
	}
	if f.unix < -62135596800 || f.unix > 253402300799 { // years 1 to 9999
		return reasonf("time is out of range")
	}
	ep := f.endpoint
	if ep == "" {
		var err error
		if ep, err = p.endpoint(f.target); err != nil {
			return err
		}
	}
	*rec = domain.UsageRecord{
		Time:      time.Unix(f.unix, f.nsec).UTC(),
		Consumer:  p.consumer(f),
		Endpoint:  ep,
		Status:    f.status,
		Bytes:     f.bytes,
		LatencyMS: f.latencyMS,
	}
	if err := rec.Validate(); err != nil {
		return reason(domain.ErrorMessage(err))
	}
	return nil
}

// endpoint normalises a request target: the scheme and host of an absolute
// URL, the query string and fragment go; ids become ":id"; the length is capped.
func (p *parser) endpoint(target []byte) (string, error) {
	if len(target) == 0 {
		return "", reason("request has no path")
	}
	if target[0] != '/' {
		if rest, ok := stripScheme(target); ok {
			target = rest
		}
	}
	if i := bytes.IndexAny(target, "?#"); i >= 0 {
		target = target[:i]
	}
	if len(target) == 0 {
		target = []byte("/")
	}
	if s, ok := p.endpoints[string(target)]; ok {
		return s, nil
	}
	s := endpoint.Normalize(string(target))
	if len(p.endpoints) >= maxCacheKeys {
		clear(p.endpoints)
	}
	p.endpoints[string(target)] = s
	return s, nil
}

// stripScheme turns "http://host/path" into "/path".
func stripScheme(t []byte) ([]byte, bool) {
	i := bytes.Index(t, []byte("://"))
	if i <= 0 || i > 10 {
		return t, false
	}
	for _, c := range t[:i] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return t, false
		}
	}
	rest := t[i+3:]
	j := bytes.IndexAny(rest, "/?#")
	if j < 0 {
		return []byte("/"), true
	}
	if rest[j] != '/' {
		return append([]byte("/"), rest[j:]...), true
	}
	return rest[j:], true
}

// consumer resolves a record's consumer key ("" = anonymous).
func (p *parser) consumer(f *fields) string {
	switch p.cfg.Consumer.From {
	case ConsumerIP:
		if len(f.clientIP) == 0 || isDash(f.clientIP) {
			return ""
		}
		if s, ok := p.consumers[string(f.clientIP)]; ok {
			return s
		}
		s := HashIP(p.hashKey, string(f.clientIP))
		if len(p.consumers) >= maxCacheKeys {
			clear(p.consumers)
		}
		p.consumers[string(f.clientIP)] = s
		return s
	case ConsumerPathPrefix:
		t := f.target
		if len(t) > 0 && t[0] != '/' {
			t, _ = stripScheme(t)
		}
		for _, r := range p.prefixes {
			if bytes.HasPrefix(t, []byte(r.prefix)) {
				return r.consumer
			}
		}
		return ""
	case ConsumerNone:
		return ""
	}
	v := bytes.TrimSpace(f.consumer)
	if len(v) == 0 || isDash(v) {
		return ""
	}
	if s, ok := p.consumers[string(v)]; ok {
		return s
	}
	if p.secret {
		// Never the value itself, nor anything derived from it but its
		// keyed hash and the few characters that name it. An address where
		// the key should be names nobody, as anywhere else.
		s := ""
		if !endpoint.IsAddress(string(v)) {
			s = endpoint.SecretKey(p.hashKey, string(v))
		}
		if len(p.consumers) >= maxCacheKeys {
			clear(p.consumers)
			clear(p.names)
		}
		p.consumers[string(v)] = s
		if s != "" {
			p.names[s] = endpoint.SecretName(cleanKey(v))
		}
		return s
	}
	// An address as a consumer name is anonymous; one inside a name (or an
	// e-mail address) becomes a keyed token, as in push ingest.
	s := endpoint.Consumer(cleanKey(v), p.hashKey)
	if len(p.consumers) >= maxCacheKeys {
		clear(p.consumers)
	}
	p.consumers[string(v)] = s
	return s
}

// cleanKey makes a consumer key storable: valid UTF-8, at most 200 bytes.
func cleanKey(v []byte) string {
	s := string(v)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) > maxConsumerLen {
		s = s[:maxConsumerLen]
		for len(s) > 0 && !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}

// HashIP returns the consumer key of a client address: "ip:" and the first
// 16 hex digits of HMAC-SHA256(key, ip). The raw address is never stored.
//
// The address is hashed in its canonical form (netip's: IPv4-mapped IPv6
// as IPv4, IPv6 compressed and lower-case), so that the same client gives
// the same consumer however the log wrote it, and an address a manager
// types (ecopulse consumer map --address) finds it.
func HashIP(key []byte, ip string) string {
	if a, err := netip.ParseAddr(ip); err == nil {
		ip = a.Unmap().WithZone("").String()
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(ip))
	var sum [sha256.Size]byte
	return "ip:" + hex.EncodeToString(m.Sum(sum[:0])[:8])
}

func isDash(b []byte) bool { return len(b) == 1 && b[0] == '-' }

// --- numbers and times ---

// parseUint parses a non-negative decimal integer.
func parseUint(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// parseDecimal parses a non-negative decimal number ("0.123", "42").
func parseDecimal(b []byte) (float64, bool) {
	if len(b) == 0 || len(b) > 30 {
		return 0, false
	}
	var ip, fp int64
	var scale float64 = 1
	seenDot, digits := false, 0
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			digits++
			if seenDot {
				if scale < 1e15 {
					fp = fp*10 + int64(c-'0')
					scale *= 10
				}
			} else {
				if ip > 1e15 {
					return 0, false
				}
				ip = ip*10 + int64(c-'0')
			}
		case c == '.' && !seenDot:
			seenDot = true
		default:
			return 0, false
		}
	}
	if digits == 0 {
		return 0, false
	}
	return float64(ip) + float64(fp)/scale, true
}

// parseStatus parses a three-digit HTTP status.
func parseStatus(b []byte) (int, error) {
	n, ok := parseUint(b)
	if !ok || len(b) != 3 {
		return 0, reasonf("status %s is not a number", quote(b))
	}
	return int(n), nil
}

// parseSize parses a byte count; "-" is 0.
func parseSize(b []byte) (int64, error) {
	if len(b) == 0 || isDash(b) {
		return 0, nil
	}
	n, ok := parseUint(b)
	if !ok {
		return 0, reasonf("size %s is not a number", quote(b))
	}
	return n, nil
}

// parseLatency parses a request time in the configured unit; "-" is unknown.
// nginx logs "0.012, 0.034" (or ":") when several upstreams were tried: the
// times add up.
func (p *parser) parseLatency(b []byte) (float64, error) {
	if len(b) == 0 || isDash(b) {
		return -1, nil
	}
	if v, ok := parseDecimal(b); ok {
		return v * p.latencyMul, nil
	}
	var sum float64
	for _, part := range bytes.FieldsFunc(b, func(r rune) bool { return r == ',' || r == ':' || r == ' ' }) {
		if isDash(part) {
			continue
		}
		v, ok := parseDecimal(part)
		if !ok {
			return 0, reasonf("request time %s is not a number", quote(b))
		}
		sum += v
	}
	return sum * p.latencyMul, nil
}

func unitMul(unit string) float64 {
	switch unit {
	case "ms":
		return 1
	case "us":
		return 0.001
	}
	return 1000
}

var monthIndex = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// daysFromCivil returns days since 1970-01-01 of a proleptic Gregorian date.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

var daysIn = [13]int64{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

func num(b []byte) (int64, bool) {
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, len(b) > 0
}

func unixOf(y, mo, d, h, mi, s, offSec int64) (int64, bool) {
	if mo < 1 || mo > 12 || d < 1 || d > daysIn[mo] || h > 23 || mi > 59 || s > 60 || y < 1 || y > 9999 {
		return 0, false
	}
	return daysFromCivil(y, mo, d)*86400 + h*3600 + mi*60 + s - offSec, true
}

// clfTime parses nginx $time_local / Apache %t: "17/May/2015:10:05:03 +0000".
// The previous answer is cached: log lines mostly share their second.
func (p *parser) clfTime(b []byte) (int64, error) {
	if p.lastTSN == len(b) && bytes.Equal(p.lastTS[:p.lastTSN], b) {
		return p.lastUnix, nil
	}
	bad := func() (int64, error) {
		return 0, reasonf("time %s is not dd/Mon/yyyy:hh:mm:ss ±hhmm", quote(b))
	}
	if len(b) != 26 || b[2] != '/' || b[6] != '/' || b[11] != ':' || b[14] != ':' || b[17] != ':' || b[20] != ' ' {
		return bad()
	}
	d, ok1 := num(b[0:2])
	y, ok2 := num(b[7:11])
	h, ok3 := num(b[12:14])
	mi, ok4 := num(b[15:17])
	s, ok5 := num(b[18:20])
	if !(ok1 && ok2 && ok3 && ok4 && ok5) {
		return bad()
	}
	var mo int64
	for i, name := range monthIndex {
		if string(b[3:6]) == name {
			mo = int64(i + 1)
			break
		}
	}
	off, ok := zoneOffset(b[21:26])
	if !ok {
		return bad()
	}
	u, ok := unixOf(y, mo, d, h, mi, s, off)
	if !ok {
		return bad()
	}
	p.lastTSN = copy(p.lastTS[:], b)
	p.lastUnix = u
	return u, nil
}

// zoneOffset parses "+0200" or "+02:00" into seconds east of UTC.
func zoneOffset(b []byte) (int64, bool) {
	if len(b) == 6 && b[3] == ':' {
		b = []byte{b[0], b[1], b[2], b[4], b[5]}
	}
	if len(b) != 5 || (b[0] != '+' && b[0] != '-') {
		return 0, false
	}
	hh, ok1 := num(b[1:3])
	mm, ok2 := num(b[3:5])
	if !ok1 || !ok2 || hh > 23 || mm > 59 {
		return 0, false
	}
	off := hh*3600 + mm*60
	if b[0] == '-' {
		off = -off
	}
	return off, true
}

// isoTime parses RFC 3339 / nginx $time_iso8601: "2015-05-17T10:05:03+00:00",
// with optional fractional seconds and "Z".
func isoTime(b []byte) (int64, int64, error) {
	bad := func() (int64, int64, error) {
		return 0, 0, reasonf("time %s is not RFC 3339", quote(b))
	}
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != 't' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return bad()
	}
	y, ok1 := num(b[0:4])
	mo, ok2 := num(b[5:7])
	d, ok3 := num(b[8:10])
	h, ok4 := num(b[11:13])
	mi, ok5 := num(b[14:16])
	s, ok6 := num(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return bad()
	}
	rest := b[19:]
	var nsec int64
	if rest[0] == '.' {
		i := 1
		scale := int64(100000000)
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			nsec += int64(rest[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == 1 {
			return bad()
		}
		rest = rest[i:]
	}
	var off int64
	switch {
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
	default:
		o, ok := zoneOffset(rest)
		if !ok {
			return bad()
		}
		off = o
	}
	u, ok := unixOf(y, mo, d, h, mi, s, off)
	if !ok {
		return bad()
	}
	return u, nsec, nil
}

// epochTime turns an epoch number in seconds or milliseconds into seconds
// and nanoseconds.
func epochTime(v float64, unit string) (int64, int64, error) {
	if unit == "ms" {
		v /= 1000
	}
	if v != v || v < 0 || v > 253402300799 {
		return 0, 0, reasonf("epoch time %v is out of range", v)
	}
	sec := int64(v)
	nsec := int64((v - float64(sec)) * 1e9)
	return sec, nsec, nil
}

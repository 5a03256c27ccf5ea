package accesslog

import (
	"bytes"
	"strings"
)

// The log_format variables the parser understands; others are opaque.
const (
	varOpaque = iota
	varRemoteAddr
	varRemoteUser
	varTimeLocal
	varTimeISO
	varMsec
	varRequest
	varMethod
	varRequestURI
	varURI
	varStatus
	varBodyBytes
	varBytesSent
	varRequestTime
	varUpstreamTime
	varHeader
	varConsumer
	varCount
)

var varKinds = map[string]int{
	"remote_addr":            varRemoteAddr,
	"remote_user":            varRemoteUser,
	"time_local":             varTimeLocal,
	"time_iso8601":           varTimeISO,
	"msec":                   varMsec,
	"request":                varRequest,
	"request_method":         varMethod,
	"request_uri":            varRequestURI,
	"uri":                    varURI,
	"status":                 varStatus,
	"body_bytes_sent":        varBodyBytes,
	"bytes_sent":             varBytesSent,
	"request_time":           varRequestTime,
	"upstream_response_time": varUpstreamTime,
	"consumer":               varConsumer,
}

// lfToken is a literal or a variable of a compiled log_format.
type lfToken struct {
	lit  []byte // literal text, when name == ""
	name string // variable name without "$"
	kind int
}

// headerVar turns a header name into its nginx variable suffix:
// "X-Api-Key" → "x_api_key".
func headerVar(h string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(h)), "-", "_")
}

// compileLogFormat splits an nginx log_format string into literals and
// variables ($name or ${name}).
func compileLogFormat(s string) ([]lfToken, error) {
	var toks []lfToken
	var lit []byte
	flush := func() {
		if len(lit) > 0 {
			toks = append(toks, lfToken{lit: lit})
			lit = nil
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c != '$' {
			lit = append(lit, c)
			i++
			continue
		}
		j := i + 1
		braced := j < len(s) && s[j] == '{'
		if braced {
			j++
		}
		k := j
		for k < len(s) && (s[k] == '_' || s[k] >= 'a' && s[k] <= 'z' || s[k] >= 'A' && s[k] <= 'Z' || s[k] >= '0' && s[k] <= '9') {
			k++
		}
		if k == j {
			return nil, invalid("log_format: a $ at byte %d names no variable", i)
		}
		name := strings.ToLower(s[j:k])
		if braced {
			if k >= len(s) || s[k] != '}' {
				return nil, invalid("log_format: ${%s is not closed", name)
			}
			k++
		}
		flush()
		if n := len(toks); n > 0 && toks[n-1].name != "" {
			return nil, invalid("log_format: $%s and $%s need text between them to be told apart", toks[n-1].name, name)
		}
		kind := varKinds[name]
		if kind == varOpaque && strings.HasPrefix(name, "http_") && len(name) > 5 {
			kind = varHeader
		}
		toks = append(toks, lfToken{name: name, kind: kind})
		i = k
	}
	flush()
	return toks, nil
}

func (p *parser) initLogFormat() error {
	if strings.TrimSpace(p.cfg.LogFormat) == "" {
		return invalid("format log_format needs log_format, the nginx log_format string")
	}
	toks, err := compileLogFormat(p.cfg.LogFormat)
	if err != nil {
		return err
	}
	p.lf = toks
	p.parse = (*parser).parseLogFormat
	p.latencyMul = unitMul(p.cfg.LatencyUnit)
	p.lfConsVar = -1
	find := func(name string) int {
		for i, t := range toks {
			if t.name == name {
				return i
			}
		}
		return -1
	}
	for _, t := range toks {
		if t.name != "" {
			p.lfHas[t.kind] = true
		}
	}
	switch {
	case !p.lfHas[varTimeLocal] && !p.lfHas[varTimeISO] && !p.lfHas[varMsec]:
		return invalid("log_format needs a time: $time_local, $time_iso8601 or $msec")
	case !p.lfHas[varRequest] && !p.lfHas[varRequestURI] && !p.lfHas[varURI]:
		return invalid("log_format needs the path: $request, $request_uri or $uri")
	case !p.lfHas[varStatus]:
		return invalid("log_format needs $status")
	}
	switch p.cfg.Consumer.From {
	case "":
		p.lfConsVar = find("consumer")
	case ConsumerField:
		name := strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(p.cfg.Consumer.Name, "$"), "{"))
		name = strings.TrimSuffix(name, "}")
		if p.lfConsVar = find(name); p.lfConsVar < 0 {
			return invalid("consumer field $%s is not in the log_format", name)
		}
	case ConsumerHeader:
		name := "http_" + headerVar(p.cfg.Consumer.Name)
		if p.lfConsVar = find(name); p.lfConsVar < 0 {
			return invalid("consumer header %s needs $%s in the log_format", p.cfg.Consumer.Name, name)
		}
	case ConsumerIP:
		if !p.lfHas[varRemoteAddr] {
			return invalid("consumer.from ip needs $remote_addr in the log_format")
		}
	}
	return nil
}

// parseLogFormat matches a line against the compiled log_format: each
// variable runs up to the literal that follows it (the end of the line for
// the last one); inside quotes, escaped quotes do not end it.
func (p *parser) parseLogFormat(line []byte, f *fields) error {
	pos := 0
	var raw lfValues
	for i, t := range p.lf {
		if t.name == "" {
			if !bytes.HasPrefix(line[pos:], t.lit) {
				return reasonf("expected %s at byte %d", quote(t.lit), pos)
			}
			pos += len(t.lit)
			continue
		}
		end, err := p.lfValueEnd(line, pos, i)
		if err != nil {
			return err
		}
		v := line[pos:end]
		pos = end
		if i == p.lfConsVar {
			f.consumer = v
		}
		if err := p.lfTake(t.kind, v, f, &raw); err != nil {
			return err
		}
	}
	if pos != len(line) {
		return reasonf("unexpected text after the format at byte %d", pos)
	}
	return p.lfFinish(&raw, f)
}

// lfValues are the values of a line that are read once the whole line has
// matched, because another variable may stand in for them.
type lfValues struct {
	req, reqURI, uri     []byte
	bodyBytes, bytesSent []byte
	reqTime, upTime      []byte
	haveTime             bool // the first time variable of the format was read
}

// lfValueEnd returns where the value of the variable p.lf[i], starting at
// pos, ends: the end of the line for the last token, else the literal that
// follows it.
func (p *parser) lfValueEnd(line []byte, pos, i int) (int, error) {
	switch {
	case i+1 == len(p.lf):
		return len(line), nil
	case i+2 == len(p.lf): // the literal after this variable ends the format
		next := p.lf[i+1].lit
		if !bytes.HasSuffix(line[pos:], next) {
			return 0, reasonf("line does not end with %s", quote(next))
		}
		return len(line) - len(next), nil
	default:
		next := p.lf[i+1].lit
		inQuotes := i > 0 && bytes.HasSuffix(p.lf[i-1].lit, []byte{'"'}) && next[0] == '"'
		end := findLiteral(line, pos, next, inQuotes)
		if end < 0 {
			return 0, reasonf("no %s after $%s", quote(next), p.lf[i].name)
		}
		return end, nil
	}
}

// lfTake reads the value v of a variable of the given kind into f, or keeps
// it in raw for lfFinish. The first time variable of the format wins.
func (p *parser) lfTake(kind int, v []byte, f *fields, raw *lfValues) error {
	switch kind {
	case varRemoteAddr:
		f.clientIP = v
	case varTimeLocal, varTimeISO, varMsec:
		if !raw.haveTime {
			if err := p.lfTime(kind, v, f); err != nil {
				return err
			}
			raw.haveTime = true
		}
	case varRequest:
		raw.req = v
	case varRequestURI:
		raw.reqURI = v
	case varURI:
		raw.uri = v
	case varStatus:
		s, err := parseStatus(v)
		if err != nil {
			return err
		}
		f.status = s
	case varBodyBytes:
		raw.bodyBytes = v
	case varBytesSent:
		raw.bytesSent = v
	case varRequestTime:
		raw.reqTime = v
	case varUpstreamTime:
		raw.upTime = v
	}
	return nil
}

// lfTime reads the time v of a time variable of the given kind into f.
func (p *parser) lfTime(kind int, v []byte, f *fields) error {
	switch kind {
	case varTimeLocal:
		u, err := p.clfTime(v)
		if err != nil {
			return err
		}
		f.unix = u
	case varTimeISO:
		u, ns, err := isoTime(v)
		if err != nil {
			return err
		}
		f.unix, f.nsec = u, ns
	case varMsec:
		x, ok := parseDecimal(v)
		if !ok {
			return reasonf("msec %s is not a number", quote(v))
		}
		u, ns, err := epochTime(x, "s")
		if err != nil {
			return err
		}
		f.unix, f.nsec = u, ns
	}
	return nil
}

// lfFinish reads the values that have stand-ins: the target from
// $request_uri, $uri or else $request; the size from $body_bytes_sent or
// else $bytes_sent; the latency from $request_time or else
// $upstream_response_time.
func (p *parser) lfFinish(raw *lfValues, f *fields) error {
	var err error
	switch {
	case len(raw.reqURI) > 0 && !isDash(raw.reqURI):
		f.target = raw.reqURI
	case len(raw.uri) > 0 && !isDash(raw.uri):
		f.target = raw.uri
	default:
		if f.target, err = requestTarget(raw.req); err != nil {
			return err
		}
	}
	size := raw.bodyBytes
	if size == nil {
		size = raw.bytesSent
	}
	if f.bytes, err = parseSize(size); err != nil {
		return err
	}
	lat := raw.reqTime
	if len(lat) == 0 || isDash(lat) {
		lat = raw.upTime
	}
	if f.latencyMS, err = p.parseLatency(lat); err != nil {
		return err
	}
	return nil
}

// findLiteral finds lit in line from pos; inside a quoted field, a quote
// preceded by a backslash does not count.
func findLiteral(line []byte, pos int, lit []byte, inQuotes bool) int {
	if !inQuotes {
		i := bytes.Index(line[pos:], lit)
		if i < 0 {
			return -1
		}
		return pos + i
	}
	for i := pos; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '"':
			if bytes.HasPrefix(line[i:], lit) {
				return i
			}
		}
	}
	return -1
}

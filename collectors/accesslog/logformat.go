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
	var req, method, reqURI, uri, bodyBytes, bytesSent, reqTime, upTime []byte
	var haveTime bool
	for i, t := range p.lf {
		if t.name == "" {
			if !bytes.HasPrefix(line[pos:], t.lit) {
				return reasonf("expected %s at byte %d", quote(t.lit), pos)
			}
			pos += len(t.lit)
			continue
		}
		var end int
		switch {
		case i+1 == len(p.lf):
			end = len(line)
		case i+2 == len(p.lf): // the literal after this variable ends the format
			next := p.lf[i+1].lit
			if !bytes.HasSuffix(line[pos:], next) {
				return reasonf("line does not end with %s", quote(next))
			}
			end = len(line) - len(next)
		default:
			next := p.lf[i+1].lit
			inQuotes := i > 0 && bytes.HasSuffix(p.lf[i-1].lit, []byte{'"'}) && next[0] == '"'
			end = findLiteral(line, pos, next, inQuotes)
			if end < 0 {
				return reasonf("no %s after $%s", quote(next), t.name)
			}
		}
		v := line[pos:end]
		pos = end
		if i == p.lfConsVar {
			f.consumer = v
		}
		switch t.kind {
		case varRemoteAddr:
			f.clientIP = v
		case varTimeLocal:
			if !haveTime {
				u, err := p.clfTime(v)
				if err != nil {
					return err
				}
				f.unix, haveTime = u, true
			}
		case varTimeISO:
			if !haveTime {
				u, ns, err := isoTime(v)
				if err != nil {
					return err
				}
				f.unix, f.nsec, haveTime = u, ns, true
			}
		case varMsec:
			if !haveTime {
				x, ok := parseDecimal(v)
				if !ok {
					return reasonf("msec %s is not a number", quote(v))
				}
				u, ns, err := epochTime(x, "s")
				if err != nil {
					return err
				}
				f.unix, f.nsec, haveTime = u, ns, true
			}
		case varRequest:
			req = v
		case varMethod:
			method = v
		case varRequestURI:
			reqURI = v
		case varURI:
			uri = v
		case varStatus:
			s, err := parseStatus(v)
			if err != nil {
				return err
			}
			f.status = s
		case varBodyBytes:
			bodyBytes = v
		case varBytesSent:
			bytesSent = v
		case varRequestTime:
			reqTime = v
		case varUpstreamTime:
			upTime = v
		}
	}
	if pos != len(line) {
		return reasonf("unexpected text after the format at byte %d", pos)
	}
	_ = method
	var err error
	switch {
	case len(reqURI) > 0 && !isDash(reqURI):
		f.target = reqURI
	case len(uri) > 0 && !isDash(uri):
		f.target = uri
	default:
		if f.target, err = requestTarget(req); err != nil {
			return err
		}
	}
	size := bodyBytes
	if size == nil {
		size = bytesSent
	}
	if f.bytes, err = parseSize(size); err != nil {
		return err
	}
	lat := reqTime
	if len(lat) == 0 || isDash(lat) {
		lat = upTime
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

package accesslog

import (
	"bytes"
	"strings"
)

// initCombined sets up the nginx/Apache combined parser:
//
//	addr ident user [dd/Mon/yyyy:hh:mm:ss ±hhmm] "METHOD TARGET PROTO" status size "referer" "user-agent" [request-time]
//
// The referer and user agent are optional (common log format), extra quoted
// fields (nginx's "$http_x_forwarded_for") are skipped, and the first bare
// field after them is the request time in LatencyUnit.
func (p *parser) initCombined() error {
	p.parse = (*parser).parseCombined
	p.latencyMul = unitMul(p.cfg.LatencyUnit)
	switch p.cfg.Consumer.From {
	case ConsumerHeader:
		return invalid("format combined logs no request headers: use format log_format with $http_%s", headerVar(p.cfg.Consumer.Name))
	case ConsumerField:
		if n := strings.TrimPrefix(p.cfg.Consumer.Name, "$"); n != "remote_user" {
			return invalid("format combined has one consumer field, remote_user, not %q", p.cfg.Consumer.Name)
		}
		p.userConsumer = true
	}
	return nil
}

func (p *parser) parseCombined(line []byte, f *fields) error {
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 {
		return reason("not a combined log line: no client address")
	}
	f.clientIP = line[:sp]
	rest := line[sp+1:]
	lb := bytes.IndexByte(rest, '[')
	if lb < 0 {
		return reason("not a combined log line: no [time]")
	}
	if p.userConsumer {
		// "ident user " before the bracket
		id := bytes.TrimSpace(rest[:lb])
		if i := bytes.IndexByte(id, ' '); i >= 0 {
			f.consumer = bytes.TrimSpace(id[i+1:])
		}
	}
	rest = rest[lb+1:]
	rb := bytes.IndexByte(rest, ']')
	if rb < 0 {
		return reason("not a combined log line: [time] is not closed")
	}
	u, err := p.clfTime(rest[:rb])
	if err != nil {
		return err
	}
	f.unix = u
	rest = rest[rb+1:]
	if len(rest) < 2 || rest[0] != ' ' || rest[1] != '"' {
		return reason("not a combined log line: no quoted request after the time")
	}
	req, n := quoted(rest[1:])
	if n < 0 {
		return reason("request is not closed by a quote")
	}
	if f.target, err = requestTarget(req); err != nil {
		return err
	}
	rest = rest[1+n:]
	tok, rest := nextField(rest)
	if f.status, err = parseStatus(tok); err != nil {
		return err
	}
	tok, rest = nextField(rest)
	if f.bytes, err = parseSize(tok); err != nil {
		return err
	}
	// Optional quoted fields (referer, user agent, more), then the request
	// time; a line ending in a quote has no request time.
	if rest = trimSpaces(rest); len(rest) == 0 || rest[len(rest)-1] == '"' {
		return nil
	}
	for {
		rest = trimSpaces(rest)
		if len(rest) == 0 {
			return nil
		}
		if rest[0] == '"' {
			_, n := quoted(rest)
			if n < 0 { // a cut-off user agent: nothing usable follows
				return nil
			}
			rest = rest[n:]
			continue
		}
		tok, _ = nextField(rest)
		f.latencyMS, err = p.parseLatency(tok)
		return err
	}
}

// quoted reads a quoted field starting at b[0] == '"', honouring backslash
// escapes (Apache writes \" inside fields). It returns the content and the
// index just after the closing quote, or -1 if the quote is not closed.
func quoted(b []byte) ([]byte, int) {
	j := bytes.IndexByte(b[1:], '"')
	if j < 0 {
		return nil, -1
	}
	if bytes.IndexByte(b[1:1+j], '\\') < 0 { // no escapes: the first quote ends it
		return b[1 : 1+j], j + 2
	}
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return b[1:i], i + 1
		}
	}
	return nil, -1
}

// nextField returns the next space-separated field and what follows it.
func nextField(b []byte) ([]byte, []byte) {
	b = trimSpaces(b)
	i := bytes.IndexByte(b, ' ')
	if i < 0 {
		return b, nil
	}
	return b[:i], b[i:]
}

func trimSpaces(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// requestTarget returns the target of a request line "METHOD TARGET PROTO".
// Any method is accepted; an empty request ("-", nginx's answer to a
// connection that sent nothing) or one without a target is not.
func requestTarget(req []byte) ([]byte, error) {
	if len(req) == 0 || isDash(req) {
		return nil, reason("request is empty")
	}
	sp := bytes.IndexByte(req, ' ')
	if sp <= 0 {
		return nil, reasonf("request %s is not METHOD PATH", quote(req))
	}
	for _, c := range req[:sp] {
		if c <= ' ' || c >= 0x7f || c == '\\' {
			return nil, reasonf("request %s has no valid method", quote(req))
		}
	}
	t := trimSpaces(req[sp+1:])
	if i := bytes.IndexByte(t, ' '); i >= 0 {
		t = t[:i]
	}
	if len(t) == 0 {
		return nil, reasonf("request %s has no path", quote(req))
	}
	return t, nil
}

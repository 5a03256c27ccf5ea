package push

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// A small strict JSON scanner (RFC 8259) over a byte slice: the one JSON
// reader of push ingest and of the access-log formats kong and json
// (through Paths). Unlike encoding/json it reads only what a record needs
// and skips the rest without allocating (BENCHMARKS.md), while still
// rejecting any text that is not JSON, with encoding/json's messages.

// maxDepth bounds the nesting of skipped values.
const maxDepth = 512

// Value is a scanned JSON value. For strings raw is the content between the
// quotes, or the quoted text when it holds escapes (esc). For any other
// value it is its text as written: a number's literal, an object or array
// checked and skipped.
type Value struct {
	kind byte // 0 absent, 's' string, 'n' number, 't'/'f' boolean, 'z' null, 'o' object, 'a' array
	esc  bool
	raw  []byte
}

// present reports whether the value was given and is not null.
func (v Value) present() bool { return v.kind != 0 && v.kind != 'z' }

// str returns a string value as Go text (invalid UTF-8 replaced).
func (v Value) str() string {
	if v.esc {
		var s string
		if err := json.Unmarshal(v.raw, &s); err != nil { // checked by the scanner: cannot fail
			return ""
		}
		return s
	}
	if !utf8.Valid(v.raw) {
		return strings.ToValidUTF8(string(v.raw), "\uFFFD")
	}
	return string(v.raw)
}

// blank reports whether a string value is empty or only spaces.
func (v Value) blank() bool {
	if v.esc {
		return strings.TrimSpace(v.str()) == ""
	}
	for _, c := range v.raw {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// kindName names the JSON type of v for messages.
func (v Value) kindName() string {
	switch v.kind {
	case 's':
		return "a string"
	case 'n':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'z':
		return "null"
	case 'o':
		return "an object"
	case 'a':
		return "an array"
	}
	return "nothing"
}

// SyntaxError is text that is not JSON.
type SyntaxError struct {
	off int
	msg string
}

func (e *SyntaxError) Error() string { return e.msg }

// Offset is the byte of the input at which the text stopped being JSON.
func (e *SyntaxError) Offset() int { return e.off }

type scanner struct {
	b     []byte
	i     int
	depth int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) fail(msg string) error { return &SyntaxError{off: s.i, msg: msg} }

func (s *scanner) unexpected(what string) error {
	if s.i >= len(s.b) {
		return s.fail("unexpected end of input")
	}
	return s.fail(fmt.Sprintf("invalid character %s %s", quoteChar(s.b[s.i]), what))
}

func quoteChar(c byte) string {
	switch {
	case c == '\'':
		return `'\''`
	case c == '"':
		return `'"'`
	case c < 0x20 || c >= 0x7f:
		return fmt.Sprintf("'\\x%02x'", c)
	}
	return "'" + string(c) + "'"
}

// value scans the value at s.i (whitespace already skipped).
func (s *scanner) value() (Value, error) {
	if s.i >= len(s.b) {
		return Value{}, s.fail("unexpected end of input")
	}
	switch c := s.b[s.i]; {
	case c == '"':
		return s.str()
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	case c == '{' || c == '[':
		start := s.i
		if err := s.skip(); err != nil {
			return Value{}, err
		}
		if c == '{' {
			return Value{kind: 'o', raw: s.b[start:s.i]}, nil
		}
		return Value{kind: 'a', raw: s.b[start:s.i]}, nil
	case c == 't':
		return Value{kind: 't', raw: s.b[s.i:min(s.i+4, len(s.b))]}, s.literal("true")
	case c == 'f':
		return Value{kind: 'f', raw: s.b[s.i:min(s.i+5, len(s.b))]}, s.literal("false")
	case c == 'n':
		return Value{kind: 'z', raw: s.b[s.i:min(s.i+4, len(s.b))]}, s.literal("null")
	}
	return Value{}, s.unexpected("looking for beginning of value")
}

func (s *scanner) literal(lit string) error {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		for k := 0; k < len(lit); k++ {
			if s.i >= len(s.b) || s.b[s.i] != lit[k] {
				return s.unexpected("in literal " + lit)
			}
			s.i++
		}
	}
	s.i += len(lit)
	return nil
}

func (s *scanner) str() (Value, error) {
	start := s.i
	s.i++ // the opening quote
	esc := false
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			if esc {
				return Value{kind: 's', esc: true, raw: s.b[start:s.i]}, nil
			}
			return Value{kind: 's', raw: s.b[start+1 : s.i-1]}, nil
		case c == '\\':
			esc = true
			s.i++
			if s.i >= len(s.b) {
				return Value{}, s.fail("unexpected end of input")
			}
			switch s.b[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i++
			case 'u':
				s.i++
				for k := 0; k < 4; k++ {
					if s.i >= len(s.b) || !isHex(s.b[s.i]) {
						return Value{}, s.unexpected("in \\u hexadecimal character escape")
					}
					s.i++
				}
			default:
				return Value{}, s.unexpected("in string escape code")
			}
		case c < 0x20:
			return Value{}, s.unexpected("in string literal")
		default:
			s.i++
		}
	}
	return Value{}, s.fail("unexpected end of input")
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func (s *scanner) digits() int {
	n := 0
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
		n++
	}
	return n
}

func (s *scanner) number() (Value, error) {
	start := s.i
	if s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case s.i < len(s.b) && s.b[s.i] >= '1' && s.b[s.i] <= '9':
		s.digits()
	default:
		return Value{}, s.unexpected("in numeric literal")
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if s.digits() == 0 {
			return Value{}, s.unexpected("after decimal point in numeric literal")
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			return Value{}, s.unexpected("in exponent of numeric literal")
		}
	}
	return Value{kind: 'n', raw: s.b[start:s.i]}, nil
}

// skip scans past the object or array at s.i, checking it.
func (s *scanner) skip() error {
	s.depth++
	defer func() { s.depth-- }()
	if s.depth > maxDepth {
		return s.fail(fmt.Sprintf("exceeded max depth of %d", maxDepth))
	}
	if s.b[s.i] == '{' {
		for it := s.object(); ; {
			_, ok, err := it.next()
			if err != nil {
				return err
			}
			if !ok {
				return nil
			}
			if _, err := s.value(); err != nil {
				return err
			}
		}
	}
	s.i++ // '['
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return nil
	}
	for {
		s.ws()
		if _, err := s.value(); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.b) {
			return s.fail("unexpected end of input")
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return s.unexpected("after array element")
		}
	}
}

// objectIter walks the members of an object: next returns each key with
// s.i on its value (whitespace skipped); the caller must scan the value.
type objectIter struct {
	s     *scanner
	first bool
}

// object starts iterating the object at s.i ('{').
func (s *scanner) object() objectIter {
	s.i++
	return objectIter{s: s, first: true}
}

// next returns the next key, or ok false after the closing brace.
func (it *objectIter) next() (key []byte, ok bool, err error) {
	s := it.s
	s.ws()
	if s.i >= len(s.b) {
		return nil, false, s.fail("unexpected end of input")
	}
	if s.b[s.i] == '}' {
		s.i++
		return nil, false, nil
	}
	if !it.first {
		if s.b[s.i] != ',' {
			return nil, false, s.unexpected("after object key:value pair")
		}
		s.i++
		s.ws()
		if s.i >= len(s.b) {
			return nil, false, s.fail("unexpected end of input")
		}
	}
	it.first = false
	if s.b[s.i] != '"' {
		return nil, false, s.unexpected("looking for beginning of object key string")
	}
	k, err := s.str()
	if err != nil {
		return nil, false, err
	}
	key = k.raw
	if k.esc {
		key = []byte(k.str())
	}
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != ':' {
		return nil, false, s.unexpected("after object key")
	}
	s.i++
	s.ws()
	return key, true, nil
}

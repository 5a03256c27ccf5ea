package accesslog

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// A small JSON scanner: it walks one object, descends only into the keys on
// the wanted dot paths and returns the raw bytes of the wanted values,
// skipping everything else without building it. Malformed input yields an
// error, never a panic; nesting is skipped iteratively.

// jnode is a trie of wanted dot paths.
type jnode struct {
	keys     []string
	children []*jnode
	slot     int // index in the value slice, -1 when not wanted itself
}

func newJNode() *jnode { return &jnode{slot: -1} }

// add registers a dot path and returns its slot (existing or new).
func (p *parser) addPath(path string) int {
	if p.jroot == nil {
		p.jroot = newJNode()
	}
	n := p.jroot
	for _, k := range strings.Split(path, ".") {
		var next *jnode
		for i, key := range n.keys {
			if key == k {
				next = n.children[i]
			}
		}
		if next == nil {
			next = newJNode()
			n.keys = append(n.keys, k)
			n.children = append(n.children, next)
		}
		n = next
	}
	if n.slot < 0 {
		n.slot = p.jslots
		p.jslots++
	}
	return n.slot
}

func (n *jnode) child(key []byte) *jnode {
	for i, k := range n.keys {
		if k == string(key) {
			return n.children[i]
		}
	}
	return nil
}

type jsonError struct{ at int }

func (e jsonError) Error() string { return "not valid JSON at byte " + strconv.Itoa(e.at) }

func isWS(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func skipWS(b []byte, i int) int {
	for i < len(b) && isWS(b[i]) {
		i++
	}
	return i
}

// scanJSON fills vals (len p.jslots, reset by the caller) from a JSON object.
func scanJSON(b []byte, root *jnode, vals [][]byte) error {
	i := skipWS(b, 0)
	end, err := walkObject(b, i, root, vals)
	if err != nil {
		return err
	}
	if j := skipWS(b, end); j != len(b) {
		return jsonError{j}
	}
	return nil
}

// walkObject reads the object at b[i] ('{'), recording wanted values.
func walkObject(b []byte, i int, n *jnode, vals [][]byte) (int, error) {
	if i >= len(b) || b[i] != '{' {
		return 0, jsonError{i}
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	var keyBuf []byte
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, jsonError{i}
		}
		ks, ke, err := skipString(b, i)
		if err != nil {
			return 0, err
		}
		key := b[ks+1 : ke-1]
		if containsByte(key, '\\') {
			keyBuf, err = unescapeJSON(keyBuf[:0], key)
			if err != nil {
				return 0, jsonError{ks}
			}
			key = keyBuf
		}
		i = skipWS(b, ke)
		if i >= len(b) || b[i] != ':' {
			return 0, jsonError{i}
		}
		i = skipWS(b, i+1)
		var c *jnode
		if n != nil {
			c = n.child(key)
		}
		var vend int
		switch {
		case c != nil && len(c.keys) > 0 && i < len(b) && b[i] == '{':
			vend, err = walkObject(b, i, c, vals)
			if err == nil && c.slot >= 0 {
				vals[c.slot] = b[i:vend]
			}
		default:
			vend, err = skipValue(b, i)
			if err == nil && c != nil && c.slot >= 0 {
				vals[c.slot] = b[i:vend]
			}
		}
		if err != nil {
			return 0, err
		}
		i = skipWS(b, vend)
		if i >= len(b) {
			return 0, jsonError{i}
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			return i + 1, nil
		default:
			return 0, jsonError{i}
		}
	}
}

func containsByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

// skipString returns the start and the end (after the closing quote) of the
// string at b[i]. Escapes are checked (\x is not one, \u needs four hex
// digits): a bad one is invalid JSON even in a value nobody reads.
func skipString(b []byte, i int) (int, int, error) {
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '\\':
			j++
			if j >= len(b) {
				return 0, 0, jsonError{j}
			}
			switch b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(b) || !isHex(b[j+1]) || !isHex(b[j+2]) || !isHex(b[j+3]) || !isHex(b[j+4]) {
					return 0, 0, jsonError{j}
				}
				j += 4
			default:
				return 0, 0, jsonError{j}
			}
		case c == '"':
			return i, j + 1, nil
		case c < 0x20:
			return 0, 0, jsonError{j}
		}
	}
	return 0, 0, jsonError{len(b)}
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// maxSkipDepth bounds the nesting of a skipped container.
const maxSkipDepth = 1000

// skipValue returns the end of the value at b[i], checking that it is
// valid JSON: a container the parser does not want is walked all the same
// (members, commas, colons, literals, numbers), iteratively, so that a typo
// anywhere in a line rejects it, as the package promises.
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, jsonError{i}
	}
	if c := b[i]; c != '{' && c != '[' {
		return skipScalar(b, i)
	}
	// open holds the containers entered and not yet closed ('{' or '[');
	// a few levels fit without allocating.
	var stackBuf [16]byte
	open := stackBuf[:0]
	j := i
	for {
		// j is at a value.
		if j >= len(b) {
			return 0, jsonError{j}
		}
		switch b[j] {
		case '{', '[':
			if len(open) == maxSkipDepth {
				return 0, jsonError{j}
			}
			open = append(open, b[j])
			j = skipWS(b, j+1)
			if j < len(b) && (b[j] == '}' && open[len(open)-1] == '{' || b[j] == ']' && open[len(open)-1] == '[') {
				open = open[:len(open)-1]
				j++
				break // an empty container is a whole value
			}
			if open[len(open)-1] == '{' {
				var err error
				if j, err = skipMemberName(b, j); err != nil {
					return 0, err
				}
			}
			continue // its first value
		default:
			e, err := skipScalar(b, j)
			if err != nil {
				return 0, err
			}
			j = e
		}
		// After a whole value: a comma and the next value, or the end of
		// the container, perhaps of several.
		for {
			if len(open) == 0 {
				return j, nil
			}
			j = skipWS(b, j)
			if j >= len(b) {
				return 0, jsonError{j}
			}
			top := open[len(open)-1]
			if b[j] == ',' {
				j = skipWS(b, j+1)
				if top == '{' {
					var err error
					if j, err = skipMemberName(b, j); err != nil {
						return 0, err
					}
				}
				break
			}
			if b[j] == '}' && top == '{' || b[j] == ']' && top == '[' {
				open = open[:len(open)-1]
				j++
				continue
			}
			return 0, jsonError{j}
		}
	}
}

// skipMemberName reads `"name" :` at b[i] and returns where its value starts.
func skipMemberName(b []byte, i int) (int, error) {
	if i >= len(b) || b[i] != '"' {
		return 0, jsonError{i}
	}
	_, e, err := skipString(b, i)
	if err != nil {
		return 0, err
	}
	e = skipWS(b, e)
	if e >= len(b) || b[e] != ':' {
		return 0, jsonError{e}
	}
	return skipWS(b, e+1), nil
}

// skipScalar returns the end of the string, number or literal at b[i].
func skipScalar(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, jsonError{i}
	}
	switch c := b[i]; {
	case c == '"':
		_, e, err := skipString(b, i)
		return e, err
	case c == '-' || c >= '0' && c <= '9':
		return skipNumber(b, i)
	default:
		for _, lit := range [...]string{"true", "false", "null"} {
			if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
				return i + len(lit), nil
			}
		}
		return 0, jsonError{i}
	}
}

// skipNumber returns the end of the JSON number at b[i]: -?int(.frac)?(e±exp)?
// with no leading zero. "4.5e" or "1-2" is invalid JSON, not a number.
func skipNumber(b []byte, i int) (int, error) {
	j := i
	if b[j] == '-' {
		j++
	}
	if j < len(b) && b[j] == '0' {
		j++
	} else if k := digitsEnd(b, j); k > j {
		j = k
	} else {
		return 0, jsonError{j}
	}
	if j < len(b) && b[j] == '.' {
		k := digitsEnd(b, j+1)
		if k == j+1 {
			return 0, jsonError{k}
		}
		j = k
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		k := digitsEnd(b, j)
		if k == j {
			return 0, jsonError{k}
		}
		j = k
	}
	return j, nil
}

// digitsEnd returns the end of the run of decimal digits at b[i].
func digitsEnd(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// unescapeJSON appends the unescaped content of a JSON string (without quotes).
func unescapeJSON(dst, s []byte) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		i++
		if i >= len(s) {
			return nil, jsonError{i}
		}
		switch s[i] {
		case '"', '\\', '/':
			dst = append(dst, s[i])
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			if i+4 >= len(s) {
				return nil, jsonError{i}
			}
			r, err := strconv.ParseUint(string(s[i+1:i+5]), 16, 32)
			if err != nil {
				return nil, jsonError{i}
			}
			i += 4
			ru := rune(r)
			if utf16.IsSurrogate(ru) && i+6 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
				if r2, err := strconv.ParseUint(string(s[i+3:i+7]), 16, 32); err == nil {
					if d := utf16.DecodeRune(ru, rune(r2)); d != utf8.RuneError {
						ru = d
						i += 6
					}
				}
			}
			dst = utf8.AppendRune(dst, ru)
		default:
			return nil, jsonError{i}
		}
	}
	return dst, nil
}

// jsonText returns a raw value as text: a string unescaped, a number or
// literal as is, the first element of an array of strings (a repeated
// header), nil for null or a missing value.
func jsonText(raw []byte) ([]byte, bool) {
	if len(raw) == 0 {
		return nil, false
	}
	switch raw[0] {
	case '"':
		s := raw[1 : len(raw)-1]
		if !containsByte(s, '\\') {
			return s, true
		}
		u, err := unescapeJSON(nil, s)
		return u, err == nil
	case '[':
		i := skipWS(raw, 1)
		if i < len(raw) && raw[i] == '"' {
			_, e, err := skipString(raw, i)
			if err != nil {
				return nil, false
			}
			return jsonText(raw[i:e])
		}
		return nil, false
	case '{':
		return nil, false
	case 'n':
		return nil, false
	}
	return raw, true
}

// jsonNumber reads a raw value that is a number or a numeric string.
func jsonNumber(raw []byte) (float64, bool, error) {
	t, ok := jsonText(raw)
	if !ok || len(t) == 0 || isDash(t) {
		return 0, false, nil
	}
	if v, ok := parseDecimal(t); ok {
		return v, true, nil
	}
	v, err := strconv.ParseFloat(string(t), 64)
	if err != nil || v != v {
		return 0, false, reasonf("%s is not a number", quote(t))
	}
	return v, true, nil
}

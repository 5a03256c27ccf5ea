package push

import "strings"

// Paths is a set of wanted members of a JSON object, named by dot paths
// ("request.uri"). Scan reads one object with it: the values of the wanted
// members are kept, everything else is checked and skipped. Push ingest
// reads both record shapes with one Paths; the access-log collector reads
// Kong log lines and generic JSON lines with its own, so that every JSON
// record EcoPulse takes goes through the same scanner.
type Paths struct {
	root pathNode
	n    int
}

// pathNode is one key of a dot path; its children are the keys below it.
type pathNode struct {
	keys     []string
	children []*pathNode
	slot     int // index in the values, -1 when only on the way to wanted members
}

// Add registers a dot path and returns its slot in the values Scan fills
// (the same slot for a path added twice).
func (p *Paths) Add(path string) int {
	n := &p.root
	for _, k := range strings.Split(path, ".") {
		next := n.child([]byte(k))
		if next == nil {
			next = &pathNode{slot: -1}
			n.keys = append(n.keys, k)
			n.children = append(n.children, next)
		}
		n = next
	}
	if n.slot < 0 {
		n.slot = p.n
		p.n++
	}
	return n.slot
}

// Len is the number of slots: the length of the values Scan fills.
func (p *Paths) Len() int { return p.n }

func (n *pathNode) child(key []byte) *pathNode {
	for i, k := range n.keys {
		if k == string(key) {
			return n.children[i]
		}
	}
	return nil
}

// Scan reads b, which must be one JSON object and nothing else but spaces,
// into vals (of length p.Len()): a member not given is the zero Value. A
// text that is not JSON is a *SyntaxError.
func (p *Paths) Scan(b []byte, vals []Value) error {
	clear(vals)
	s := scanner{b: b}
	s.ws()
	if err := s.wanted(&p.root, vals); err != nil {
		return err
	}
	if s.ws(); s.i < len(s.b) {
		return s.unexpected("after top-level value")
	}
	return nil
}

// wanted scans the object at s.i, keeping in vals the values n wants.
func (s *scanner) wanted(n *pathNode, vals []Value) error {
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return s.unexpected("looking for beginning of object")
	}
	for it := s.object(); ; {
		key, ok, err := it.next()
		if err != nil || !ok {
			return err
		}
		c := n.child(key)
		var v Value
		switch {
		case c == nil:
			_, err = s.value()
		case len(c.children) > 0 && s.i < len(s.b) && s.b[s.i] == '{':
			start := s.i
			s.depth++
			err = s.wanted(c, vals)
			s.depth--
			v = Value{kind: 'o', raw: s.b[start:s.i]}
		default:
			v, err = s.value()
		}
		if err != nil {
			return err
		}
		if c != nil && c.slot >= 0 {
			vals[c.slot] = v
		}
	}
}

// Text returns a value as text: a string's content (unescaped), a number
// or boolean as written, the first element of an array that starts with a
// string (a header sent several times); nothing for null, an object or a
// member not given.
func (v Value) Text() ([]byte, bool) {
	switch v.kind {
	case 's':
		if v.esc {
			return []byte(v.str()), true
		}
		return v.raw, true
	case 'n', 't', 'f':
		return v.raw, true
	case 'a':
		s := scanner{b: v.raw, i: 1}
		if s.ws(); s.i < len(s.b) && s.b[s.i] == '"' {
			if first, err := s.str(); err == nil {
				return first.Text()
			}
		}
	}
	return nil, false
}

// IsString reports whether the value is a JSON string.
func (v Value) IsString() bool { return v.kind == 's' }

// Raw is the value as written (a string's content between its quotes).
func (v Value) Raw() []byte { return v.raw }

// Missing reports whether the member was not given at all (null is given).
func (v Value) Missing() bool { return v.kind == 0 }

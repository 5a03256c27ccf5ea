package accesslog

import (
	"errors"
	"strconv"

	"github.com/ecopulse/ecopulse/collectors/push"
)

// JSON lines (formats kong and json) are read with push ingest's scanner:
// a push.Paths of the wanted dot paths is filled from each line, everything
// else in the line is checked and skipped, so a line is rejected unless it
// is one JSON object.

// addPath registers a dot path and returns its slot in p.jvals.
func (p *parser) addPath(path string) int { return p.jpaths.Add(path) }

// scanLine fills p.jvals from a line; a line that is not one JSON object
// is rejected, with where it stopped being JSON.
func (p *parser) scanLine(line []byte) error {
	if len(p.jvals) != p.jpaths.Len() {
		p.jvals = make([]push.Value, p.jpaths.Len())
	}
	err := p.jpaths.Scan(line, p.jvals)
	if se := (*push.SyntaxError)(nil); errors.As(err, &se) {
		return reasonf("not valid JSON at byte %d: %s", se.Offset(), se)
	}
	return err
}

// val returns the value of a slot (-1: the format has no such field).
func (p *parser) val(slot int) push.Value {
	if slot < 0 {
		return push.Value{}
	}
	return p.jvals[slot]
}

// jsonText returns a value as text (push.Value.Text): a string's content,
// a number or literal as written, the first string of an array (a repeated
// header); nothing for null, an object or a missing value.
func jsonText(v push.Value) ([]byte, bool) { return v.Text() }

// jsonNumber reads a value that is a number or a numeric string; a missing
// value, null, "" and "-" are no number.
func jsonNumber(v push.Value) (float64, bool, error) {
	t, ok := v.Text()
	if !ok || len(t) == 0 || isDash(t) {
		return 0, false, nil
	}
	if n, ok := parseDecimal(t); ok {
		return n, true, nil
	}
	n, err := strconv.ParseFloat(string(t), 64)
	if err != nil || n != n {
		return 0, false, reasonf("%s is not a number", quote(t))
	}
	return n, true, nil
}

// quoteJSON shows a value in a reason: a string's text, else the JSON.
func quoteJSON(v push.Value) string {
	if t, ok := v.Text(); ok && v.IsString() {
		return quote(t)
	}
	if raw := v.Raw(); len(raw) > 0 {
		return quote(raw)
	}
	return "(missing)"
}

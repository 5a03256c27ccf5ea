package views

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// The network's minimum-K filter (?min_k=): hundreds of weak ties draw a
// hairball, so the page (and its JSON twin) can keep only the ties with
// K_ij ≥ min_k. Members stay, with the ties left to them.

// NetworkQuery is what /network and /api/v1/network are asked.
type NetworkQuery struct {
	At      time.Time // zero: the latest scored day
	Segment string    // empty: every member
	MinK    float64   // ties with K_ij ≥ MinK only; 0: every tie with k > 0
}

// NetworkMinKStep is the slider's step; min_k may be any number in [0, 1].
const NetworkMinKStep = 0.05

// ParseMinK reads ?min_k=: empty is 0 (every tie); otherwise a number from
// 0 to 1, as K_ij is (docs/scoring.md).
func ParseMinK(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || v < 0 || v > 1 {
		return 0, domain.ErrorKey(domain.EINVALID, "errors.query.min_k", domain.Facts{"Value": fmt.Sprintf("%q", cutForError(s))}, "min_k must be a number from 0 to 1, not %q", cutForError(s))
	}
	return v, nil
}

// cutForError keeps an echoed query value short.
func cutForError(s string) string {
	if len(s) > 32 {
		return s[:32] + "…"
	}
	return s
}

// BuildNetworkFor is BuildNetwork with the minimum-K filter.
func BuildNetworkFor(ctx context.Context, db *data.DB, q NetworkQuery) (*Network, error) {
	return oneRead(ctx, db, func(ctx context.Context) (*Network, error) { return readNetwork(ctx, db, q) })
}

// keepTie reports whether a tie of strength k is shown under the filter.
func (q NetworkQuery) keepTie(k float64) bool {
	return k > 0 && k >= q.MinK
}

// networkMinK is the filter as the page's slider shows it.
type networkMinK struct {
	Value string // the slider's value: "0" … "1"
	Step  string
	On    bool   // a filter is set
	Bound string // "> 0" or "≥ 0.3": the ties counted
}

func newNetworkMinK(v float64) networkMinK {
	m := networkMinK{Value: strconv.FormatFloat(v, 'f', -1, 64), Step: strconv.FormatFloat(NetworkMinKStep, 'f', -1, 64), Bound: "> 0"}
	if v > 0 {
		m.On, m.Bound = true, "≥ "+m.Value
	}
	return m
}

package data

import (
	"cmp"
	"errors"
	"math"
	"slices"

	"github.com/ecopulse/ecopulse/domain"
)

// A day's cooperation edges are stored as one blob (table score_edge_days):
// they are only ever read whole, a day at a time (EdgesOn), and at 10k
// members a day has 100k of them. As rows, saving a day wrote 100k rows with
// two foreign-key checks each and deleted the day's old ones, most of a
// save's time, and reading them back row by row slowed the network page.
//
// Layout: a version byte, uvarint(edges), then per edge in (A, B) order:
// varint(A − previous A), varint(B − previous B, or B − A when A changed)
// and K as 8 little-endian bytes of its IEEE 754 bits (exact).
const edgesBlobVersion = 1

var errCorruptEdges = errors.New("store: corrupt cooperation edges")

func encodeEdges(edges []domain.Edge) []byte {
	edges = slices.Clone(edges)
	slices.SortFunc(edges, func(x, y domain.Edge) int {
		return cmp.Or(cmp.Compare(x.A, y.A), cmp.Compare(x.B, y.B))
	})
	w := newBlob(edgesBlobVersion, 16+len(edges)*12)
	w.uvarint(uint64(len(edges)))
	var prevA, prevB int64
	for i, e := range edges {
		w.varint(e.A - prevA)
		if i == 0 || e.A != prevA {
			prevB = e.A
		}
		w.varint(e.B - prevB)
		w.word(math.Float64bits(e.K))
		prevA, prevB = e.A, e.B
	}
	return w.bytes()
}

func decodeEdges(b []byte) ([]domain.Edge, error) {
	r, ok := openBlob(b, edgesBlobVersion)
	n := r.count(10) // an edge takes at least 10 bytes
	if !ok || r.bad {
		return nil, errCorruptEdges
	}
	out := make([]domain.Edge, 0, n)
	var prevA, prevB int64
	for i := uint64(0); i < n; i++ {
		a := prevA + r.varint()
		if i == 0 || a != prevA {
			prevB = a
		}
		b := prevB + r.varint()
		k := r.word()
		if r.bad {
			return nil, errCorruptEdges
		}
		out = append(out, domain.Edge{A: a, B: b, K: math.Float64frombits(k)})
		prevA, prevB = a, b
	}
	if !r.done() {
		return nil, errCorruptEdges
	}
	return out, nil
}

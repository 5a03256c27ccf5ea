package data

import (
	"cmp"
	"encoding/binary"
	"errors"
	"math"
	"slices"
)

// A day's cooperation edges are stored as one blob (table score_edge_days):
// they are only ever read whole, a day at a time (EdgesOn), and at 10k
// members a day has 100k of them. As rows, saving a day wrote 100k rows with
// two foreign-key checks each and deleted the day's old ones, most of a
// save's 0.5 s; reading them back for the network page took 0.15 s.
//
// Layout: a version byte, uvarint(edges), then per edge in (A, B) order:
// varint(A − previous A), varint(B − previous B, or B − A when A changed)
// and K as 8 little-endian bytes of its IEEE 754 bits (exact).
const edgesBlobVersion = 1

var errCorruptEdges = errors.New("store: corrupt cooperation edges")

func encodeEdges(edges []Edge) []byte {
	edges = slices.Clone(edges)
	slices.SortFunc(edges, func(x, y Edge) int {
		return cmp.Or(cmp.Compare(x.A, y.A), cmp.Compare(x.B, y.B))
	})
	b := make([]byte, 0, 16+len(edges)*12)
	b = append(b, edgesBlobVersion)
	b = binary.AppendUvarint(b, uint64(len(edges)))
	var prevA, prevB int64
	for i, e := range edges {
		b = binary.AppendVarint(b, e.A-prevA)
		if i == 0 || e.A != prevA {
			prevB = e.A
		}
		b = binary.AppendVarint(b, e.B-prevB)
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(e.K))
		prevA, prevB = e.A, e.B
	}
	return b
}

func decodeEdges(b []byte) ([]Edge, error) {
	if len(b) == 0 || b[0] != edgesBlobVersion {
		return nil, errCorruptEdges
	}
	b = b[1:]
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)) { // an edge takes at least 10 bytes
		return nil, errCorruptEdges
	}
	b = b[w:]
	out := make([]Edge, 0, n)
	var prevA, prevB int64
	for i := uint64(0); i < n; i++ {
		da, w := binary.Varint(b)
		if w <= 0 {
			return nil, errCorruptEdges
		}
		b = b[w:]
		a := prevA + da
		if i == 0 || a != prevA {
			prevB = a
		}
		db, w := binary.Varint(b)
		if w <= 0 || len(b) < w+8 {
			return nil, errCorruptEdges
		}
		e := Edge{A: a, B: prevB + db, K: math.Float64frombits(binary.LittleEndian.Uint64(b[w:]))}
		b = b[w+8:]
		out = append(out, e)
		prevA, prevB = e.A, e.B
	}
	if len(b) != 0 {
		return nil, errCorruptEdges
	}
	return out, nil
}

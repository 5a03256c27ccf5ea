package views

import (
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// The model's figures of a member, as every view writes them. They are two
// structs, not one, because the views that show C, K and φ without T, I and
// M (the overview's rows, the network) must keep their JSON as it is:
// encoding/json writes an embedded struct's fields where it is embedded, in
// its order.

// Factors are a member's technical quality T, investment I and market
// influence M, each in [0,1]; their product is its contribution C.
type Factors struct {
	T float64 `json:"T"`
	I float64 `json:"I"`
	M float64 `json:"M"`
}

// ValueFigures are a member's contribution C, its cooperation K (the sum
// of its ties) and its Shapley share φ of the ecosystem's value R.
type ValueFigures struct {
	C   float64 `json:"C"`
	K   float64 `json:"K"`
	Phi float64 `json:"phi"`
}

// ScoreFigures are all six: T, I, M, C, K, φ, in that order.
type ScoreFigures struct {
	Factors
	ValueFigures
}

// scoreFigures are the figures of a stored score.
func scoreFigures(s *domain.MemberScore) ScoreFigures {
	return ScoreFigures{Factors: Factors{T: s.T, I: s.I, M: s.M}, ValueFigures: valueFigures(s)}
}

// valueFigures are C, K and φ of a stored score.
func valueFigures(s *domain.MemberScore) ValueFigures {
	return ValueFigures{C: s.C, K: s.K, Phi: s.Phi}
}

// snapshotFigures are the figures of a member as frozen in a snapshot.
func snapshotFigures(m *data.SnapshotMember) ScoreFigures {
	return ScoreFigures{Factors: Factors{T: m.T, I: m.I, M: m.M}, ValueFigures: ValueFigures{C: m.C, K: m.K, Phi: m.Phi}}
}

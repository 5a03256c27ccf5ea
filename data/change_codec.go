package data

import (
	"database/sql"
	"encoding/json"

	"github.com/ecopulse/ecopulse/domain"
)

// encodeChanges is the scores.changes column: NULL without changes.
func encodeChanges(cs []domain.Change) any {
	if len(cs) == 0 {
		return nil
	}
	b, err := json.Marshal(cs)
	if err != nil { // a NaN: the model never makes one, and a reason is not worth a failed save
		return nil
	}
	return string(b)
}

// decodeChanges reads the scores.changes column; a value it cannot read
// (written by a newer version) reads as no recorded change.
func decodeChanges(s sql.NullString) []domain.Change {
	if !s.Valid || s.String == "" {
		return nil
	}
	var cs []domain.Change
	if json.Unmarshal([]byte(s.String), &cs) != nil {
		return nil
	}
	return cs
}

// encodeFrozenChanges is the snapshot_members.changes column: the same
// JSON as scores.changes, but '[]' for none, since NULL there says the row
// has no facts. A change it cannot encode (a NaN) leaves the row without
// facts, rather than with facts that say another reason.
func encodeFrozenChanges(cs []domain.Change) any {
	if len(cs) == 0 {
		return "[]"
	}
	return encodeChanges(cs)
}

// decodeFrozenChanges reads the snapshot_members.changes column; false for
// NULL (a row frozen without facts) or a value it cannot read (written by
// a newer version): facts it cannot read would say another reason.
func decodeFrozenChanges(s sql.NullString) ([]domain.Change, bool) {
	if !s.Valid {
		return nil, false
	}
	var cs []domain.Change
	if json.Unmarshal([]byte(s.String), &cs) != nil {
		return nil, false
	}
	if len(cs) == 0 {
		cs = nil
	}
	return cs, true
}

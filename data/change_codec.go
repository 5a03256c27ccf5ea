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

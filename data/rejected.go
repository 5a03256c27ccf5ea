package data

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"sort"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// ReplaceRejectedRecords makes rs the source's quarantine (its records a
// source could not accept, with their reasons; the newest
// MaxRejectedPerSource are kept): for a source that reads its whole input
// on every run, such as the registry file, whose rejections are those of
// its last run.
func (db *DB) ReplaceRejectedRecords(ctx context.Context, source string, rs []domain.Rejected) error {
	for i := range rs {
		if len(rs[i].Record) > domain.MaxRejectedRecordBytes {
			rs[i].Record = rs[i].Record[:domain.MaxRejectedRecordBytes]
		}
	}
	err := db.housekeepingTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM rejected_records WHERE source = ?`, source); err != nil {
			return err
		}
		return addRejected(ctx, tx, source, rs)
	})
	if err != nil {
		return fmt.Errorf("store: unable to keep rejected records of %s: %w", source, err)
	}
	return nil
}

// RejectedRecord is a quarantined record as the rejected-records view
// shows it.
type RejectedRecord struct {
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
	Record string    `json:"record"`
}

// ReasonCount is how many quarantined records share a reason.
type ReasonCount struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// Where a reason names its line or record ("line 17: …", "record 3: …"):
// counts per reason leave that out, or every line would be its own reason.
var reasonPlace = regexp.MustCompile(`^(?:line|record|row) \d+: `)

// ReasonOf returns a reason without the place it names.
func ReasonOf(reason string) string { return reasonPlace.ReplaceAllString(reason, "") }

// RejectedOf answers "what did this source reject, and why?": its newest
// quarantined records (at most limit) and the counts per reason of all it
// keeps, in one read transaction.
func (db *DB) RejectedOf(ctx context.Context, source string, limit int) ([]RejectedRecord, []ReasonCount, int, error) {
	var recs []RejectedRecord
	var total int
	counts := map[string]int{}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT at, reason, record FROM rejected_records WHERE source = ? ORDER BY id DESC`, source)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var at int64
			var r RejectedRecord
			if err := rows.Scan(&at, &r.Reason, &r.Record); err != nil {
				return err
			}
			total++
			counts[ReasonOf(r.Reason)]++
			if len(recs) < limit {
				r.At = time.Unix(at, 0).UTC()
				recs = append(recs, r)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, nil, 0, fmt.Errorf("store: unable to read rejected records of %s: %w", source, err)
	}
	byReason := make([]ReasonCount, 0, len(counts))
	for r, n := range counts {
		byReason = append(byReason, ReasonCount{r, n})
	}
	sort.Slice(byReason, func(i, j int) bool {
		if byReason[i].Count != byReason[j].Count {
			return byReason[i].Count > byReason[j].Count
		}
		return byReason[i].Reason < byReason[j].Reason
	})
	return recs, byReason, total, nil
}

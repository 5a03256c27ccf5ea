package data

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ecopulse/ecopulse/domain"
)

// AddActivities stores community events, ignoring those already stored (same
// source and external id), and returns how many were new. An activity without
// a person or member is resolved through identities and affiliations at its time.
func (db *DB) AddActivities(ctx context.Context, acts []domain.Activity) (int, error) {
	for i := range acts {
		if err := acts[i].Validate(); err != nil {
			return 0, err
		}
	}
	var stored int
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		stored, err = addActivities(ctx, tx, acts)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: unable to add activities: %w", err)
	}
	return stored, nil
}

func addActivities(ctx context.Context, tx *sql.Tx, acts []domain.Activity) (int, error) {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO activities (source, external_id, kind, at, actor, person_id, member_id, thread, title, bot)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, external_id) DO NOTHING`)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	stored := 0
	for i := range acts {
		a := &acts[i]
		if a.PersonID == 0 && a.MemberID == 0 {
			if a.PersonID, a.MemberID, err = resolveActor(ctx, tx, a.Source, a.Actor, a.At); err != nil {
				return 0, err
			}
		}
		res, err := stmt.ExecContext(ctx, a.Source, a.ExternalID, a.Kind, a.At.Unix(), a.Actor,
			nullInt(a.PersonID), nullInt(a.MemberID), a.Thread, a.Title, a.Bot)
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			stored++
		}
	}
	return stored, nil
}

// AddActivitiesWithCursor stores activities and moves a source's cursor
// from from (the cursor the run read or last committed) to cursor in one
// transaction, and returns how many activities were new. When the cursor
// is no longer from, nothing is stored and the error is ECONFLICT
// (moveCursor): another run of the source got there first.
func (db *DB) AddActivitiesWithCursor(ctx context.Context, acts []domain.Activity, source, from, cursor string) (int, error) {
	for i := range acts {
		if err := acts[i].Validate(); err != nil {
			return 0, err
		}
	}
	var stored int
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		if stored, err = addActivities(ctx, tx, acts); err != nil {
			return err
		}
		if cursor != "" {
			return moveCursor(ctx, tx, source, from, cursor)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: unable to add activities from %s: %w", source, err)
	}
	return stored, nil
}

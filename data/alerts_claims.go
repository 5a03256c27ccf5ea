package data

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"
)

// Several replicas on one database each evaluate the alerts; each alert
// must still reach the webhook once. A notifier claims an alert's delivery
// in the database before posting it: the claim is one conditional UPDATE,
// so of two notifiers claiming at once exactly one changes the row (on
// PostgreSQL the second's update waits for the first's commit, then finds
// the condition false). A claim lasts until a deadline past the longest a
// post can take: when its holder dies mid-post, the alert is posted by a
// later run after the deadline — delivered at least once, and twice only
// when the holder died between the webhook's answer and recording it.

// NewNotifyClaim returns a claim token: which notifier's claim a row holds.
func NewNotifyClaim() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ClaimAlertNotify claims the delivery of alert id for the notifier holding
// claim until the given time, and reports whether it got it: not when the
// alert was posted already, is no longer open and pending, failed
// maxAttempts rounds, or is claimed by a notifier whose claim has not
// expired.
func (db *DB) ClaimAlertNotify(ctx context.Context, id int64, maxAttempts int, claim string, now, until time.Time) (bool, error) {
	var n int64
	err := db.housekeepingTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE alerts SET notify_claim = ?, notify_claimed_until = ?
			WHERE id = ? AND state = ? AND resolved_by = '' AND notified_at IS NULL AND notify_attempts < ?
			AND (notify_claimed_until IS NULL OR notify_claimed_until <= ?)`,
			claim, until.Unix(), id, AlertOpen, maxAttempts, now.Unix())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: unable to claim the notification of alert %d: %w", id, err)
	}
	return n == 1, nil
}

// ReleaseAlertNotify gives up a claim without counting a failed round (a
// notifier shutting down mid-post): the next run posts the alert at once.
func (db *DB) ReleaseAlertNotify(ctx context.Context, id int64, claim string) error {
	err := db.housekeepingTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE alerts SET notify_claim = '', notify_claimed_until = NULL
			WHERE id = ? AND notify_claim = ?`, id, claim)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to release the notification of alert %d: %w", id, err)
	}
	return nil
}

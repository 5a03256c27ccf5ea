package data

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// MergeResult says what a merge moved to the member kept.
type MergeResult struct {
	Kept         string `json:"kept"`
	Merged       string `json:"merged"`
	Consumers    int64  `json:"consumers"`
	Affiliations int64  `json:"affiliations"`
	Projects     int64  `json:"projects"`
	Activities   int64  `json:"activities"`
}

// MergeMembers merges the member drop into keep, in one transaction: its API
// consumers, people's affiliations, project parties (ties), activities and
// identity hints move to keep; drop is archived from the day it joined (it
// is never scored again), remembers where it went, and every day scored
// since the earlier of the two joined dates is scored again, so that keep's
// history holds both.
func (db *DB) MergeMembers(ctx context.Context, keep, drop string) (*MergeResult, error) {
	res := &MergeResult{Kept: keep, Merged: drop}
	err := db.writeTx(ctx, func(tx *sql.Tx) error { return mergeMembers(ctx, tx, db.dialect, keep, drop, res) })
	if err != nil {
		return nil, fmt.Errorf("store: unable to merge member %q into %q: %w", drop, keep, err)
	}
	return res, nil
}

// mergeMembers checks that neither member was merged away, then moves
// drop's rows: the two members' rows are locked first (in id order, as any
// two merges lock them), so that a merge meeting another of one of them
// (on PostgreSQL) checks what that one committed, not what was before it,
// and two members never end merged into each other.
func mergeMembers(ctx context.Context, tx *sql.Tx, dl dialect, keep, drop string, res *MergeResult) error {
	if keep == drop {
		return domain.Errorf(domain.EINVALID, "into: a member cannot be merged into itself")
	}
	if _, err := tx.ExecContext(ctx, `SELECT id FROM members WHERE slug IN (?, ?) ORDER BY id`+dl.forUpdate(), keep, drop); err != nil {
		return err
	}
	k, err := memberBySlug(ctx, tx, keep)
	if err != nil {
		return err
	}
	d, err := memberBySlug(ctx, tx, drop)
	if err != nil {
		return err
	}
	if d.MergedInto != "" {
		return domain.Errorf(domain.ECONFLICT, "member %q was already merged into %q", drop, d.MergedInto)
	}
	if k.MergedInto != "" {
		return domain.Errorf(domain.EINVALID, "into: member %q was merged into %q: merge into that one", keep, k.MergedInto)
	}
	exec := func(n *int64, q string, args ...any) error {
		r, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n != nil {
			*n, err = r.RowsAffected()
		}
		return err
	}
	steps := []struct {
		n    *int64
		q    string
		args []any
	}{
		{&res.Consumers, `UPDATE api_consumers SET member_id = ? WHERE member_id = ?`, []any{k.ID, d.ID}},
		{&res.Affiliations, `UPDATE affiliations SET member_id = ? WHERE member_id = ?`, []any{k.ID, d.ID}},
		// Stored domain rules go too, or their next refresh would give the affiliations back.
		{nil, `UPDATE affiliation_domains SET member_id = ? WHERE member_id = ?`, []any{k.ID, d.ID}},
		// A project both were party to keeps keep's role.
		{&res.Projects, `INSERT INTO project_parties (project_id, member_id, role)
			SELECT project_id, ?, role FROM project_parties WHERE member_id = ?
			ON CONFLICT (project_id, member_id) DO NOTHING`, []any{k.ID, d.ID}},
		{nil, `DELETE FROM project_parties WHERE member_id = ?`, []any{d.ID}},
		{&res.Activities, `UPDATE activities SET member_id = ? WHERE member_id = ?`, []any{k.ID, d.ID}},
		{nil, `UPDATE members SET archived_on = joined_on, merged_into = ?, updated_at = ? WHERE id = ?`, []any{k.ID, time.Now().Unix(), d.ID}},
	}
	for _, s := range steps {
		if err := exec(s.n, s.q, s.args...); err != nil {
			return err
		}
	}
	k.Domains = domain.TidyHints(append(k.Domains, d.Domains...), true)
	k.GitHubOrgs = domain.TidyHints(append(k.GitHubOrgs, d.GitHubOrgs...), true)
	k.KeyPatterns = domain.TidyHints(append(k.KeyPatterns, d.KeyPatterns...), false)
	if len(k.Domains) > domain.MaxMemberHints || len(k.GitHubOrgs) > domain.MaxMemberHints || len(k.KeyPatterns) > domain.MaxMemberHints {
		return domain.Errorf(domain.EINVALID, "into: %q would have more than %d identity hints of one kind", keep, domain.MaxMemberHints)
	}
	if err := exec(nil, `UPDATE members SET domains = ?, github_orgs = ?, key_patterns = ? WHERE id = ?`,
		joinHints(k.Domains), joinHints(k.GitHubOrgs), joinHints(k.KeyPatterns), k.ID); err != nil {
		return err
	}
	from := k.JoinedOn
	if d.JoinedOn.Before(from) {
		from = d.JoinedOn
	}
	return markRescoreFrom(ctx, tx, from)
}

package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// ConsumerRow is an API consumer with its traffic over all stored history.
type ConsumerRow struct {
	Key       string `json:"key"`
	Name      string `json:"name"`
	Member    string `json:"member,omitempty"` // slug; "" while unmapped
	Calls     int64  `json:"calls"`
	FirstSeen string `json:"first_seen,omitempty"` // YYYY-MM-DD; "" before any traffic
	LastSeen  string `json:"last_seen,omitempty"`
}

// ConsumerQuery selects consumers: all, or the unmapped only; a page of them.
type ConsumerQuery struct {
	Unmapped bool
	Search   string // part of the key or name, case-insensitive
	Limit    int    // 1..MaxConsumerPage; 0: DefaultConsumerPage
	Offset   int
}

// Pages of consumers are bounded: a gateway may know tens of thousands.
const (
	DefaultConsumerPage = 100
	MaxConsumerPage     = 1000
)

// ConsumerList returns one page of consumers, the busiest first, and how
// many match in all.
func (db *DB) ConsumerList(ctx context.Context, q ConsumerQuery) ([]ConsumerRow, int, error) {
	switch {
	case q.Limit == 0:
		q.Limit = DefaultConsumerPage
	case q.Limit < 0 || q.Limit > MaxConsumerPage:
		return nil, 0, domain.Errorf(domain.EINVALID, "limit: a page holds 1 to %d consumers", MaxConsumerPage)
	}
	if q.Offset < 0 {
		return nil, 0, domain.Errorf(domain.EINVALID, "offset: cannot be negative")
	}
	where := `WHERE (? = 0 OR c.member_id IS NULL) AND (? = '' OR LOWER(c.key) LIKE ? ESCAPE '\' OR LOWER(c.name) LIKE ? ESCAPE '\')`
	like := "%" + memberLikeEscape(strings.ToLower(strings.TrimSpace(q.Search))) + "%"
	args := []any{boolInt(q.Unmapped), strings.TrimSpace(q.Search), like, like}
	var rows []ConsumerRow
	var total int
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_consumers c `+where, args...).Scan(&total); err != nil {
			return err
		}
		// Sums saturate: one poisoned rollup must not fail the list.
		rs, err := tx.QueryContext(ctx, `SELECT c.key, c.name, COALESCE(m.slug, ''), COALESCE(u.calls, 0), u.first, u.last
			FROM api_consumers c
			LEFT JOIN members m ON m.id = c.member_id
			LEFT JOIN (SELECT consumer_id, `+db.dialect.sumCount("calls")+` AS calls, MIN(bucket) AS first, MAX(bucket) AS last
				FROM api_usage_daily GROUP BY consumer_id) u ON u.consumer_id = c.id
			`+where+` ORDER BY COALESCE(u.calls, 0) DESC, c.key LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var r ConsumerRow
			var first, last sql.NullInt64
			if err := rs.Scan(&r.Key, &r.Name, &r.Member, &r.Calls, &first, &last); err != nil {
				return err
			}
			if first.Valid {
				r.FirstSeen = time.Unix(first.Int64, 0).UTC().Format(domain.DateLayout)
				r.LastSeen = time.Unix(last.Int64, 0).UTC().Format(domain.DateLayout)
			}
			rows = append(rows, r)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: unable to list API consumers: %w", err)
	}
	return rows, total, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// MapConsumer maps the consumer with this key to a member (slug "" unmaps
// it). Its stored history goes with it: every day already scored since its
// first traffic is scored again.
func (db *DB) MapConsumer(ctx context.Context, key, slug string) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM api_consumers WHERE key = ?`, key).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "no API consumer %q", domain.TruncateForError(key))
		} else if err != nil {
			return err
		}
		memberID, err := mappableMember(ctx, tx, slug)
		if err != nil {
			return err
		}
		return mapConsumers(ctx, tx, []int64{id}, memberID, false)
	})
	if err != nil {
		return fmt.Errorf("store: unable to map API consumer %q: %w", key, err)
	}
	return nil
}

// MapConsumersMatching maps every consumer whose key matches pattern (*
// matches any run of characters, ? one) to a member, the unmapped ones only
// unless all is set. It returns how many it mapped.
func (db *DB) MapConsumersMatching(ctx context.Context, pattern, slug string, all bool) (int, error) {
	if err := checkKeyPattern(pattern); err != nil {
		return 0, err
	}
	var n int
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		memberID, err := mappableMember(ctx, tx, slug)
		if err != nil {
			return err
		}
		ids, err := consumersMatching(ctx, tx, pattern, all)
		if err != nil {
			return err
		}
		n = len(ids)
		return mapConsumers(ctx, tx, ids, memberID, false)
	})
	if err != nil {
		return 0, fmt.Errorf("store: unable to map API consumers matching %q: %w", pattern, err)
	}
	return n, nil
}

// ApplyKeyPatterns maps every unmapped consumer whose key matches a key
// pattern of an active member (members' identity hints), and returns how
// many it mapped. A consumer two members' patterns match stays unmapped:
// somebody has to choose. With nothing to map it writes nothing (it runs
// before every scoring run, and a write would empty the page cache).
func (db *DB) ApplyKeyPatterns(ctx context.Context) (int, error) {
	var byMember map[int64][]int64
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		byMember, err = keyPatternMatches(ctx, tx)
		return err
	})
	if err != nil || len(byMember) == 0 {
		if err != nil {
			err = fmt.Errorf("store: unable to apply members' key patterns: %w", err)
		}
		return 0, err
	}
	var n int
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		for member, ids := range byMember {
			// Only those still unmapped: a person may have mapped one since.
			if err := mapConsumers(ctx, tx, ids, member, true); err != nil {
				return err
			}
			n += len(ids)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: unable to apply members' key patterns: %w", err)
	}
	return n, nil
}

// keyPatternMatches returns the unmapped consumers each active member's key
// patterns alone match.
func keyPatternMatches(ctx context.Context, tx *sql.Tx) (map[int64][]int64, error) {
	type rule struct {
		member  int64
		pattern string
	}
	var rules []rule
	rs, err := tx.QueryContext(ctx, `SELECT id, key_patterns FROM members WHERE key_patterns <> '' AND archived_on IS NULL`)
	if err != nil {
		return nil, err
	}
	for rs.Next() {
		var id int64
		var pats string
		if err := rs.Scan(&id, &pats); err != nil {
			rs.Close()
			return nil, err
		}
		for _, p := range splitHints(pats) {
			rules = append(rules, rule{id, p})
		}
	}
	rs.Close()
	if err := rs.Err(); err != nil || len(rules) == 0 {
		return nil, err
	}
	byMember := map[int64][]int64{}
	cs, err := tx.QueryContext(ctx, `SELECT id, key FROM api_consumers WHERE member_id IS NULL`)
	if err != nil {
		return nil, err
	}
	defer cs.Close()
	for cs.Next() {
		var id int64
		var key string
		if err := cs.Scan(&id, &key); err != nil {
			return nil, err
		}
		var match int64
		for _, r := range rules {
			if ok, _ := path.Match(r.pattern, key); ok {
				if match != 0 && match != r.member {
					match = -1 // two members claim it
					break
				}
				match = r.member
			}
		}
		if match > 0 {
			byMember[match] = append(byMember[match], id)
		}
	}
	return byMember, cs.Err()
}

// checkKeyPattern refuses a pattern path.Match cannot read.
func checkKeyPattern(pattern string) error {
	if strings.TrimSpace(pattern) == "" || len(pattern) > domain.MaxMemberHintLen {
		return domain.Errorf(domain.EINVALID, "pattern: give 1 to %d characters, * for any run of characters", domain.MaxMemberHintLen)
	}
	if _, err := path.Match(pattern, ""); err != nil {
		return domain.Errorf(domain.EINVALID, "pattern: %q is not a pattern (* any run, ? one character, [a-z] a range)", domain.TruncateForError(pattern))
	}
	return nil
}

// mappableMember returns the id of the member consumers may be mapped to
// (0 for slug ""): it exists and was not merged away.
func mappableMember(ctx context.Context, tx *sql.Tx, slug string) (int64, error) {
	if slug == "" {
		return 0, nil
	}
	m, err := memberBySlug(ctx, tx, slug)
	if err != nil {
		return 0, domain.Errorf(domain.EINVALID, "member: no member %q", domain.TruncateForError(slug))
	}
	if m.MergedInto != "" {
		return 0, domain.Errorf(domain.EINVALID, "member: %q was merged into %q: map to that one", slug, m.MergedInto)
	}
	return m.ID, nil
}

func consumersMatching(ctx context.Context, tx *sql.Tx, pattern string, all bool) ([]int64, error) {
	rs, err := tx.QueryContext(ctx, `SELECT id, key FROM api_consumers WHERE ? OR member_id IS NULL`, all)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var ids []int64
	for rs.Next() {
		var id int64
		var key string
		if err := rs.Scan(&id, &key); err != nil {
			return nil, err
		}
		if ok, _ := path.Match(pattern, key); ok {
			ids = append(ids, id)
		}
	}
	return ids, rs.Err()
}

// mapConsumers sets the member of consumers (0: none; with onlyUnmapped,
// of those still unmapped) and marks the days scored since the earliest
// traffic of those whose member changed.
func mapConsumers(ctx context.Context, tx *sql.Tx, ids []int64, memberID int64, onlyUnmapped bool) error {
	var first sql.NullInt64
	for _, id := range ids {
		res, err := tx.ExecContext(ctx, `UPDATE api_consumers SET member_id = ? WHERE id = ? AND member_id IS DISTINCT FROM ? AND (? = 0 OR member_id IS NULL)`,
			nullInt(memberID), id, nullInt(memberID), boolInt(onlyUnmapped))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		var f sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MIN(bucket) FROM api_usage_daily WHERE consumer_id = ?`, id).Scan(&f); err != nil {
			return err
		}
		if f.Valid && (!first.Valid || f.Int64 < first.Int64) {
			first = f
		}
	}
	if !first.Valid {
		return nil
	}
	return markRescoreFrom(ctx, tx, time.Unix(first.Int64, 0).UTC())
}

// ConsumerKeys returns the keys of consumers by id (a page's rows name
// consumers by name; mapping them needs their key).
func (db *DB) ConsumerKeys(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			var key string
			if err := tx.QueryRowContext(ctx, `SELECT key FROM api_consumers WHERE id = ?`, id).Scan(&key); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			out[id] = key
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to read API consumer keys: %w", err)
	}
	return out, nil
}

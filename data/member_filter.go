package data

import (
	"context"
	"fmt"
	"strings"

	"github.com/ecopulse/ecopulse/domain"
)

// The members list's filter: every value a visitor chooses (filters, search
// text) is a bound parameter; no SQL is built from it.

// MemberFilter selects members for the members list. A nil field matches
// every member; a pointer to "" matches the members with that field empty
// (tier is empty for members that are not partners).
type MemberFilter struct {
	Segment *string
	Tier    *string
	Kind    *string
	// Query is a case-insensitive substring of the name or slug. LIKE's
	// wildcards (%, _) and the escape character match themselves.
	Query string
}

// memberLikeEscape escapes s for a LIKE pattern with ESCAPE '\'.
func memberLikeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// FilterMembers returns the members matching f, ordered by name.
func (db *DB) FilterMembers(ctx context.Context, f MemberFilter) ([]domain.Member, error) {
	opt := func(p *string) (bool, string) {
		if p == nil {
			return true, ""
		}
		return false, *p
	}
	anySeg, seg := opt(f.Segment)
	anyTier, tier := opt(f.Tier)
	anyKind, kind := opt(f.Kind)
	q := strings.TrimSpace(f.Query)
	// SQLite's LOWER folds ASCII only: the raw pattern also matches a name
	// whose non-ASCII letters are typed as stored.
	lower := "%" + memberLikeEscape(strings.ToLower(q)) + "%"
	raw := "%" + memberLikeEscape(q) + "%"
	rows, err := db.read.QueryContext(ctx, `SELECT `+memberColumns+` FROM members
		WHERE (? OR segment = ?) AND (? OR tier = ?) AND (? OR kind = ?)
		  AND (? = '' OR LOWER(name) LIKE ? ESCAPE '\' OR name LIKE ? ESCAPE '\' OR LOWER(slug) LIKE ? ESCAPE '\')
		ORDER BY name, id`,
		anySeg, seg, anyTier, tier, anyKind, kind, q, lower, raw, lower)
	if err != nil {
		return nil, fmt.Errorf("store: unable to filter members: %w", err)
	}
	defer rows.Close()
	var out []domain.Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to filter members: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to filter members: %w", err)
	}
	return out, nil
}

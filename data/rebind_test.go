package data

import "testing"

func TestRebind(t *testing.T) {
	for in, want := range map[string]string{
		`SELECT 1`:                                        `SELECT 1`,
		`SELECT a FROM t WHERE b = ? AND c = ?`:           `SELECT a FROM t WHERE b = $1 AND c = $2`,
		`SELECT ?1, ?2, ?1`:                               `SELECT $1, $2, $1`,
		`WHERE x LIKE ? ESCAPE '\' AND y = '?'`:           `WHERE x LIKE $1 ESCAPE '\' AND y = '?'`,
		`SELECT 'it''s ?', "a?b", ? -- why?` + "\n" + `?`: `SELECT 'it''s ?', "a?b", $1 -- why?` + "\n" + `$2`,
		`/* ? */ VALUES (?, ?)`:                           `/* ? */ VALUES ($1, $2)`,
		`SELECT ?2, ?`:                                    `SELECT $2, $3`,
	} {
		if got := rebind(in); got != want {
			t.Errorf("rebind(%q) = %q, want %q", in, got, want)
		}
	}
}

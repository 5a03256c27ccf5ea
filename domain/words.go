package domain

import "strconv"

// Plural says a count with its noun: "1 member", "3 members". The domain's
// sentences, the pages and the alerts all count things this one way.
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

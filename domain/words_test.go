package domain

import "testing"

func TestPlural(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 members"}, {1, "1 member"}, {2, "2 members"}, {-1, "-1 members"}, {1200, "1200 members"}} {
		if got := Plural(c.n, "member", "members"); got != c.want {
			t.Errorf("Plural(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

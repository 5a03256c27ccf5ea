package data

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ecopulse/ecopulse/domain"
)

// randomDay makes n activities of one day with repeated logins and threads,
// interned in a day's interner as buildActivityDay does.
func randomDay(rng *rand.Rand, n int) ([]windowActivity, *interner) {
	in := newInterner()
	kinds := []string{domain.ActThreadOpened, domain.ActReply, domain.ActPROpened, domain.ActPRMerged, domain.ActReview, "release"}
	acts := make([]windowActivity, n)
	at := int64(1_780_000_000)
	for i := range acts {
		at += rng.Int64N(300)
		a := &acts[i]
		a.at = at
		if rng.IntN(3) > 0 {
			a.member = 1 + rng.Int64N(50)
		}
		if rng.IntN(2) == 0 {
			a.person = 1 + rng.Int64N(1<<40)
		}
		a.source = in.id([]string{"github", "discourse"}[rng.IntN(2)])
		a.actor = in.id(fmt.Sprint("login-ü", rng.IntN(40)))
		a.kind = in.id(kinds[rng.IntN(len(kinds))])
		if rng.IntN(5) > 0 {
			a.thread = in.id(fmt.Sprint("github:org/repo#", rng.IntN(30)))
		}
	}
	return acts, in
}

func TestActivityDigestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	window := newInterner()
	window.id("something seen on an earlier day") // ids differ from the day's
	for _, n := range []int{0, 1, 700} {
		acts, day := randomDay(rng, n)
		got, err := decodeActivityDigest(encodeActivityDigest(acts, day), window, nil)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if len(got) != n {
			t.Fatalf("n=%d: decoded %d activities", n, len(got))
		}
		str := func(in *interner, a *windowActivity) string {
			return fmt.Sprintf("%d %d %d %q %q %q %q", a.at, a.member, a.person, in.strs[a.source], in.strs[a.actor], in.strs[a.kind], in.strs[a.thread])
		}
		members := map[int64]int{}
		for i := range acts {
			if g, w := str(window, &got[i]), str(day, &acts[i]); g != w {
				t.Fatalf("n=%d activity %d: got %s, want %s", n, i, g, w)
			}
			if window.flags[got[i].kind] != day.flags[acts[i].kind] {
				t.Fatalf("kind %q lost its meaning", day.strs[acts[i].kind])
			}
			members[acts[i].member]++
		}
		counted := map[int64]int{}
		if err := countDigestMembers(encodeActivityDigest(acts, day), func(m int64) { counted[m]++ }); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(counted) != fmt.Sprint(members) {
			t.Errorf("n=%d: members counted %v, want %v", n, counted, members)
		}
	}
}

func TestActivityDigestRejectsDamage(t *testing.T) {
	acts, day := randomDay(rand.New(rand.NewPCG(15, 16)), 12)
	b := encodeActivityDigest(acts, day)
	for cut := 0; cut < len(b); cut++ {
		if _, err := decodeActivityDigest(b[:cut], newInterner(), nil); !errors.Is(err, errCorruptActivityDigest) {
			t.Fatalf("digest cut at %d of %d bytes: decode err = %v", cut, len(b), err)
		}
		if err := countDigestMembers(b[:cut], func(int64) {}); !errors.Is(err, errCorruptActivityDigest) {
			t.Fatalf("digest cut at %d of %d bytes: count err = %v", cut, len(b), err)
		}
	}
	if _, err := decodeActivityDigest(append(b, 0), newInterner(), nil); !errors.Is(err, errCorruptActivityDigest) {
		t.Errorf("trailing byte: err = %v", err)
	}
	// A string index past the day's table.
	one, in := randomDay(rand.New(rand.NewPCG(1, 1)), 1)
	one[0].thread = int32(len(in.strs))
	if _, err := decodeActivityDigest(encodeActivityDigest(one, in), newInterner(), nil); !errors.Is(err, errCorruptActivityDigest) {
		t.Errorf("string index out of range: err = %v", err)
	}
}

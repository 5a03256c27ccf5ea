package app

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// viewerCacheMax bounds the viewers remembered: past it the cache starts
// over (each session then reads its session and account once more).
const viewerCacheMax = 4096

// viewerCache remembers, per session, who a logged-in page view is, so
// that a GET does not read and decode its session and read its account
// again while nothing that could change them has been written. Those two
// reads were most of the server's work on a cached page (docs/benchmarks-
// notes.md says how it was measured).
//
// An entry holds while the store's data version (data.DB.VersionOf
// data.OtherData: usage writes leave sessions and accounts alone) is the
// one read before the session and the account were: every write to an
// account (role, disabled, password, language, deletion) and every end of
// a session (logout, the sessions an account change ends) advances it —
// at once for this process's writes, within data.ClusterVersionEvery for
// another replica's or a command's. An entry also ends when its session's
// idle expiry is due to slide (the gate then saves the session) and when
// the session reaches sessionMax. State-changing requests never use it:
// their CSRF token is checked against the stored session.
type viewerCache struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]viewerEntry
}

// viewerEntry is what the gate read for a session.
type viewerEntry struct {
	v       viewer
	csrf    string
	touched time.Time // when the session was last saved
	loginAt time.Time
	version uint64 // data.DB.VersionOf(data.OtherData) before the session and account were read
}

// sessionKey names a session in the cache without keeping its secret id.
func sessionKey(c *fiber.Ctx) ([sha256.Size]byte, bool) {
	id := c.Cookies(sessionCookie)
	if id == "" {
		return [sha256.Size]byte{}, false
	}
	return sha256.Sum256([]byte(id)), true
}

// get returns the entry of a session that still holds at version and now:
// neither due to slide after touchEvery nor past sessionMax.
func (vc *viewerCache) get(k [sha256.Size]byte, version uint64, now time.Time, touchEvery time.Duration) (viewerEntry, bool) {
	vc.mu.Lock()
	defer vc.mu.Unlock()
	e, ok := vc.m[k]
	if !ok {
		return viewerEntry{}, false
	}
	if e.version != version || now.Sub(e.touched) > touchEvery || now.Sub(e.loginAt) > sessionMax {
		delete(vc.m, k)
		return viewerEntry{}, false
	}
	return e, true
}

func (vc *viewerCache) put(k [sha256.Size]byte, e viewerEntry) {
	vc.mu.Lock()
	defer vc.mu.Unlock()
	if vc.m == nil || len(vc.m) >= viewerCacheMax {
		vc.m = make(map[[sha256.Size]byte]viewerEntry)
	}
	vc.m[k] = e
}

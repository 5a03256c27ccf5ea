package httpx

import "sync"

// maxETags bounds an ETags cache; past it the cache starts over (a miss
// only costs a full response).
const maxETags = 10000

// ETags remembers the entity tag of URLs whose content has been processed,
// for conditional requests. Set an ETag only once what the response carried
// is committed: a 304 answer means "nothing new" to the caller.
type ETags struct {
	mu sync.Mutex
	m  map[string]string
}

// Get returns the ETag remembered for url, "" if none.
func (e *ETags) Get(url string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.m[url]
}

// Set remembers etag for url; an empty etag forgets url.
func (e *ETags) Set(url, etag string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if etag == "" {
		delete(e.m, url)
		return
	}
	if e.m == nil || len(e.m) >= maxETags {
		e.m = map[string]string{}
	}
	e.m[url] = etag
}

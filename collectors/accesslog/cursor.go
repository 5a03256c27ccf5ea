package accesslog

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/ecopulse/ecopulse/domain"
)

// cursorVersion is the version of the cursor's JSON layout.
const cursorVersion = 1

// headBytes is how much of a file's beginning identifies its content.
const headBytes = 1024

// maxCursorFiles bounds how many files a cursor remembers.
const maxCursorFiles = 2000

// cursorState is a source's position in all its files, stored as JSON in
// the source's cursor in the same transaction as the rows it covers:
//
//	{"v":1,"files":{"2049:131075":{"path":"/var/log/nginx/access.log",
//	  "dev":2049,"ino":131075,"head":"9f86d081884c7d659a2feaa0c55ad015",
//	  "head_len":1024,"off":7340032,"line":31337,"seen":"2026-05-01"}}}
//
// Files are keyed by device and inode ("path:…" where the system has none).
type cursorState struct {
	V     int                   `json:"v"`
	Files map[string]*fileState `json:"files"`
}

// fileState is the position in one file.
type fileState struct {
	Path    string `json:"path"`     // where it was last seen (informative)
	Dev     uint64 `json:"dev"`      //
	Ino     uint64 `json:"ino"`      //
	Head    string `json:"head"`     // first 16 bytes, hex, of SHA-256 of the first HeadLen bytes
	HeadLen int    `json:"head_len"` // up to 1 KB: a file smaller than that at first sight grows into it
	Off     int64  `json:"off"`      // bytes consumed: the end of the last complete line (decompressed for .gz)
	Line    int64  `json:"line"`     // lines consumed, for the line numbers of rejections
	Gz      bool   `json:"gz,omitempty"`
	Done    bool   `json:"done,omitempty"` // a .gz read to its end
	Seen    string `json:"seen,omitempty"` // last day the file was found (YYYY-MM-DD)
}

func parseCursor(s string) (*cursorState, error) {
	c := &cursorState{V: cursorVersion, Files: map[string]*fileState{}}
	if s == "" {
		return c, nil
	}
	if err := json.Unmarshal([]byte(s), c); err != nil {
		return nil, domain.Errorf(domain.EINVALID, "accesslog: the stored cursor is not valid (%v); reset the source's cursor to read its files again", err)
	}
	if c.V != cursorVersion {
		return nil, domain.Errorf(domain.EINVALID, "accesslog: the stored cursor has version %d, this build reads version %d", c.V, cursorVersion)
	}
	if c.Files == nil {
		c.Files = map[string]*fileState{}
	}
	return c, nil
}

func (c *cursorState) encode() string {
	b, err := json.Marshal(c)
	if err != nil { // cannot happen: plain types only
		panic(fmt.Sprintf("accesslog: encoding cursor: %v", err))
	}
	return string(b)
}

// prune forgets files not seen since before day (YYYY-MM-DD) and, beyond
// maxCursorFiles, the least recently seen.
func (c *cursorState) prune(day string) {
	for k, f := range c.Files {
		if f.Seen != "" && f.Seen < day {
			delete(c.Files, k)
		}
	}
	if len(c.Files) <= maxCursorFiles {
		return
	}
	keys := make([]string, 0, len(c.Files))
	for k := range c.Files {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return c.Files[keys[i]].Seen < c.Files[keys[j]].Seen })
	for _, k := range keys[:len(keys)-maxCursorFiles] {
		delete(c.Files, k)
	}
}

func headHash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:16])
}

// headMatches reports whether head (a file's first bytes, up to headBytes)
// begins with the content this state was taken from.
func (f *fileState) headMatches(head []byte) bool {
	if len(head) < f.HeadLen {
		return false
	}
	return headHash(head[:f.HeadLen]) == f.Head
}

// setHead records a longer head once the file has grown.
func (f *fileState) setHead(head []byte) {
	if len(head) > f.HeadLen || f.Head == "" {
		f.HeadLen = len(head)
		f.Head = headHash(head)
	}
}

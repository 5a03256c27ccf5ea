package data

import "github.com/ecopulse/ecopulse/domain"

// interner numbers the strings of a scoring window (sources, logins, kinds,
// threads) so that its one pass over 140k activities hashes and compares
// integers, and each distinct string is stored once. Id 0 is "".
type interner struct {
	ids   map[string]int32
	strs  []string
	flags []uint8 // kindOpening, kindResponse: what the string means as a kind
}

const (
	kindOpening  uint8 = 1 << iota // a thread or pull request opened
	kindResponse                   // a reply, review or merge: an answer
)

func newInterner() *interner {
	return &interner{ids: map[string]int32{"": 0}, strs: []string{""}, flags: []uint8{0}}
}

func (in *interner) id(s string) int32 {
	if id, ok := in.ids[s]; ok {
		return id
	}
	return in.add(s)
}

// idBytes is id for a string still in bytes: looking it up allocates nothing.
func (in *interner) idBytes(b []byte) int32 {
	if id, ok := in.ids[string(b)]; ok {
		return id
	}
	return in.add(string(b))
}

func (in *interner) add(s string) int32 {
	id := int32(len(in.strs))
	in.ids[s] = id
	in.strs = append(in.strs, s)
	var f uint8
	switch s {
	case domain.ActThreadOpened, domain.ActPROpened:
		f = kindOpening
	case domain.ActReply, domain.ActReview, domain.ActPRMerged:
		f = kindResponse
	}
	in.flags = append(in.flags, f)
	return id
}

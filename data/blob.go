package data

import "encoding/binary"

// blobReader reads the store's derived blobs (day digests, a day's edges):
// varints and runs of bytes. It remembers the first shortfall, so a decoder
// reads a whole record and checks once.
type blobReader struct {
	b   []byte
	bad bool
}

// openBlob checks b's leading version byte and returns a reader of the rest.
func openBlob(b []byte, version byte) (blobReader, bool) {
	if len(b) == 0 || b[0] != version {
		return blobReader{bad: true}, false
	}
	return blobReader{b: b[1:]}, true
}

func (r *blobReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *blobReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

// bytes returns the next n bytes (nil, and the reader failed, when fewer
// are left). They alias the blob.
func (r *blobReader) bytes(n uint64) []byte {
	if n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}

// count reads a count of records of at least min bytes each, failing when
// the blob cannot hold that many (a damaged count must not allocate).
func (r *blobReader) count(min int) uint64 {
	n := r.uvarint()
	if n > uint64(len(r.b)/min) {
		r.fail()
		return 0
	}
	return n
}

// done reports whether the blob was read whole and exactly.
func (r *blobReader) done() bool { return !r.bad && len(r.b) == 0 }

func (r *blobReader) fail() {
	r.bad = true
	r.b = nil
}

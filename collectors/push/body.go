package push

import (
	"compress/gzip"
	"compress/zlib"
	"io"
	"strings"

	"github.com/ecopulse/ecopulse/domain"
)

// Body returns a reader of the decoded request body: gzip (Content-Encoding
// gzip or x-gzip) and deflate (zlib) are un-compressed; "" and identity are
// read as is. Reading more than limit bytes of decoded body (DefaultMaxBody
// when limit <= 0) fails with a domain.ETOOLARGE error, so that a small
// compressed body cannot expand without bound (a zip bomb).
func Body(r io.Reader, contentEncoding string, limit int64) (io.Reader, error) {
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	enc := strings.ToLower(strings.TrimSpace(contentEncoding))
	switch enc {
	case "", "identity":
		return &limitReader{r: r, limit: limit}, nil
	case "gzip", "x-gzip":
		z, err := gzip.NewReader(r)
		if err != nil {
			return nil, domain.Errorf(domain.EINVALID, "body is not valid gzip: %v", err)
		}
		return &limitReader{r: &decompressReader{r: z, format: "gzip"}, limit: limit}, nil
	case "deflate":
		z, err := zlib.NewReader(r)
		if err != nil {
			return nil, domain.Errorf(domain.EINVALID, "body is not valid deflate (zlib) data: %v", err)
		}
		return &limitReader{r: &decompressReader{r: z, format: "deflate"}, limit: limit}, nil
	}
	return nil, domain.Errorf(domain.EINVALID, "unsupported Content-Encoding %q: send gzip, deflate or identity", shorten(contentEncoding))
}

// limitReader fails with ETOOLARGE once more than limit bytes were read.
type limitReader struct {
	r     io.Reader
	limit int64
	n     int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n > l.limit {
		return 0, l.tooLarge()
	}
	if rest := l.limit - l.n + 1; int64(len(p)) > rest {
		p = p[:rest] // read at most one byte past the limit
	}
	k, err := l.r.Read(p)
	l.n += int64(k)
	if l.n > l.limit {
		return k - int(l.n-l.limit), l.tooLarge()
	}
	return k, err
}

func (l *limitReader) tooLarge() error {
	return domain.Errorf(domain.ETOOLARGE, "body is larger than %d bytes once decompressed", l.limit)
}

// decompressReader reports corrupt compressed data as EINVALID.
type decompressReader struct {
	r      io.Reader
	format string
}

func (d *decompressReader) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if err != nil && err != io.EOF {
		return n, domain.Errorf(domain.EINVALID, "body is not valid %s: %v", d.format, err)
	}
	return n, err
}

package app

import (
	"bytes"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/collectors/push"
	"github.com/ecopulse/ecopulse/domain"
)

// Request bodies. Fiber's c.Body() (and fasthttp's multipart reader)
// un-gzip a body with no bound: a 255 KB gzip bomb took the server to 1 GB.
// Every body but push ingest's (which has its own, larger bound: app/ingest.go)
// is read once, by boundBodies, through the one bounded reader below, before
// the authorisation gate or a handler looks at it; handlers read it back with
// requestBody.
const (
	// maxRequestBody bounds a request body, once decompressed, on every
	// route but push ingest: forms and JSON edits are a few KB.
	maxRequestBody = 1 << 20
	// maxFormField bounds each field of a form (name and value): the
	// longest legitimate one, an agreement's description, is far below.
	maxFormField = 64 << 10
	// maxContentCodings bounds the codings a body may be wrapped in
	// ("gzip, gzip" is legal HTTP; each layer costs a decompression pass).
	maxContentCodings = 2
)

// localBody is where requestBody keeps the decoded body (c.Locals:
// server-side only, never set from the request).
const localBody = "ecopulse.body"

// contentCodings returns the content codings of a request body in the order
// they were applied, or a 415 error for a coding we do not read.
// "identity" is no coding.
func contentCodings(header string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(header, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		switch f {
		case "", "identity":
		case "gzip", "x-gzip", "deflate":
			out = append(out, f)
		default:
			return nil, fiber.NewError(fiber.StatusUnsupportedMediaType,
				"unsupported Content-Encoding "+quoteShort(f)+": send gzip, deflate or identity")
		}
	}
	if len(out) > maxContentCodings {
		return nil, fiber.NewError(fiber.StatusUnsupportedMediaType, "a body may be wrapped in at most 2 content codings")
	}
	return out, nil
}

// quoteShort quotes a client's string for an error message, cut to a
// length that keeps the message readable.
func quoteShort(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}

// boundedBody decodes raw through codings (applied in that order, so read
// back to front) and returns at most limit bytes: more is a domain.ETOOLARGE
// error, corrupt compressed data a domain.EINVALID one. Every layer streams
// through push.Body's bounded reader (the ingest reader), so no layer ever
// produces more than limit+1 bytes, and the result is never allocated
// beyond limit+1 bytes whatever the compression ratio.
func boundedBody(raw []byte, codings []string, limit int) ([]byte, error) {
	if len(raw) > limit {
		return nil, tooLargeBody(limit)
	}
	var r io.Reader = bytes.NewReader(raw)
	for i := len(codings) - 1; i >= 0; i-- {
		var err error
		if r, err = push.Body(r, codings[i], int64(limit)); err != nil {
			return nil, err
		}
	}
	return readAtMost(r, limit)
}

// readAtMost reads r to its end into a buffer that grows no larger than
// limit+1 bytes (io.ReadAll or bytes.Buffer could double past it).
func readAtMost(r io.Reader, limit int) ([]byte, error) {
	buf := make([]byte, 0, min(limit+1, 4096))
	for {
		if len(buf) == cap(buf) {
			if len(buf) > limit {
				return nil, tooLargeBody(limit)
			}
			grown := make([]byte, len(buf), min(2*cap(buf), limit+1))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if len(buf) > limit {
			return nil, tooLargeBody(limit)
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			if domain.ErrorCode(err) == domain.EINTERNAL {
				return nil, domain.Errorf(domain.EINVALID, "the request body could not be read: %v", err)
			}
			return nil, err
		}
	}
}

func tooLargeBody(limit int) error {
	return domain.Errorf(domain.ETOOLARGE, "request body is larger than %d bytes (once decompressed)", limit)
}

// requestBody returns the request's body decoded and bounded by
// maxRequestBody. Handlers read bodies only through it (or through the
// form values boundBodies has checked).
func requestBody(c *fiber.Ctx) ([]byte, error) {
	if b, ok := c.Locals(localBody).([]byte); ok {
		return b, nil
	}
	req := c.Request()
	codings, err := contentCodings(string(bytes.Join(req.Header.PeekAll(fiber.HeaderContentEncoding), []byte(","))))
	if err != nil {
		return nil, err
	}
	// The raw bytes: c.Body() would decompress them itself, unbounded.
	b, err := boundedBody(req.Body(), codings, maxRequestBody)
	if err != nil {
		return nil, err
	}
	c.Locals(localBody, b)
	return b, nil
}

// boundBodies reads the body of every request but push ingest's through
// requestBody, before anything else parses it: the CSRF check reads form
// fields, and fasthttp un-gzips a compressed multipart form with no bound.
// The decoded body replaces the raw one (and Content-Encoding goes), so
// that Fiber and fasthttp see a plain body no larger than maxRequestBody;
// then every form field is bounded by maxFormField.
func (a *App) boundBodies(c *fiber.Ctx) error {
	req := c.Request()
	if len(req.Body()) == 0 && len(req.Header.Peek(fiber.HeaderContentEncoding)) == 0 {
		return c.Next()
	}
	if rule, ok := routeOf(c); !ok || rule.need == accessToken {
		// No route: the gate answers 404 without reading the body. Push
		// ingest reads its own body, with its own bound (app/ingest.go).
		return c.Next()
	}
	b, err := requestBody(c)
	if err != nil {
		return err
	}
	if len(req.Header.Peek(fiber.HeaderContentEncoding)) > 0 {
		req.Header.Del(fiber.HeaderContentEncoding)
		req.SetBody(b)
	}
	if err := checkFormFields(c); err != nil {
		return err
	}
	return c.Next()
}

// checkFormFields refuses a form (urlencoded or multipart) with a field,
// name or value, longer than maxFormField.
func checkFormFields(c *fiber.Ctx) error {
	tooLong := func(name string) error {
		return domain.Errorf(domain.ETOOLARGE, "form field %s is longer than %d bytes", quoteShort(name), maxFormField)
	}
	ctype := strings.ToLower(string(c.Request().Header.ContentType()))
	switch {
	case strings.HasPrefix(ctype, fiber.MIMEApplicationForm):
		var bad string
		c.Request().PostArgs().VisitAll(func(k, v []byte) {
			if bad == "" && (len(k) > maxFormField || len(v) > maxFormField) {
				bad = string(k[:min(len(k), 40)])
			}
		})
		if bad != "" {
			return tooLong(bad)
		}
	case strings.HasPrefix(ctype, fiber.MIMEMultipartForm):
		form, err := c.MultipartForm()
		if err != nil {
			return domain.Errorf(domain.EINVALID, "the form could not be read: %v", err)
		}
		for name, values := range form.Value {
			for _, v := range values {
				if len(name) > maxFormField || len(v) > maxFormField {
					return tooLong(name)
				}
			}
		}
		for name, files := range form.File {
			for _, f := range files {
				if len(name) > maxFormField || f.Size > maxFormField {
					return tooLong(name)
				}
			}
		}
	}
	return nil
}

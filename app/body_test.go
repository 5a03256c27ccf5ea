package app

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/gofiber/fiber/v2"
)

func gzipped(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func deflated(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

var (
	bombOnce sync.Once
	bomb     []byte
)

// gzipBomb is the review's request body: about 255 KB of gzip that
// expands to 256 MiB of zeros (made once per test binary).
func gzipBomb(tb testing.TB) []byte {
	tb.Helper()
	bombOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zeros := make([]byte, 1<<20)
		for range 256 {
			zw.Write(zeros)
		}
		zw.Close()
		bomb = buf.Bytes()
	})
	if len(bomb) > 300<<10 {
		tb.Fatalf("the bomb is %d bytes, want about 255 KB", len(bomb))
	}
	return bomb
}

func TestBoundedBody(t *testing.T) {
	const limit = 1 << 10
	small := []byte(`{"name":"ada"}`)
	big := bytes.Repeat([]byte("x"), limit+1)
	exact := bytes.Repeat([]byte("y"), limit)
	for _, tc := range []struct {
		name     string
		raw      []byte
		encoding string
		want     []byte
		code     string // data error code, "" for none
	}{
		{"identity", small, "", small, ""},
		{"identity named", small, "identity", small, ""},
		{"gzip", gzipped(t, small), "gzip", small, ""},
		{"x-gzip", gzipped(t, small), "X-Gzip", small, ""},
		{"deflate", deflated(t, small), "deflate", small, ""},
		{"nested", gzipped(t, deflated(t, small)), "deflate, gzip", small, ""},
		{"exactly the bound", gzipped(t, exact), "gzip", exact, ""},
		{"raw over the bound", big, "", nil, domain.ETOOLARGE},
		{"decompressed over the bound", gzipped(t, big), "gzip", nil, domain.ETOOLARGE},
		{"bomb", gzipBomb(t), "gzip", nil, domain.ETOOLARGE},
		{"nested bomb", gzipped(t, gzipped(t, make([]byte, 1<<20))), "gzip, gzip", nil, domain.ETOOLARGE},
		{"truncated gzip", gzipped(t, small)[:12], "gzip", nil, domain.EINVALID},
		{"not gzip", small, "gzip", nil, domain.EINVALID},
		{"not deflate", small, "deflate", nil, domain.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			codings, err := contentCodings(tc.encoding)
			if err != nil {
				t.Fatal(err)
			}
			got, err := boundedBody(tc.raw, codings, limit)
			if tc.code == "" {
				if err != nil || !bytes.Equal(got, tc.want) {
					t.Fatalf("got %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if got != nil || domain.ErrorCode(err) != tc.code {
				t.Fatalf("got %d bytes, %v; want a %s error", len(got), err, tc.code)
			}
		})
	}
}

func TestContentCodingsRefusesWhatItCannotRead(t *testing.T) {
	for _, enc := range []string{"br", "compress", "gzip, br", "zstd", "gzip, gzip, gzip"} {
		_, err := contentCodings(enc)
		var fe *fiber.Error
		if !errors.As(err, &fe) || fe.Code != http.StatusUnsupportedMediaType {
			t.Errorf("Content-Encoding %q: %v, want 415", enc, err)
		}
	}
}

// FuzzBoundedBody: whatever the body and its Content-Encoding, the reader
// returns at most the bound and allocates no more than the bound for the
// result, and fails only with ETOOLARGE, EINVALID or a 415.
func FuzzBoundedBody(f *testing.F) {
	const limit = 4 << 10
	small := []byte(`{"name":"ada","role":"viewer"}`)
	f.Add([]byte(nil), "")
	f.Add(small, "")
	f.Add(small, "identity")
	f.Add(gzipped(f, small), "gzip")
	f.Add(deflated(f, small), "deflate")
	f.Add(gzipped(f, make([]byte, 1<<20)), "gzip")                                 // a bomb: 1 MiB of zeros in 1 KB
	f.Add(gzipped(f, gzipped(f, make([]byte, 1<<20))), "gzip, gzip")               // nested bomb
	f.Add(gzipped(f, deflated(f, small)), "deflate, gzip")                         // nested encodings
	f.Add(gzipped(f, small)[:10], "gzip")                                          // truncated gzip
	f.Add(append(gzipped(f, small), gzipped(f, small)...), "gzip")                 // concatenated members
	f.Add(deflated(f, bytes.Repeat([]byte("a"), limit+1)), "deflate")              // one byte over
	f.Add(gzipped(f, small), "br")                                                 // unsupported
	f.Add(gzipped(f, gzipped(f, gzipped(f, small))), "gzip, gzip, gzip")           // too many layers
	f.Add(bytes.Repeat([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, 10), "gzip") // headers only
	f.Fuzz(func(t *testing.T, raw []byte, encoding string) {
		codings, err := contentCodings(encoding)
		if err != nil {
			var fe *fiber.Error
			if !errors.As(err, &fe) || fe.Code != http.StatusUnsupportedMediaType {
				t.Fatalf("Content-Encoding %q: %v", encoding, err)
			}
			return
		}
		got, err := boundedBody(raw, codings, limit)
		if err != nil {
			if code := domain.ErrorCode(err); code != domain.ETOOLARGE && code != domain.EINVALID {
				t.Fatalf("error %v (code %s), want ETOOLARGE or EINVALID", err, code)
			}
			if got != nil {
				t.Fatalf("%d bytes returned with an error", len(got))
			}
			return
		}
		if len(got) > limit || cap(got) > limit+1 {
			t.Fatalf("returned %d bytes (capacity %d), bound %d", len(got), cap(got), limit)
		}
	})
}

// bombRequest sends a gzip bomb as a JSON body with a session and reports
// the status and how many bytes the process allocated meanwhile.
func bombRequest(t *testing.T, a *App, s testSession, method, target string) (int, uint64) {
	t.Helper()
	req := httptest.NewRequest(method, target, bytes.NewReader(gzipBomb(t)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	s.apply(req)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	resp, err := a.Fiber().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	runtime.ReadMemStats(&after)
	return resp.StatusCode, after.TotalAlloc - before.TotalAlloc
}

// The review's attack: a 255 KB gzip bomb to the manager's and the admin's
// JSON endpoints answers 413, having decompressed no more than the bound
// (the bomb is 256 MiB once decompressed; before the fix the server
// inflated all of it).
func TestGzipBombToJSONEndpointsIs413(t *testing.T) {
	db := seededDB(t)
	a := newTestApp(t, db)
	ags, err := db.Agreements(context.Background())
	if err != nil || len(ags) == 0 {
		t.Fatalf("agreements: %v", err)
	}
	manager, admin := loginAs(t, a, domain.RoleManager), loginAs(t, a, domain.RoleAdmin)
	usersBefore, err := db.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		who            testSession
		method, target string
	}{
		{manager, "PUT", "/api/v1/projects/" + ags[0].Slug},
		{manager, "POST", "/api/v1/projects"},
		{admin, "POST", "/api/v1/admin/users"},
		{admin, "POST", "/api/v1/admin/tokens"},
	} {
		status, allocated := bombRequest(t, a, tc.who, tc.method, tc.target)
		if status != http.StatusRequestEntityTooLarge {
			t.Errorf("%s %s with a gzip bomb: %d, want 413", tc.method, tc.target, status)
		}
		// The bound is 1 MiB; the request, its session and the error
		// page cost a few MB more. The bomb itself is 256 MiB.
		if allocated > 32<<20 {
			t.Errorf("%s %s with a gzip bomb allocated %d MB", tc.method, tc.target, allocated>>20)
		}
	}
	usersAfter, err := db.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(usersAfter) != len(usersBefore) {
		t.Errorf("%d users after the bombs, want %d", len(usersAfter), len(usersBefore))
	}
}

// Forms are bounded too: fasthttp un-gzips a compressed multipart form by
// itself, with no bound, the moment anything (the CSRF check) reads a field.
func TestCompressedAndOversizedFormsAre413(t *testing.T) {
	db := seededDB(t)
	a := newTestApp(t, db)
	manager := loginAs(t, a, domain.RoleManager)
	send := func(body []byte, ctype, encoding string, s *testSession) int {
		t.Helper()
		req := httptest.NewRequest("POST", "/projects/new", bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		if encoding != "" {
			req.Header.Set("Content-Encoding", encoding)
		}
		if s != nil {
			s.apply(req)
		}
		resp, err := a.Fiber().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	multipartOf := func(fields map[string]string) ([]byte, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		mw.Close()
		return buf.Bytes(), mw.FormDataContentType()
	}
	bombForm, bombType := multipartOf(map[string]string{"csrf": manager.csrf, "name": strings.Repeat("a", 8<<20)})
	longField, longType := multipartOf(map[string]string{"csrf": manager.csrf, "name": strings.Repeat("a", maxFormField+1)})
	urlencoded := "application/x-www-form-urlencoded"
	for _, tc := range []struct {
		name     string
		body     []byte
		ctype    string
		encoding string
		session  *testSession
		want     int
	}{
		// Refused before the gate: an anonymous client cannot make the
		// CSRF check inflate a form either.
		{"gzip multipart, anonymous", gzipped(t, bombForm), bombType, "gzip", nil, http.StatusRequestEntityTooLarge},
		{"gzip multipart, manager", gzipped(t, bombForm), bombType, "gzip", &manager, http.StatusRequestEntityTooLarge},
		{"gzip urlencoded", gzipped(t, []byte("csrf="+manager.csrf+"&name="+strings.Repeat("a", 2<<20))), urlencoded, "gzip", &manager, http.StatusRequestEntityTooLarge},
		{"multipart field over 64 KiB", longField, longType, "", &manager, http.StatusRequestEntityTooLarge},
		{"urlencoded field over 64 KiB", []byte("csrf=" + manager.csrf + "&name=" + strings.Repeat("a", maxFormField+1)), urlencoded, "", &manager, http.StatusRequestEntityTooLarge},
		{"body over 1 MiB", []byte("csrf=" + manager.csrf + strings.Repeat("&n=aaaa", 200<<10)), urlencoded, "", &manager, http.StatusRequestEntityTooLarge},
		{"brotli", []byte("csrf=" + manager.csrf), urlencoded, "br", &manager, http.StatusUnsupportedMediaType},
	} {
		if got := send(tc.body, tc.ctype, tc.encoding, tc.session); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	// A small gzip form is decoded and works: the gate reads its CSRF
	// token, the form its fields (400: the agreement is incomplete).
	form := url.Values{"csrf": {manager.csrf}, "name": {"Pilot"}}.Encode()
	if got := send(gzipped(t, []byte(form)), urlencoded, "gzip", &manager); got != http.StatusBadRequest {
		t.Errorf("a small gzip form: %d, want 400 (read, then validated)", got)
	}
}

// Package fakeapi is the tests' stand-in for a remote HTTP API: an
// httptest server with handlers by URL path that records every request
// (with its body) and the status it was answered with. The collectors'
// tests replay GitHub and Discourse responses through it, the alert tests
// a webhook's.
package fakeapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Server is a fake API. A path without a handler is answered by the
// fallback New was given.
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	routes   map[string]http.HandlerFunc
	fallback http.HandlerFunc
	reqs     []Request
}

// Request is a request the server received: a copy of it, its body read,
// and the status it was answered with.
type Request struct {
	*http.Request
	Body   []byte
	Status int
}

// New starts a server, closed when the test ends. fallback answers the
// paths without a handler; nil answers them 404.
func New(tb testing.TB, fallback http.HandlerFunc) *Server {
	tb.Helper()
	if fallback == nil {
		fallback = http.NotFound
	}
	s := &Server{routes: map[string]http.HandlerFunc{}, fallback: fallback}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.mu.Lock()
	i := len(s.reqs)
	s.reqs = append(s.reqs, Request{Request: r.Clone(context.Background()), Body: body})
	h := s.routes[r.URL.Path]
	s.mu.Unlock()
	if h == nil {
		h = s.fallback
	}
	rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	h(rec, r)
	s.mu.Lock()
	s.reqs[i].Status = rec.status
	s.mu.Unlock()
}

// Handle answers requests for path with h, in place of any handler before.
func (s *Server) Handle(path string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.routes[path] = h
}

// Requests returns the requests received for path, in order.
func (s *Server) Requests(path string) []*http.Request {
	var out []*http.Request
	for _, r := range s.Received() {
		if r.URL.Path == path {
			out = append(out, r.Request)
		}
	}
	return out
}

// AllRequests returns every request received, in order.
func (s *Server) AllRequests() []*http.Request {
	var out []*http.Request
	for _, r := range s.Received() {
		out = append(out, r.Request)
	}
	return out
}

// Received returns every request received, in order, with its body and
// the status it was answered with (that of a request still being answered
// is 0).
func (s *Server) Received() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// statusWriter keeps the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Sequence answers the n-th request with the n-th handler, the last one
// again for any further request.
func Sequence(hs ...http.HandlerFunc) http.HandlerFunc {
	var mu sync.Mutex
	n := 0
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := hs[min(n, len(hs)-1)]
		n++
		mu.Unlock()
		h(w, r)
	}
}

// JSON answers 200 with body as JSON, and the given header pairs.
func JSON(body []byte, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Add(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(body)
	}
}

// Status answers code with body as JSON, and the given header pairs.
func Status(code int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(code)
		w.Write([]byte(body))
	}
}

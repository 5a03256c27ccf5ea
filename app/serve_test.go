package app

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data/datatest"
)

// TestServeDrainsAndStops serves on a real listener, then cancels: Serve
// returns, readiness drops and the port stops answering.
func TestServeDrainsAndStops(t *testing.T) {
	cfg := config.Default()
	cfg.ShutdownTimeout = 5 * time.Second
	a, err := New(cfg, datatest.MustOpenDB(t), quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()

	client := &http.Client{Timeout: 5 * time.Second}
	var resp *http.Response
	for i := 0; i < 100; i++ { // bounded wait for the listener to serve
		if resp, err = client.Get(url + "/readyz"); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("server never answered: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/readyz = %d while serving", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve returned %v", err)
		}
	case <-time.After(cfg.ShutdownTimeout + 5*time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	if a.ready.Load() {
		t.Error("still ready after shutdown")
	}
	if a.jobs.ctx.Err() == nil {
		t.Error("jobs' context was not cancelled on shutdown")
	}
	if _, err := client.Get(url + "/healthz"); err == nil {
		t.Error("the port still answers after shutdown")
	}
}

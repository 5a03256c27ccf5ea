package app

import (
	"testing"

	"github.com/ecopulse/ecopulse/views"
)

// TestNetworkMinKFilter: ?min_k= keeps the ties with K_ij ≥ min_k, every
// member stays with the ties left to it, the page counts what the API
// lists, and a value outside [0, 1] is refused.
func TestNetworkMinKFilter(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	_, body, _ := get(t, a.Fiber(), "/api/v1/network")
	all := decode[views.Network](t, body)
	const minK = 0.3
	strong := 0
	for _, e := range all.Edges {
		if e.K >= minK {
			strong++
		}
	}
	if strong == 0 || strong == len(all.Edges) {
		t.Fatalf("the demo has %d of %d ties with k ≥ %v: the filter would test nothing", strong, len(all.Edges), minK)
	}
	status, body, _ := get(t, a.Fiber(), "/api/v1/network?min_k=0.3")
	if status != 200 {
		t.Fatalf("GET /api/v1/network?min_k=0.3 = %d: %s", status, body)
	}
	n := decode[views.Network](t, body)
	if n.MinK != minK || len(n.Edges) != strong || len(n.Nodes) != len(all.Nodes) {
		t.Errorf("min_k %v: %d ties of %d, %d members of %d", n.MinK, len(n.Edges), strong, len(n.Nodes), len(all.Nodes))
	}
	degree := map[string]int{}
	for _, e := range n.Edges {
		if e.K < minK {
			t.Errorf("tie %s–%s k = %v under min_k", e.A, e.B, e.K)
		}
		degree[e.A]++
		degree[e.B]++
	}
	for _, nd := range n.Nodes {
		if nd.Degree != degree[nd.Slug] {
			t.Errorf("%s: degree %d, ties listed %d", nd.Slug, nd.Degree, degree[nd.Slug])
		}
	}
	_, page, _ := get(t, a.Fiber(), "/network?min_k=0.3")
	if vals := pageValues(t, page); vals["edges"] != float64(strong) || vals["nodes"] != float64(len(n.Nodes)) {
		t.Errorf("the page counts %v ties and %v members, the API %d and %d", vals["edges"], vals["nodes"], strong, len(n.Nodes))
	}
	links := mpNetworkSpec(t, page)["option"].(map[string]any)["series"].([]any)[0].(map[string]any)["links"].([]any)
	if len(links) != strong {
		t.Errorf("the graph draws %d ties, want %d", len(links), strong)
	}
	for _, bad := range []string{"-1", "1.5", "x", "NaN"} {
		for _, path := range []string{"/api/v1/network?min_k=", "/network?min_k="} {
			if status, _, _ := get(t, a.Fiber(), path+bad); status != 400 {
				t.Errorf("GET %s%s = %d, want 400", path, bad, status)
			}
		}
	}
}

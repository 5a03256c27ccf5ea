package views

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/domain"
)

func TestParseMinK(t *testing.T) {
	for in, want := range map[string]float64{"": 0, " ": 0, "0": 0, "0.3": 0.3, "1": 1, "0.05": 0.05} {
		got, err := ParseMinK(in)
		if err != nil || got != want {
			t.Errorf("ParseMinK(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"-0.1", "1.01", "NaN", "Inf", "abc", "0x1p-2junk", "1e9"} {
		if _, err := ParseMinK(in); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("ParseMinK(%q): %v, want an invalid-input error", in, err)
		}
	}
}

func TestNetworkQueryKeepsStrongTiesOnly(t *testing.T) {
	q := NetworkQuery{MinK: 0.3}
	for k, want := range map[float64]bool{0: false, 0.29: false, 0.3: true, 0.9: true} {
		if got := q.keepTie(k); got != want {
			t.Errorf("min_k 0.3 keeps k = %v: %v, want %v", k, got, want)
		}
	}
	if (NetworkQuery{}).keepTie(0) {
		t.Error("without a filter a tie of k = 0 is kept")
	}
}

// manyNodes is a network of n members by descending C; every fifth is at
// risk.
func manyNodes(n int) Network {
	net := Network{At: "2026-06-30"}
	for i := 0; i < n; i++ {
		st := domain.StatusHealthy
		if i%5 == 4 {
			st = domain.StatusAtRisk
		}
		net.Nodes = append(net.Nodes, NetworkNode{Slug: fmt.Sprintf("m%02d", i), Name: fmt.Sprintf("Member %d", i), Status: st,
			Health: 50, ValueFigures: ValueFigures{C: float64(n - i), K: 1}})
	}
	return net
}

// TestNetworkLabelsLandmarksAndMembersAtRisk: of many members the graph
// names the largest and those at risk only, cuts long labels to the width
// app.js leaves room for, and draws no legend of its own.
func TestNetworkLabelsLandmarksAndMembersAtRisk(t *testing.T) {
	n := manyNodes(40)
	spec, err := networkGraph(n, DefaultBands(), EnglishTr())
	if err != nil {
		t.Fatal(err)
	}
	s := optSeries(spec.Option, 0)
	for i, item := range s["data"].([]any) {
		show := item.(map[string]any)["label"].(map[string]any)["show"]
		want := i < networkLabels || n.Nodes[i].Status == domain.StatusAtRisk
		if show != want {
			t.Errorf("node %d (%s): label shown %v, want %v", i, n.Nodes[i].Status, show, want)
		}
	}
	lb := s["label"].(map[string]any)
	if lb["width"] != float64(networkLabelWidth) && lb["width"] != networkLabelWidth || lb["overflow"] != "truncate" {
		t.Errorf("series label %v: want labels cut at %d px", lb, networkLabelWidth)
	}
	if lg, _ := spec.Option["legend"].(map[string]any); lg["show"] != false {
		t.Errorf("legend %v: the page's band legend is the only one", lg)
	}
}

// TestNetworkPageShowsItsFilter: the slider carries min_k, the counts say
// which ties they count.
func TestNetworkPageShowsItsFilter(t *testing.T) {
	n := networkSample()
	n.MinK = 0.3
	n.Edges = n.Edges[:2]
	var buf bytes.Buffer
	if err := newTestRenderer(t).NetworkPage(&buf, n); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{`name="min_k" min="0" max="1" step="0.05" value="0.3"`, `<span data-value="edges">2</span> ties with K<sub>ij</sub> ≥ 0.3`} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	buf.Reset()
	if err := newTestRenderer(t).NetworkPage(&buf, networkSample()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `value="0" data-autosubmit`) || !strings.Contains(buf.String(), `ties with K<sub>ij</sub> &gt; 0`) {
		t.Error("without a filter the slider is not at 0, or the count does not say k > 0")
	}
}

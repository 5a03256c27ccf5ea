package views

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func networkSample() Network {
	return Network{At: "2026-06-30", Segments: []string{"NLP", "vision"},
		Nodes: []NetworkNode{
			{Slug: "acme", Name: "Acme AI", Segment: "NLP", Status: "healthy", Health: 80, ValueFigures: ValueFigures{C: 0.4, K: 1.2}, Degree: 2},
			{Slug: "bolt", Name: "Bolt", Segment: "vision", Status: "watch", Health: 55, ValueFigures: ValueFigures{C: 0.1, K: 0.9}, Degree: 2},
			{Slug: "cask", Name: "Cask", Segment: "NLP", Status: "at_risk", Health: 20, ValueFigures: ValueFigures{C: 0.0, K: 0.3}, Degree: 1},
			{Slug: "dune", Name: "Dune", Segment: "vision", Status: "no_data", Health: math.NaN(), ValueFigures: ValueFigures{C: 0, K: 0}, Degree: 1},
		},
		Edges: []NetworkEdge{{A: "acme", B: "bolt", K: 0.9}, {A: "acme", B: "cask", K: 0.3}, {A: "bolt", B: "dune", K: 0.05}},
	}
}

func TestNetworkGraph(t *testing.T) {
	spec, err := networkGraph(networkSample(), DefaultBands(), EnglishTr())
	if err != nil {
		t.Fatal(err)
	}
	s := optSeries(spec.Option, 0)
	if s["type"] != "graph" || s["layout"] != "force" {
		t.Fatalf("series type %v layout %v", s["type"], s["layout"])
	}
	force := s["force"].(map[string]any)
	if force["layoutAnimation"] != false || force["initLayout"] != "circular" {
		t.Errorf("force = %v: want a settled, repeatable layout", force)
	}
	nodes := s["data"].([]any)
	wantColors := []string{colorHealthy, colorWatch, colorAtRisk, colorNoData}
	var sizes []float64
	for i, n := range nodes {
		item := n.(map[string]any)
		if got, want := item["slug"], networkSample().Nodes[i].Slug; got != want {
			t.Errorf("node %d slug %v, want %v", i, got, want)
		}
		if got := item["itemStyle"].(map[string]any)["color"]; got != wantColors[i] {
			t.Errorf("node %d colour %v, want %v", i, got, wantColors[i])
		}
		sizes = append(sizes, item["symbolSize"].(float64))
		if _, ok := item["value"].(float64); !ok {
			t.Errorf("node %d has no numeric value (app.js would see no data): %v", i, item["value"])
		}
	}
	if !(sizes[0] > sizes[1] && sizes[1] > sizes[2]) {
		t.Errorf("node sizes %v do not follow C", sizes)
	}
	links := s["links"].([]any)
	if len(links) != 3 {
		t.Fatalf("links = %d", len(links))
	}
	w0 := links[0].(map[string]any)["lineStyle"].(map[string]any)["width"].(float64)
	w2 := links[2].(map[string]any)["lineStyle"].(map[string]any)["width"].(float64)
	if !(w0 > w2) {
		t.Errorf("link widths %v, %v do not follow K_ij", w0, w2)
	}
	if src := links[0].(map[string]any)["source"]; src != 0.0 {
		t.Errorf("links refer to nodes by index: source %v", src)
	}
	if cats := s["categories"].([]any); len(cats) != 4 {
		t.Errorf("categories = %v, want the four statuses", cats)
	}
	if strings.Contains(mustJSON(t, spec.Option), "__f__") {
		t.Error("graph options carry a function string")
	}
	empty, err := networkGraph(Network{}, DefaultBands(), EnglishTr())
	if err != nil || !empty.NoData {
		t.Errorf("empty network: %+v, %v", empty, err)
	}
}

func TestNetworkPageRenders(t *testing.T) {
	n := networkSample()
	n.Nodes[0].Name = hostileNames[0]
	n.Nodes[1].Name = hostileNames[1]
	var buf bytes.Buffer
	if err := newTestRenderer(t).NetworkPage(&buf, n); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{`<span data-value="nodes">4</span>`, `<span data-value="edges">3</span>`,
		`<tr data-slug="acme">`, `&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;`, `aria-current="page">Network`} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{"<script>alert", "<img src=x"} {
		if strings.Contains(html, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	specs := pageChartSpecs(t, html)
	if g, ok := specs["chart-network-data"]; !ok || g.NoData {
		t.Fatalf("no network chart: %v", specs)
	}
	if !strings.Contains(html, `"links":"member"`) {
		t.Error("the network block does not ask for member links")
	}
}

package views

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// The cooperation network: /network and /api/v1/network.

// NetworkNode is a scored member in the network.
type NetworkNode struct {
	Slug    string  `json:"slug"`
	Name    string  `json:"name"`
	Segment string  `json:"segment"`
	Kind    string  `json:"kind"`
	Tier    string  `json:"tier"`
	Status  string  `json:"status"`
	Health  float64 `json:"health"`
	// ValueFigures: its K is over all its ties, also those outside a
	// segment filter.
	ValueFigures
	Degree int `json:"degree"` // ties shown (k > 0, and k ≥ min_k)
}

// NetworkEdge is a cooperation tie K_ij > 0 (≥ min_k) between two shown members.
type NetworkEdge struct {
	A string  `json:"a"`
	B string  `json:"b"`
	K float64 `json:"k"`
}

// Network is the cooperation network of a day.
type Network struct {
	At string `json:"at"`
	DayShown
	Segment       string        `json:"segment,omitempty"` // the filter; empty: every member
	MinK          float64       `json:"min_k,omitempty"`   // ties with k ≥ min_k only; absent: every tie with k > 0
	Segments      []string      `json:"segments"`          // segments of the scored members
	Nodes         []NetworkNode `json:"nodes"`             // by descending C
	Edges         []NetworkEdge `json:"edges"`             // by descending k
	Empty         bool          `json:"empty"`
	LastCollected string        `json:"last_collected,omitempty"`
}

// BuildNetwork returns the scored members of day at (the latest scored day
// when zero) and their ties with k > 0; with a segment, only that segment's
// members and the ties among them.
func BuildNetwork(ctx context.Context, db *data.DB, at time.Time, segment string) (*Network, error) {
	return BuildNetworkFor(ctx, db, NetworkQuery{At: at, Segment: segment})
}

// readNetwork is BuildNetworkFor inside its snapshot.
func readNetwork(ctx context.Context, db *data.DB, q NetworkQuery) (*Network, error) {
	at, segment := q.At, q.Segment
	n := &Network{Segment: segment, MinK: q.MinK, Segments: []string{}, Nodes: []NetworkNode{}, Edges: []NetworkEdge{}}
	if len(segment) > maxMembersQueryLen {
		return nil, domain.ErrorKey(domain.EINVALID, "errors.query.too_long", domain.Facts{"Name": "segment", "Max": maxMembersQueryLen}, "segment is longer than %d characters", maxMembersQueryLen)
	}
	last, err := db.LastSuccessfulRun(ctx)
	if err != nil {
		return nil, err
	}
	if !last.IsZero() {
		n.LastCollected = last.Format(time.RFC3339)
	}
	day, shown, err := scoreDay(ctx, db, at)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		n.Empty = true
		return n, nil
	} else if err != nil {
		return nil, err
	}
	n.At, n.DayShown = day.Format(domain.DateLayout), shown
	if _, err := db.EcosystemScoreOn(ctx, day); err != nil {
		return nil, err
	}
	scored, err := db.ScoresOn(ctx, day)
	if err != nil {
		return nil, err
	}
	edges, err := db.EdgesOn(ctx, day)
	if err != nil {
		return nil, err
	}
	index := map[int64]int{}
	segs := map[string]bool{}
	for _, m := range scored {
		if m.Segment != "" && !segs[m.Segment] {
			segs[m.Segment] = true
			n.Segments = append(n.Segments, m.Segment)
		}
		if segment != "" && m.Segment != segment {
			continue
		}
		s := m.Score
		index[m.ID] = len(n.Nodes)
		n.Nodes = append(n.Nodes, NetworkNode{Slug: m.Slug, Name: m.Name, Segment: m.Segment, Kind: string(m.Kind), Tier: m.Tier,
			Status: s.Status, Health: s.Health, ValueFigures: valueFigures(&s)})
	}
	sort.Strings(n.Segments)
	for _, e := range edges {
		a, okA := index[e.A]
		b, okB := index[e.B]
		if !okA || !okB || !q.keepTie(e.K) {
			continue
		}
		n.Nodes[a].Degree++
		n.Nodes[b].Degree++
		n.Edges = append(n.Edges, NetworkEdge{A: n.Nodes[a].Slug, B: n.Nodes[b].Slug, K: e.K})
	}
	sort.SliceStable(n.Nodes, func(i, j int) bool {
		if n.Nodes[i].C != n.Nodes[j].C {
			return n.Nodes[i].C > n.Nodes[j].C
		}
		return n.Nodes[i].Slug < n.Nodes[j].Slug
	})
	sort.SliceStable(n.Edges, func(i, j int) bool {
		if n.Edges[i].K != n.Edges[j].K {
			return n.Edges[i].K > n.Edges[j].K
		}
		if n.Edges[i].A != n.Edges[j].A {
			return n.Edges[i].A < n.Edges[j].A
		}
		return n.Edges[i].B < n.Edges[j].B
	})
	return n, nil
}

// networkPage is what templates/pages/network.html receives.
type networkPage struct {
	Empty    bool
	Shown    DayShown // which scored day is shown, when not the one asked
	At       string
	Segment  string
	Segments []membersOption
	MinK     networkMinK
	Nodes    int
	Edges    int
	Graph    memberChartBlock
	Rows     []networkRow
	TopTies  []networkTieRow
}

type networkRow struct {
	NetworkNode
	Badge  statusBadge
	CText  string
	KText  string
	Strong string // its strongest tie, by name
}

type networkTieRow struct {
	A, B  MemberLink
	KText string
}

// NetworkPage writes /network.
func (r *Renderer) NetworkPage(w io.Writer, n Network) error {
	tr := r.Tr()
	page, err := buildNetworkPage(n, r.opts.Bands, tr)
	if err != nil {
		return err
	}
	return r.render(w, "network", layoutData{
		Title:  tr("network.title"),
		Active: "/network",
		Fresh:  newFreshness(n.At, n.LastCollected),
		Page:   page,
	})
}

const (
	networkTopTies = 15
	// Nodes labelled on the graph: the largest by C, and every member at
	// risk; the others are named in their tooltip and the tables.
	networkLabels = 8
	// networkLabelWidth is the widest a label is drawn, in px; app.js's
	// LABEL_WIDTH (the same number) allows for it; it cuts them shorter on phones.
	networkLabelWidth = 110
)

// networkLabelled reports whether the graph names node i (by descending C)
// of status st: the largest contributors, so the picture has landmarks, and
// every member at risk, the ones a partner manager looks for.
func networkLabelled(i int, nd NetworkNode, st string) bool {
	return (i < networkLabels && nd.C > 0) || st == domain.StatusAtRisk
}

func buildNetworkPage(n Network, bands Bands, tr Tr) (networkPage, error) {
	p := networkPage{Empty: n.Empty, Shown: n.DayShown, At: n.At, Segment: n.Segment, MinK: newNetworkMinK(n.MinK),
		Nodes: len(n.Nodes), Edges: len(n.Edges)}
	if n.Empty {
		return p, nil
	}
	found := false
	for _, s := range n.Segments {
		p.Segments = append(p.Segments, membersOption{Value: s, Label: s, Selected: s == n.Segment})
		found = found || s == n.Segment
	}
	if n.Segment != "" && !found {
		p.Segments = append(p.Segments, membersOption{Value: n.Segment, Label: n.Segment, Selected: true})
	}
	names := map[string]string{}
	for _, nd := range n.Nodes {
		names[nd.Slug] = nd.Name
	}
	strongest := map[string]NetworkEdge{}
	for _, e := range n.Edges { // by descending k: the first seen is the strongest
		for _, s := range []string{e.A, e.B} {
			if _, ok := strongest[s]; !ok {
				strongest[s] = e
			}
		}
	}
	for _, nd := range n.Nodes {
		row := networkRow{NetworkNode: nd, Badge: bands.badge(nd.Status, nd.Health), CText: fmtNum(nd.C), KText: fmtNum(nd.K)}
		if e, ok := strongest[nd.Slug]; ok {
			other := e.A
			if other == nd.Slug {
				other = e.B
			}
			row.Strong = fmt.Sprintf("%s (%s)", names[other], fmtNum(e.K))
		}
		p.Rows = append(p.Rows, row)
	}
	for i, e := range n.Edges {
		if i == networkTopTies {
			break
		}
		p.TopTies = append(p.TopTies, networkTieRow{A: MemberLink{Slug: e.A, Name: names[e.A]}, B: MemberLink{Slug: e.B, Name: names[e.B]}, KText: fmtNum(e.K)})
	}
	members, ties := tr("network.n_members", "N", len(n.Nodes)), tr("network.n_ties", "N", len(n.Edges))
	// One of each by its own message: Tr fills fields and picks no plural form.
	if len(n.Nodes) == 1 {
		members = tr("network.one_member")
	}
	if len(n.Edges) == 1 {
		ties = tr("network.one_tie")
	}
	summary := tr("network.summary", "Members", members, "Ties", ties, "Bound", p.MinK.Bound, "Day", n.At)
	if len(p.TopTies) > 0 {
		var parts []string
		for _, t := range p.TopTies[:min(5, len(p.TopTies))] {
			parts = append(parts, t.A.Name+" – "+t.B.Name+" "+t.KText)
		}
		summary += " " + tr("network.summary_strongest", "List", strings.Join(parts, tr("member.list_sep")))
	}
	p.Graph = newMemberChartBlock(chartBlock{ID: "chart-network", Title: tr("network.title"), Summary: summary, Size: "lg"}, chartSpec{})
	var err error
	if p.Graph.Spec.chartSpec, err = networkGraph(n, bands, tr); err != nil {
		return p, err
	}
	return p, nil
}

// networkStatuses are the graph's categories (its legend), in order; each
// is named by its status badge's word in the page's language.
var networkStatuses = []struct {
	Status, Color string
}{
	{domain.StatusHealthy, colorHealthy},
	{domain.StatusWatch, colorWatch},
	{domain.StatusAtRisk, colorAtRisk},
	{domain.StatusNoData, colorNoData},
}

// networkGraph is the force-directed graph: nodes sized by C and coloured by
// status, edges as wide as K_ij. Every node carries its slug: app.js opens
// its member page on click. The layout runs to the end before the first
// frame (no animation) from a circle, so the same data draws the same graph.
func networkGraph(n Network, bands Bands, tr Tr) (chartSpec, error) {
	if len(n.Nodes) == 0 {
		return noDataSpec(tr("network.no_member_chart")), nil
	}
	maxC, maxK := 0.0, 0.0
	for _, nd := range n.Nodes {
		if finiteNum(nd.C) {
			maxC = math.Max(maxC, nd.C)
		}
	}
	for _, e := range n.Edges {
		maxK = math.Max(maxK, e.K)
	}
	category := map[string]int{}
	cats := make([]*opts.GraphCategory, len(networkStatuses))
	for i, s := range networkStatuses {
		category[s.Status] = i
		cats[i] = &opts.GraphCategory{Name: badgeWordIn(tr, statusBadgeOf(s.Status)), ItemStyle: &opts.ItemStyle{Color: s.Color}}
	}
	nodes, fields, index := networkNodes(n, bands, maxC, category, tr)
	links, linkFields := networkLinks(n, maxK, index)
	opt, err := optionOf(networkChart(nodes, links, cats, tr("network.series")))
	if err != nil {
		return chartSpec{}, err
	}
	networkTune(opt, fields, linkFields)
	return chartSpec{Option: opt}, nil
}

// networkNodes returns a node per member, sized by its C against the
// largest (maxC) and coloured by its status (category), the fields app.js
// reads of each, and each member's node index by slug.
func networkNodes(n Network, bands Bands, maxC float64, category map[string]int, tr Tr) ([]opts.GraphNode, []map[string]any, map[string]int) {
	index := map[string]int{}
	nodes := make([]opts.GraphNode, len(n.Nodes))
	fields := make([]map[string]any, len(n.Nodes))
	for i, nd := range n.Nodes {
		index[nd.Slug] = i
		size := 10.0
		if maxC > 0 && finiteNum(nd.C) {
			size = 10 + 38*math.Sqrt(nd.C/maxC)
		}
		st := nd.Status
		if _, ok := category[st]; !ok {
			st = bands.band(nd.Health)
		}
		nodes[i] = opts.GraphNode{Name: nd.Name, SymbolSize: math.Round(size*10) / 10, Category: category[st],
			ItemStyle: &opts.ItemStyle{Color: networkStatuses[category[st]].Color}}
		c := jsonNumber(nd.C, 6)
		if c == nil {
			c = 0.0
		}
		fields[i] = map[string]any{
			// A value for every node: app.js draws a chart only when some
			// item has one, and tooltips of other charts show it.
			"value": c,
			"id":    nd.Slug,
			"slug":  nd.Slug,
			"tip":   nd.Name,
			"info": memberTipInfo(tr("col.health"), fmtScore(nd.Health)+" ("+badgeWordIn(tr, bands.badge(nd.Status, nd.Health))+")",
				"C", fmtNum(nd.C), "K", fmtNum(nd.K), tr("col.segment"), nd.Segment, tr("network.col.ties"), fmt.Sprint(nd.Degree)),
			"label": map[string]any{"show": networkLabelled(i, nd, st)},
		}
	}
	return nodes, fields, index
}

// networkLinks returns a link per tie, as wide and opaque as its K against
// the strongest (maxK), and the fields of each for the tooltips.
func networkLinks(n Network, maxK float64, index map[string]int) ([]opts.GraphLink, []map[string]any) {
	links := make([]opts.GraphLink, 0, len(n.Edges))
	linkFields := make([]map[string]any, 0, len(n.Edges))
	for _, e := range n.Edges {
		w := 1.0
		if maxK > 0 {
			w = 0.6 + 5.4*e.K/maxK
		}
		// Weak ties are thin and faint, so the strong ones stand out.
		alpha := 0.5
		if maxK > 0 {
			alpha = 0.12 + 0.6*e.K/maxK
		}
		links = append(links, opts.GraphLink{Source: index[e.A], Target: index[e.B], Value: float32(e.K),
			LineStyle: &opts.LineStyle{Width: float32(math.Round(w*10) / 10), Opacity: opts.Float(float32(math.Round(alpha*100) / 100))}})
		linkFields = append(linkFields, map[string]any{
			"tip":  n.Nodes[index[e.A]].Name + " – " + n.Nodes[index[e.B]].Name,
			"info": memberTipInfo("K_ij", fmtNum(e.K)),
		})
	}
	return links, linkFields
}

// networkChart lays the nodes and links out as a force-directed graph.
func networkChart(nodes []opts.GraphNode, links []opts.GraphLink, cats []*opts.GraphCategory, name string) *charts.Graph {
	g := charts.NewGraph()
	g.SetGlobalOptions(showTooltip("item"))
	g.AddSeries(name, nodes, links,
		charts.WithGraphChartOpts(opts.GraphChart{
			Layout:             "force",
			Roam:               opts.Bool(true),
			Draggable:          opts.Bool(true),
			FocusNodeAdjacency: opts.Bool(true),
			Categories:         cats,
			Force: &opts.GraphForce{InitLayout: "circular", Repulsion: 420, Gravity: 0.2,
				EdgeLength: []float32{70, 230}},
		}),
		charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "right", Color: "#273043", Formatter: "{b}"}),
		charts.WithLineStyleOpts(opts.LineStyle{Color: "#7d879b", Curveness: 0.08}),
	)
	return g
}

// networkTune sets in the chart's option what the chart library has no
// setting for and merges the nodes' and links' fields into their items.
func networkTune(opt map[string]any, fields, linkFields []map[string]any) {
	if s := optSeries(opt, 0); s != nil {
		if f, ok := s["force"].(map[string]any); ok {
			f["layoutAnimation"] = false
			f["friction"] = 0.6
		}
		s["top"], s["bottom"], s["left"], s["right"] = 16, 16, 16, 16
		s["emphasis"] = map[string]any{"focus": "adjacency", "lineStyle": map[string]any{"opacity": 0.9}}
		s["labelLayout"] = map[string]any{"hideOverlap": true}
		// Labels are at most networkLabelWidth px (app.js leaves that room
		// when it fits the graph to its chart); a longer name is cut, and
		// whole in the tooltip.
		if lb, ok := s["label"].(map[string]any); ok {
			lb["width"], lb["overflow"] = networkLabelWidth, "truncate"
		}
		memberMergeItemFields(opt, [][]map[string]any{fields})
		if list, ok := s["links"].([]any); ok {
			for j, l := range list {
				if m, ok := l.(map[string]any); ok && j < len(linkFields) {
					for k, v := range linkFields[j] {
						m[k] = v
					}
				}
			}
		}
		// Links refer to nodes by index: a member's name may repeat.
		delete(s, "edgeLabel")
	}
	// The page's band legend under the chart says what the colours are:
	// the chart draws none (an empty legend would list the categories).
	opt["legend"] = map[string]any{"show": false}
}

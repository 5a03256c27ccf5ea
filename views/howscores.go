package views

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/ecopulse/ecopulse/docs"
)

// "How scores work" (/how-scores-work): docs/scoring.md, embedded in the
// binary at build time and rendered once, so the page is the description
// of the model that computed the scores shown; a Chinese page shows
// docs/scoring.zh-CN.md, its translation, rendered once too. The one-line descriptions
// the pages show beside each score (Term) link into it.

// HowScoresPath is where the page is served.
const HowScoresPath = "/how-scores-work"

// Term is a one-line, plain-language description of a score or KPI, and
// the section of the page that explains it.
type Term struct {
	Key   string
	Label string
	Text  string
	Href  string // HowScoresPath and the section's anchor
}

// termDef is a Term before its link is resolved: Section is the heading's
// text in docs/scoring.md.
type termDef struct {
	Key, Label, Section string
	Text                func(Bands) string // the bands: the status term names them
}

func fixed(s string) func(Bands) string { return func(Bands) string { return s } }

// termDefs are the descriptions, in the order the page lists them.
var termDefs = []termDef{
	{"health", "Ecosystem health (weighted)", "Health", fixed("Members' health averaged by their contribution C: the members that carry the ecosystem count most, members with C = 0 not at all.")},
	{"health_mean", "Ecosystem health (member mean)", "Health", fixed("The plain average of every scored member's health: each member counts once, whatever its size.")},
	{"member_health", "Health", "Health", fixed("0–100: a member's API, projects, community and cooperation dimensions averaged, held down when one collapsed against its own recent weeks.")},
	{"status", "Status", "Health", func(b Bands) string {
		h, w := strconv.FormatFloat(b.HealthyMin, 'f', -1, 64), strconv.FormatFloat(b.WatchMin, 'f', -1, 64)
		return fmt.Sprintf("Healthy at %s or more, watch from %s to %s, at risk below %s.", h, w, h, w)
	}},
	{"reason", "Reason", "What changed", fixed("What fell most against the member's own recent weeks or its targets, in numbers; without a fall, its lowest dimension.")},
	{"R", "Ecosystem value R", "Ecosystem value R and Shapley shares φ_i", fixed("The value members create together: each member's contribution C times its cooperation K, summed.")},
	{"phi", "Share of value φ", "Ecosystem value R and Shapley shares φ_i", fixed("A member's fair (Shapley) share of R: what it brings to the value it creates with others; all shares add up to R.")},
	{"phi_share", "φ share", "Ecosystem value R and Shapley shares φ_i", fixed("φ / R: the part of the ecosystem's value a member accounts for.")},
	{"at_risk_share", "Share of R at risk", "Ecosystem value R and Shapley shares φ_i", fixed("The part of R (the sum of φ) held by members at risk: the value in danger if they leave.")},
	{"C", "Contribution C", "Contribution C_i", fixed("T × I × M, from 0 to 1: technical quality, investment and market reach together.")},
	{"K", "Cooperation K", "Cooperation K_ij", fixed("The sum of a member's ties with the others: shared projects, milestones delivered together, threads in common.")},
	{"T", "Technical capability T", "Technical capability T_i ∈ [0,1]", fixed("0–1: API calls that succeed, few client errors, latency within the SLO, milestones on time.")},
	{"I", "Investment I", "Resource investment I_i ∈ [0,1]", fixed("0–1: calls, contributions, milestones delivered and contributors, against the ecosystem's largest (log scale).")},
	{"M", "Market influence M", "Market influence M_i ∈ [0,1]", fixed("0–1: API consumers, engaged people, and the growth of calls and contributions.")},
	{"api", "API dimension", "Health", fixed("Calls that succeed, few client (4xx) errors, latency within the SLO; held down by a usage drop or dormancy.")},
	{"projects", "Projects dimension", "Health", fixed("Milestones delivered on time and none overdue.")},
	{"community", "Community dimension", "Health", fixed("Community activity, threads answered by others, and how fast.")},
	{"cooperation", "Cooperation dimension", "Health", fixed("Ties with other members. It measures structure, not decline: it never explains a fall.")},
}

// termOf returns the description of key under the health bands b; an
// unknown key is a programming error, shown as the key itself so that a
// page never fails on it.
func termOf(key string, b Bands) Term { return termIn(nil, key, b) }

// termIn is termOf in tr's language (nil: English). The link is resolved in
// the English document: the Chinese one's headings carry the same ids
// (howScoresDocZH), so it lands on the same section in either language.
func termIn(tr Tr, key string, b Bands) Term {
	doc, _ := howScoresDoc()
	for _, d := range termDefs {
		if d.Key == key {
			t := Term{Key: d.Key, Label: d.Label, Text: d.Text(b), Href: HowScoresPath}
			if tr != nil {
				t.Label, t.Text = termWordsIn(tr, d.Key, b, t.Label, t.Text)
			}
			if doc != nil {
				if id, ok := doc.anchors[d.Section]; ok {
					t.Href += "#" + id
				}
			}
			return t
		}
	}
	return Term{Key: key, Label: key, Text: key, Href: HowScoresPath}
}

// ScoreTerm returns the one-line description of a score or KPI (health,
// health_mean, R, phi, phi_share, at_risk_share, C, K, T, I, M, the
// dimensions…) as the pages show it under the health bands b.
func ScoreTerm(key string, b Bands) Term { return termOf(key, b) }

// termsIn returns every description, in page order, in tr's language
// (nil: English).
func termsIn(tr Tr, b Bands) []Term {
	out := make([]Term, len(termDefs))
	for i, d := range termDefs {
		out[i] = termIn(tr, d.Key, b)
	}
	return out
}

// termWordsIn is a term's label and text in tr's language; label and text
// (the English) when the key has no translation.
func termWordsIn(tr Tr, key string, b Bands, label, text string) (string, string) {
	switch key {
	case "health":
		return tr("term.health"), tr("term.health_text")
	case "health_mean":
		return tr("term.health_mean"), tr("term.health_mean_text")
	case "member_health":
		return tr("term.member_health"), tr("term.member_health_text")
	case "status":
		h, w := strconv.FormatFloat(b.HealthyMin, 'f', -1, 64), strconv.FormatFloat(b.WatchMin, 'f', -1, 64)
		return tr("term.status"), tr("term.status_text", "Healthy", h, "Watch", w)
	case "reason":
		return tr("term.reason"), tr("term.reason_text")
	case "R":
		return tr("term.r"), tr("term.r_text")
	case "phi":
		return tr("term.phi"), tr("term.phi_text")
	case "phi_share":
		return tr("term.phi_share"), tr("term.phi_share_text")
	case "at_risk_share":
		return tr("term.at_risk_share"), tr("term.at_risk_share_text")
	case "C":
		return tr("term.c"), tr("term.c_text")
	case "K":
		return tr("term.k"), tr("term.k_text")
	case "T":
		return tr("term.t"), tr("term.t_text")
	case "I":
		return tr("term.i"), tr("term.i_text")
	case "M":
		return tr("term.m"), tr("term.m_text")
	case "api":
		return tr("term.api"), tr("term.api_text")
	case "projects":
		return tr("term.projects"), tr("term.projects_text")
	case "community":
		return tr("term.community"), tr("term.community_text")
	case "cooperation":
		return tr("term.cooperation"), tr("term.cooperation_text")
	}
	return label, text
}

// docHeading is a section of the rendered document.
type docHeading struct {
	ID    string
	Text  string
	Level int
}

// renderedDoc is docs/scoring.md (or its translation) as HTML, with its
// sections.
type renderedDoc struct {
	HTML     template.HTML
	Sections []docHeading
	anchors  map[string]string // heading text → id
}

var howScoresDoc = sync.OnceValues(func() (*renderedDoc, error) { return renderMarkdown(docs.Scoring) })

// howScoresDocZH is docs/scoring.zh-CN.md, its headings carrying the ids of
// the English document's headings at the same positions: a term's link
// (resolved by the English section name) and any /how-scores-work#section
// URL land on the same section in either language.
var howScoresDocZH = sync.OnceValues(func() (*renderedDoc, error) {
	en, err := howScoresDoc()
	if err != nil {
		return nil, err
	}
	return renderMarkdownLike(docs.ScoringZH, en)
})

// howScoresDocIn is the document in lang: the Chinese translation for
// LangChinese, the English for any other.
func howScoresDocIn(lang string) (*renderedDoc, error) {
	if lang == LangChinese {
		return howScoresDocZH()
	}
	return howScoresDoc()
}

// renderMarkdown renders a markdown document with GitHub tables and an id
// on every heading. Raw HTML in the source is left out, and links to
// dangerous URLs (javascript:) are emptied (goldmark without WithUnsafe), so
// the result is safe to put in a page as is. The document's title (a
// first-level heading before anything else) is dropped: the page has its own.
func renderMarkdown(src []byte) (*renderedDoc, error) { return renderMarkdownLike(src, nil) }

// renderMarkdownLike is renderMarkdown for a translation of like: the n-th
// heading takes the id of like's n-th heading, and a document whose headings
// differ from like's in number or levels is an error (a section added to one
// language only would send links to the wrong section). like nil: the ids
// are made from the headings' text.
func renderMarkdownLike(src []byte, like *renderedDoc) (*renderedDoc, error) {
	md := goldmark.New(
		goldmark.WithExtensions(extension.Table),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
	)
	root := md.Parser().Parse(text.NewReader(src))
	if h, ok := root.FirstChild().(*ast.Heading); ok && h.Level == 1 {
		root.RemoveChild(root, h)
	}
	doc := &renderedDoc{anchors: map[string]string{}}
	err := ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		h, ok := n.(*ast.Heading)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		if like != nil {
			n := len(doc.Sections)
			if n >= len(like.Sections) || like.Sections[n].Level != h.Level {
				return ast.WalkStop, fmt.Errorf("views: heading %d of the translation (level %d) is not at the same place as in the original", n+1, h.Level)
			}
			h.SetAttributeString("id", []byte(like.Sections[n].ID))
		}
		id, _ := h.AttributeString("id")
		idb, _ := id.([]byte)
		t := strings.TrimSpace(nodeText(h, src))
		doc.Sections = append(doc.Sections, docHeading{ID: string(idb), Text: t, Level: h.Level})
		if _, seen := doc.anchors[t]; !seen {
			doc.anchors[t] = string(idb)
		}
		return ast.WalkSkipChildren, nil
	})
	if err != nil {
		return nil, err
	}
	if like != nil && len(doc.Sections) != len(like.Sections) {
		return nil, fmt.Errorf("views: the translation has %d headings, the original %d", len(doc.Sections), len(like.Sections))
	}
	var buf bytes.Buffer
	if err := md.Renderer().Render(&buf, src, root); err != nil {
		return nil, fmt.Errorf("views: render the scoring document: %w", err)
	}
	doc.HTML = template.HTML(buf.String()) // goldmark escapes text and omits raw HTML
	return doc, nil
}

// nodeText is the plain text of an inline tree: its text and code spans.
func nodeText(n ast.Node, src []byte) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		default:
			b.WriteString(nodeText(c, src))
		}
	}
	return b.String()
}

// howScoresPage is what templates/pages/how-scores-work.html receives.
type howScoresPage struct {
	Terms    []Term
	Sections []docHeading // the second-level ones: the table of contents
	Body     template.HTML
}

// HowScoresPage writes the "How scores work" page.
func (r *Renderer) HowScoresPage(w io.Writer) error {
	doc, err := howScoresDocIn(r.Lang())
	if err != nil {
		return err
	}
	tr := r.Tr()
	p := howScoresPage{Terms: termsIn(tr, r.opts.Bands), Body: doc.HTML}
	for _, s := range doc.Sections {
		if s.Level == 2 {
			p.Sections = append(p.Sections, s)
		}
	}
	return r.render(w, "how-scores-work", layoutData{
		Title: tr("common.how_scores_work"),
		Page:  p,
	})
}

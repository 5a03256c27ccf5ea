package views

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/ecopulse/ecopulse/domain"
)

// Templates: templates/layout.html defines "layout", the page shell (head,
// navigation, freshness line) that calls {{template "content" .}};
// templates/partials/*.html define blocks every page may use ("chart",
// "delta", "status"…); each templates/pages/NAME.html defines "content" for
// one page. Every page is the layout and partials cloned plus its own file,
// so pages cannot clash. To add a page: write templates/pages/NAME.html and
// a Renderer method that calls r.render(w, "NAME", layoutData{…}).
//
//go:embed templates
var templateFiles embed.FS

// StaticPrefix is the URL path the app serves StaticFS under.
const StaticPrefix = "/static/"

// navLink is an entry of the main navLinks.
type navLink struct {
	Path   string
	Label  string
	Role   string // the least role the entry is shown to ("": every one)
	Active bool
}

// navLinks is the main menu, in order, the same on every page for one
// role (an entry with a Role only from that role up, as its route allows);
// a Label is the key of its message in the catalogues.
var navLinks = []navLink{
	{Path: "/", Label: "nav.overview"},
	{Path: "/members", Label: "nav.members"},
	{Path: "/network", Label: "nav.network"},
	{Path: "/api-usage", Label: "nav.api_usage"},
	{Path: "/api-versions", Label: "nav.api_versions"},
	{Path: "/projects", Label: "nav.projects"},
	{Path: "/allocation", Label: "nav.allocation", Role: domain.RoleManager},
	{Path: "/community", Label: "nav.community"},
	{Path: "/developers", Label: "nav.developers"},
	{Path: "/snapshots", Label: "nav.snapshots"},
	{Path: "/alerts", Label: "nav.alerts"},
	{Path: "/sources", Label: "nav.sources"},
}

// layoutData is what the layout needs, whatever the page.
type layoutData struct {
	Title   string         // <title> and <h1>
	Active  string         // path of the navLinks entry to mark as current
	Fresh   *freshnessLine // nil: no "data as of" line (error pages)
	Page    any            // the value the page's "content" template receives
	Nav     []navLink
	Static  string // URL prefix of the static assets
	ECharts bool   // whether to load vendor/echarts.min.js
	Bare    bool   // no navigation (the login page)

	Lang          string       // the page's language (<html lang>)
	Langs         []langSwitch // the header's language switch
	EChartsLocale string       // ECharts' own locale for it
}

// Renderer writes the HTML pages. Templates are parsed once, by NewRenderer;
// a Renderer is safe for concurrent use.
type Renderer struct {
	pages   map[string]*template.Template // of lang
	byLang  map[string]map[string]*template.Template
	locs    map[string]localizer
	lang    string
	static  string
	echarts bool
	opts    Options
	query   url.Values // the request's query, which the language switch keeps (WithQuery)
	role    string     // the viewer's role, which the menu follows (WithRole)
}

// In returns the Renderer of the same pages in lang (one of Langs; any
// other is English).
func (r *Renderer) In(lang string) *Renderer {
	pages, ok := r.byLang[lang]
	if !ok {
		lang, pages = LangEnglish, r.byLang[LangEnglish]
	}
	c := *r
	c.pages, c.lang = pages, lang
	return &c
}

// WithRole returns a Renderer whose menu shows what role may open.
func (r *Renderer) WithRole(role string) *Renderer {
	c := *r
	c.role = role
	return &c
}

// Lang is the language the Renderer writes in.
func (r *Renderer) Lang() string { return r.lang }

var parseOnce = sync.OnceValues(parseTemplates)

// NewRenderer returns a Renderer over the embedded templates that shows
// pages by opts: the templates are parsed once per process, and each
// Renderer gets its own copy whose functions name its own bands.
func NewRenderer(opts Options) (*Renderer, error) {
	parsed, err := parseOnce()
	if err != nil {
		return nil, err
	}
	cat, err := loadCatalogue()
	if err != nil {
		return nil, err
	}
	funcs := optionFuncs(opts)
	byLang := make(map[string]map[string]*template.Template, len(Langs))
	locs := make(map[string]localizer, len(Langs))
	for _, lang := range Langs {
		l, err := newLocalizer(cat, lang)
		if err != nil {
			return nil, err
		}
		locs[lang] = l
		lf := langFuncs(l)
		pages := make(map[string]*template.Template, len(parsed))
		for name, t := range parsed {
			c, err := t.Clone()
			if err != nil {
				return nil, fmt.Errorf("views: clone %s: %w", name, err)
			}
			pages[name] = c.Funcs(funcs).Funcs(lf).Funcs(termFuncs(l, opts.Bands)).Funcs(goTextFuncs(l, opts))
		}
		byLang[lang] = pages
	}
	r := &Renderer{byLang: byLang, locs: locs, static: StaticPrefix, echarts: HasECharts(), opts: opts}
	return r.In(LangEnglish), nil
}

func parseTemplates() (map[string]*template.Template, error) {
	base, err := template.New("layout.html").Funcs(templateFuncs).Funcs(optionFuncs(Options{})).Funcs(langFuncs(localizer{})).ParseFS(templateFiles, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("views: parse layout: %w", err)
	}
	files, err := fs.Glob(templateFiles, "templates/pages/*.html")
	if err != nil {
		return nil, fmt.Errorf("views: list pages: %w", err)
	}
	pages := make(map[string]*template.Template, len(files))
	for _, file := range files {
		t, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("views: clone layout for %s: %w", file, err)
		}
		if _, err := t.ParseFS(templateFiles, file); err != nil {
			return nil, fmt.Errorf("views: parse %s: %w", file, err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("views: %s does not define \"content\"", file)
		}
		pages[strings.TrimSuffix(path.Base(file), ".html")] = t
	}
	return pages, nil
}

var templateFuncs = template.FuncMap{
	"score":   fmtScore, // 0–100 score, one decimal
	"num":     fmtNum,   // R, φ, C, K: about three significant digits
	"pct":     fmtPct,   // ratio as a percentage
	"weakest": weakestLabel,
	"inc":     func(i int) int { return i + 1 },
	"lag":     fmtLag,
	"source":  projectSourceLabel, // where a record came from, in words
}

// optionFuncs are the template functions that depend on the options:
// parsing needs their names only, and each Renderer gives its own.
func optionFuncs(o Options) template.FuncMap {
	return template.FuncMap{
		"status": o.Bands.badge,
		"term":   func(key string) Term { return termOf(key, o.Bands) }, // a score's one-line description and its section of /how-scores-work
		// The health bands' bounds, as configured (legends say what colours mean).
		"healthyMin": func() string { return strconv.FormatFloat(o.Bands.HealthyMin, 'f', -1, 64) },
		"watchMin":   func() string { return strconv.FormatFloat(o.Bands.WatchMin, 'f', -1, 64) },
	}
}

// render executes a page into a buffer first, so a failing template never
// leaves half a page on w.
func (r *Renderer) render(w io.Writer, page string, d layoutData) error {
	t, ok := r.pages[page]
	if !ok {
		return fmt.Errorf("views: no page template %q", page)
	}
	d.Nav = make([]navLink, 0, len(navLinks))
	for _, l := range navLinks {
		if l.Role != "" && domain.RoleRank(r.role) < domain.RoleRank(l.Role) {
			continue
		}
		l.Active = l.Path == d.Active
		d.Nav = append(d.Nav, l)
	}
	d.Static = r.static
	d.ECharts = r.echarts
	d.Lang, d.Langs, d.EChartsLocale = r.lang, langSwitches(r.lang, r.query), echartsLocale(r.lang)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", d); err != nil {
		return fmt.Errorf("views: render %s: %w", page, err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// errorPage is the content of the error page.
type errorPage struct {
	Status     int
	StatusText string
	Message    string
}

// Error writes a plain error page in the layout. The caller sets the HTTP
// status code; status only chooses the words shown.
func (r *Renderer) Error(w io.Writer, status int, message string) error {
	text := statusTextIn(r.Tr(), status)
	if strings.TrimSpace(message) == "" {
		message = text
	}
	return r.render(w, "error", layoutData{
		Title: text,
		Page:  errorPage{Status: status, StatusText: text, Message: message},
	})
}

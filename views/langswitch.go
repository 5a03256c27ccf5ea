package views

import "net/url"

// langSwitch is an entry of the header's language switch: a link to the
// same page in another language, or the current language (no link).
type langSwitch struct {
	Lang, Name string
	Href       string // "?…&lang=LANG": the page's own query with lang set
	Current    bool
}

// langSwitches builds the switch of a page in current whose request had
// query. Each link keeps the page's other parameters (a comparison's two
// weeks, the overview's period), so switching language shows the same page
// rather than its default. url.Values.Encode sorts the parameters by name,
// as the page cache's key does (app/pagecache.go): the requests that share
// a cached page all get the same links.
func langSwitches(current string, query url.Values) []langSwitch {
	out := make([]langSwitch, len(Langs))
	for i, l := range Langs {
		q := make(url.Values, len(query)+1)
		for k, vs := range query {
			q[k] = vs
		}
		q.Set(LangParam, l)
		out[i] = langSwitch{Lang: l, Name: langNames[l], Href: "?" + q.Encode(), Current: l == current}
	}
	return out
}

// LangParam is the switch's query parameter (app/lang.go reads it).
const LangParam = "lang"

// WithQuery returns the Renderer for a request with the raw query string
// rawQuery (without "?"): its pages' language switch keeps the query's
// parameters. A query that does not parse keeps the parameters that do.
func (r *Renderer) WithQuery(rawQuery string) *Renderer {
	q, _ := url.ParseQuery(rawQuery)
	c := *r
	c.query = q
	return &c
}

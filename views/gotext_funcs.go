package views

import "html/template"

// goTextFuncs are the template functions whose words are built in Go, in
// the language of l: they replace render.go's language-blind ones of the
// same names (a score's description, where a record came from, a lag).
func goTextFuncs(l localizer, o Options) template.FuncMap {
	tr := Tr(l.tr)
	return template.FuncMap{
		"term":   func(key string) Term { return termIn(tr, key, o.Bands) },
		"source": func(s string) string { return projectSourceLabelIn(tr, s) },
		"lag":    func(sec int64) string { return fmtLagIn(tr, sec) },
	}
}

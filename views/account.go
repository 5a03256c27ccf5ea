package views

import "io"

// AccountPassword is the content of /account/password, the user's own
// account: their password (which they must change after an admin's reset)
// and their interface language.
type AccountPassword struct {
	Name       string // whose password
	MustChange bool   // reset by an admin (or the first admin): nothing else opens before
	Next       string // where to go after the change (a local path)
	CSRF       string
	Notice     string
	Error      string

	// Language is the user's chosen interface language (one of Langs), ""
	// when they follow the browser's.
	Language string
	// LanguageNotice and LanguageError answer the language form.
	LanguageNotice, LanguageError string
}

// languageChoice is an option of the account's language form: "" is the
// browser's language.
type languageChoice struct {
	Lang, Name string
	Chosen     bool
}

// LanguageChoices are the options of the language form: the browser's
// language first, then each of Langs in its own words.
func (p AccountPassword) LanguageChoices() []languageChoice {
	out := []languageChoice{{Chosen: p.Language == ""}}
	for _, l := range Langs {
		out = append(out, languageChoice{Lang: l, Name: langNames[l], Chosen: p.Language == l})
	}
	return out
}

// AccountPasswordPage writes /account/password.
func (r *Renderer) AccountPasswordPage(w io.Writer, p AccountPassword) error {
	tr := r.Tr()
	return r.render(w, "account-password", layoutData{Title: tr("account.title"), Page: p, Bare: p.MustChange})
}

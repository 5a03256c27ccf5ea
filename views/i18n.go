package views

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

// The interface speaks the languages of its catalogues: locales/LANG.yaml
// and any locales/PART.LANG.yaml (a part per area of the interface), one
// message a key, each key in one file of a language, the same keys in every
// language (TestCataloguesHaveTheSameKeys). Collected data (member names,
// titles) is shown as it is, in any language.
//
//go:embed locales/*.yaml
var localeFiles embed.FS

// The languages, by the tag pages and cookies carry; the first is the
// fallback of a message missing in another (never shipped: the test above).
const (
	LangEnglish = "en"
	LangChinese = "zh-CN"
)

// Langs are the interface's languages, in the order the switch lists them.
var Langs = []string{LangEnglish, LangChinese}

// langNames are the switch's labels: each language in its own words.
var langNames = map[string]string{LangEnglish: "English", LangChinese: "简体中文"}

var (
	langTags    = []language.Tag{language.English, language.SimplifiedChinese}
	langMatcher = language.NewMatcher(langTags)
)

// catalogue is the parsed message files, read once per process.
type catalogue struct {
	bundle *i18n.Bundle
	keys   map[string][]string          // message IDs by language
	raw    map[string]map[string]string // messages before their fields are filled, by language and ID
}

var loadCatalogue = sync.OnceValues(func() (*catalogue, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	c := &catalogue{bundle: b, keys: map[string][]string{}, raw: map[string]map[string]string{}}
	files, err := fs.Glob(localeFiles, "locales/*.yaml")
	if err != nil {
		return nil, err
	}
	for _, lang := range Langs {
		c.raw[lang] = map[string]string{}
	}
	for _, name := range files {
		base := strings.TrimSuffix(path.Base(name), ".yaml")
		lang := base[strings.LastIndex(base, ".")+1:]
		if _, ok := c.raw[lang]; !ok {
			return nil, fmt.Errorf("views: catalogue %s: %q is not one of the languages %v", name, lang, Langs)
		}
		body, err := fs.ReadFile(localeFiles, name)
		if err != nil {
			return nil, fmt.Errorf("views: catalogue %s: %w", name, err)
		}
		f, err := b.ParseMessageFileBytes(body, name)
		if err != nil {
			return nil, fmt.Errorf("views: catalogue %s: %w", name, err)
		}
		for _, m := range f.Messages {
			if _, dup := c.raw[lang][m.ID]; dup {
				return nil, fmt.Errorf("views: catalogue %s: %q is in another file of %s too", name, m.ID, lang)
			}
			c.keys[lang] = append(c.keys[lang], m.ID)
			c.raw[lang][m.ID] = m.Other
		}
	}
	for _, lang := range Langs {
		if len(c.keys[lang]) == 0 {
			return nil, fmt.Errorf("views: no catalogue of %s", lang)
		}
		sort.Strings(c.keys[lang])
	}
	return c, nil
})

// CatalogueKeys returns the message IDs of a language's catalogue, sorted.
func CatalogueKeys(lang string) ([]string, error) {
	c, err := loadCatalogue()
	if err != nil {
		return nil, err
	}
	return c.keys[lang], nil
}

// NegotiateLang picks the interface language: the first of the user's
// choice (the switch's cookie), the browser's Accept-Language and the
// configured default that names a language the catalogues have; English
// when none does.
func NegotiateLang(choice, acceptLanguage, configured string) string {
	for _, s := range []string{choice, acceptLanguage, configured} {
		if s == "" {
			continue
		}
		tags, _, err := language.ParseAcceptLanguage(s)
		if err != nil || len(tags) == 0 {
			continue
		}
		_, i, conf := langMatcher.Match(tags...)
		if conf != language.No {
			return Langs[i]
		}
	}
	return LangEnglish
}

// IsLang reports whether s names one of the interface's languages exactly.
func IsLang(s string) bool {
	for _, l := range Langs {
		if l == s {
			return true
		}
	}
	return false
}

// localizer translates the messages of one language.
type localizer struct {
	lang string
	loc  *i18n.Localizer
	js   string // the "js." messages as a JSON object, for app.js
}

func newLocalizer(c *catalogue, lang string) (localizer, error) {
	l := localizer{lang: lang, loc: i18n.NewLocalizer(c.bundle, lang)}
	js := map[string]string{}
	for _, id := range c.keys[LangEnglish] {
		if name, ok := strings.CutPrefix(id, "js."); ok {
			s, err := l.T(id)
			if err != nil {
				return l, err
			}
			js[name] = s
		}
	}
	b, err := json.Marshal(js)
	l.js = string(b)
	return l, err
}

// T returns the message id, its {{.Name}} fields filled from args (name,
// value pairs). A key no catalogue has is an error: the page fails to
// render rather than show a key.
func (l localizer) T(id string, args ...any) (string, error) {
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(args) > 0 {
		if len(args)%2 != 0 {
			return "", fmt.Errorf("views: message %q: odd arguments", id)
		}
		data := make(map[string]any, len(args)/2)
		for i := 0; i < len(args); i += 2 {
			name, ok := args[i].(string)
			if !ok {
				return "", fmt.Errorf("views: message %q: argument %d is not a name", id, i)
			}
			data[name] = args[i+1]
			if name == "Count" {
				cfg.PluralCount = args[i+1] // the message's form: "1 tie", "2 ties"
			}
		}
		cfg.TemplateData = data
	}
	s, err := l.loc.Localize(cfg)
	if err != nil {
		return "", fmt.Errorf("views: message %q in %s: %w", id, l.lang, err)
	}
	return s, nil
}

// langFuncs are the template functions of one language.
func langFuncs(l localizer) template.FuncMap {
	return template.FuncMap{
		"t":          l.T,
		"lang":       func() string { return l.lang },
		"jsMessages": func() string { return l.js },
		// tOr translates a label the page model names in English (a column,
		// a kind, a chart's caption) by its key, or shows that English text
		// where the catalogues have no such key (a user's own kind).
		"tOr": func(id, english string) string {
			if s, err := l.T(id); err == nil {
				return s
			}
			return english
		},
		// alertMessage says an alert's message in the page's language
		// (AlertMessage): its key and facts, or the stored English.
		"alertMessage": func(key string, args map[string]any, english string) string {
			return AlertMessage(l.tr, key, args, english)
		},
		// statusLabel names a status badge in the page's language.
		"statusLabel": func(b statusBadge) (string, error) {
			switch b.Class {
			case "healthy", "watch", "at-risk", "no-data":
				return l.T("status." + strings.ReplaceAll(b.Class, "-", "_"))
			}
			return b.Label, nil
		},
	}
}

// echartsLocale is the name of ECharts' own locale for a language (its
// toolbox, data zoom and date labels).
func echartsLocale(lang string) string {
	if strings.HasPrefix(lang, "zh") {
		return "ZH"
	}
	return "EN"
}

// Tr translates interface text built in Go — chart titles, axes, legends
// and tooltips, summary lines, period names, messages: the message id in
// one language, its {{.Name}} fields filled from args (name, value pairs).
// Code calls it as tr("key", …) with a literal key, so that
// TestGoTextIsInTheCatalogues finds every key it uses in the catalogues; a
// key missing all the same shows as itself rather than fail the page.
type Tr func(id string, args ...any) string

// Tr is the Renderer's translator, in its language.
func (r *Renderer) Tr() Tr {
	l, ok := r.locs[r.lang]
	if !ok {
		return EnglishTr()
	}
	return l.tr
}

func (l localizer) tr(id string, args ...any) string {
	s, err := l.T(id, args...)
	if err != nil {
		return id
	}
	return s
}

// TrIn is the translator of lang (one of Langs; any other is English), for
// text built outside a page: e-mails, webhook messages, CLI output.
func TrIn(lang string) Tr {
	c, err := loadCatalogue()
	if err != nil {
		return func(id string, _ ...any) string { return id }
	}
	if !IsLang(lang) {
		lang = LangEnglish
	}
	l, err := newLocalizer(c, lang)
	if err != nil {
		return func(id string, _ ...any) string { return id }
	}
	return l.tr
}

// EnglishTr is TrIn(LangEnglish), built once: the JSON API's and logs'
// language, and the shared helpers' when a caller gives no translator.
func EnglishTr() Tr { return englishTr() }

// termFuncs are the template functions that need both a language and the
// bands: "term", a score's one-line description and its section of
// /how-scores-work, in the page's language.
func termFuncs(l localizer, b Bands) template.FuncMap {
	return template.FuncMap{"term": func(key string) Term { return termIn(l.tr, key, b) }}
}

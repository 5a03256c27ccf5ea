package views

import (
	"strings"
	"testing"
)

// TestCountMessagesTakeEveryNumber: a message filled with a "Count" field
// is chosen by plural form (go-i18n's PluralCount), so each language must
// give the forms its numbers need — English "one" as well as "other" —
// or a page showing exactly one of something fails to render.
func TestCountMessagesTakeEveryNumber(t *testing.T) {
	cat, err := loadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Langs {
		l, err := newLocalizer(cat, lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range cat.keys[lang] {
			if !strings.Contains(cat.raw[lang][id], "{{.Count}}") {
				continue
			}
			for _, n := range []int{0, 1, 2, 11, 21} {
				if _, err := l.T(id, "Count", n, "Total", 30); err != nil {
					t.Errorf("%s, Count %d: %v", lang, n, err)
				}
			}
		}
	}
}

// TestCountChoosesThePluralForm: a Count of 1 takes the English "one" form
// and any other number the "other" form (never "1 other members").
func TestCountChoosesThePluralForm(t *testing.T) {
	tr := TrIn(LangEnglish)
	if got := tr("allocation.other_members", "Count", 1); got != "1 other member" {
		t.Errorf("Count 1: %q", got)
	}
	if got := tr("allocation.other_members", "Count", 2); got != "2 other members" {
		t.Errorf("Count 2: %q", got)
	}
}

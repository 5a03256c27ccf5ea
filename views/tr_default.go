package views

import "sync"

// englishTr is EnglishTr's translator, built once: the shared chart helpers
// fall back on it when a caller gives no translator, so that their English
// (and every page and test that reads it) stays as it was.
var englishTr = sync.OnceValue(func() Tr { return TrIn(LangEnglish) })

// orEnglish is tr, or English when tr is nil.
func orEnglish(tr Tr) Tr {
	if tr == nil {
		return englishTr()
	}
	return tr
}

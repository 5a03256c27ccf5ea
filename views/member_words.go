package views

// Words of the member, snapshot and network pages that name a fixed value —
// a status, a health dimension, a milestone state — in the page's language.
// Each takes the page's Tr and spells its keys out, so that
// TestGoTextIsInTheCatalogues finds them.

// memberDimLabel names a health dimension, as weakestLabel does in English.
func memberDimLabel(tr Tr, dim string) string {
	switch dim {
	case "api":
		return tr("member.dim.api")
	case "projects":
		return tr("member.dim.projects")
	case "community":
		return tr("member.dim.community")
	case "cooperation":
		return tr("member.dim.cooperation")
	}
	return dim
}

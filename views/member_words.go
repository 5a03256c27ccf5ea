package views

// Words of the member, snapshot and network pages that name a fixed value —
// a status, a health dimension, a milestone state — in the page's language.
// Each takes the page's Tr and spells its keys out, so that
// TestGoTextIsInTheCatalogues finds them.

// memberStatusWord names a status badge, as the template's statusLabel
// does; a badge of no known class keeps its own label.
func memberStatusWord(tr Tr, b statusBadge) string {
	switch b.Class {
	case "healthy":
		return tr("status.healthy")
	case "watch":
		return tr("status.watch")
	case "at-risk":
		return tr("status.at_risk")
	case "no-data":
		return tr("status.no_data")
	}
	return b.Label
}

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

// milestoneStateWord is milestoneStateLabel in the page's language: the
// timeline's legend and tooltips.
func milestoneStateWord(tr Tr, state string) string {
	switch state {
	case memberMsDone:
		return tr("ms.done")
	case memberMsLate:
		return tr("ms.done_late")
	case memberMsOverdue:
		return tr("ms.overdue")
	case memberMsUpcoming:
		return tr("ms.upcoming")
	}
	return state
}

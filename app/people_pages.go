package app

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Assigning people and adding domain rules from the community page
// (managers; the same functions as the JSON API and the commands,
// app/people.go):
//
//	POST /community/assign    source, login, member, from, to, back → 303 to back
//	POST /community/domains   domain, member, from, to, back        → 303 to back
//
// back is the community page the form was on (its range); anything else
// goes to /community. Bad input is the error page's 400, naming the field.

// communityBack returns where a community form goes back to.
func communityBack(c *fiber.Ctx) string {
	back := safeNext(c.FormValue("back"))
	if back != "/community" && !strings.HasPrefix(back, "/community?") {
		return "/community"
	}
	return back
}

func (a *App) personAssignForm(c *fiber.Ctx) error {
	in := AssignInput{Source: c.FormValue("source"), Login: c.FormValue("login"), Member: c.FormValue("member"),
		From: c.FormValue("from"), To: c.FormValue("to")}
	if _, err := personAssign(c.UserContext(), a.db, viewerOf(c).Name, in); err != nil {
		return err
	}
	a.rescoreSoon()
	return c.Redirect(communityBack(c), fiber.StatusSeeOther)
}

func (a *App) domainRuleForm(c *fiber.Ctx) error {
	in := DomainRuleInput{Domain: c.FormValue("domain"), Member: c.FormValue("member"), From: c.FormValue("from"), To: c.FormValue("to")}
	if _, err := domainRuleAdd(c.UserContext(), a.db, viewerOf(c).Name, in); err != nil {
		return err
	}
	a.rescoreSoon()
	return c.Redirect(communityBack(c), fiber.StatusSeeOther)
}

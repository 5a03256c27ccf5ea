package app

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// The alert inbox: viewers read it, managers act on it. The page, the JSON
// and `ecopulse alerts` select with the same views.AlertQuery and build
// with views.BuildAlertInbox; every action goes through alertAct, which
// audits it (refusals too). Rules in app/routes.go.
//
//	GET  /alerts                           the inbox (?state, rule, member, assignee, at, limit, offset)
//	GET  /alerts/:id                       an alert's entry, with the actions for managers
//	POST /alerts/:id/acknowledge           form: back (an inbox page to return to)
//	POST /alerts/:id/assign                form: user ("" takes the assignment back)
//	POST /alerts/:id/snooze                form: until (YYYY-MM-DD, after today)
//	POST /alerts/:id/resolve               form: comment (required)
//	GET  /api/v1/alerts                    views.AlertInbox
//	GET  /api/v1/alerts/:id                views.AlertDetail
//	POST /api/v1/alerts/:id/{acknowledge,assign,snooze,resolve}   JSON: AlertActionInput → the alert's row
//
// Bad input answers 400 naming the field, an unknown alert 404, an alert
// already resolved 409; the page shows the entry again with the problem.

// alertActions are what managers do to an alert.
var alertActions = []string{"acknowledge", "assign", "snooze", "resolve"}

// AlertActionInput is an action's input, from JSON or a form.
type AlertActionInput struct {
	User    string `json:"user,omitempty"`    // assign: the account ("" takes the assignment back)
	Until   string `json:"until,omitempty"`   // snooze: YYYY-MM-DD, after today
	Comment string `json:"comment,omitempty"` // resolve: why (required)
}

// alertAct does one action as actor and audits it, refused or not.
func alertAct(ctx context.Context, db *data.DB, actor, action string, id int64, in AlertActionInput, now time.Time) (*data.Alert, error) {
	act := data.AlertAction{By: actor, At: now}
	var a *data.Alert
	var err error
	detail := ""
	switch action {
	case "acknowledge":
		a, err = db.AcknowledgeAlert(ctx, id, act)
	case "assign":
		user := strings.TrimSpace(in.User)
		detail = "to " + user
		if user == "" {
			detail = "to nobody"
		}
		a, err = db.AssignAlert(ctx, id, user, act)
	case "snooze":
		detail = "until " + in.Until
		var until time.Time
		if until, err = parseRequiredDay("until", in.Until); err == nil {
			a, err = db.SnoozeAlert(ctx, id, until, act)
		}
	case "resolve":
		detail = "comment: " + strings.TrimSpace(in.Comment)
		a, err = db.ResolveAlert(ctx, id, in.Comment, act)
	default:
		err = domain.Errorf(domain.ENOTFOUND, "no alert action %q", action)
	}
	if a != nil {
		detail = strings.TrimSpace(a.Rule + " " + a.Subject + " " + detail)
	}
	auditChange(ctx, db, actor, "alert."+action, "alert "+strconv.FormatInt(id, 10), detail, err)
	return a, err
}

// parseRequiredDay reads a YYYY-MM-DD the request must give, naming the field.
func parseRequiredDay(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, domain.Errorf(domain.EINVALID, "%s: give a day (YYYY-MM-DD)", field)
	}
	d, err := domain.ParseDay(s)
	if err != nil {
		return time.Time{}, domain.Errorf(domain.EINVALID, "%s: %s", field, domain.ErrorMessage(err))
	}
	return d, nil
}

// alertID reads the :id of a request; anything but a number is no alert.
func alertID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.ErrorKey(domain.ENOTFOUND, "errors.no_alert", domain.Facts{"ID": fmt.Sprintf("%q", c.Params("id"))}, "no alert %q", c.Params("id"))
	}
	return id, nil
}

// --- reading ---

func (a *App) buildAlertInbox(c *fiber.Ctx) (*views.AlertInbox, error) {
	q, err := views.ParseAlertQuery(ecoQuery(c))
	if err != nil {
		return nil, err
	}
	return views.BuildAlertInbox(c.UserContext(), a.db, q, time.Now())
}

func (a *App) alertsJSON(c *fiber.Ctx) error {
	in, err := a.buildAlertInbox(c)
	if err != nil {
		return err
	}
	in.InLanguage(a.viewsFor(c).Tr()) // for the overview's card; "message" stays English
	return c.JSON(in)
}

func (a *App) alertsPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	in, err := a.buildAlertInbox(c)
	if err != nil {
		return err
	}
	members, err := a.db.Members(ctx)
	if err != nil {
		return err
	}
	users, err := a.db.Users(ctx)
	if err != nil {
		return err
	}
	csrf, err := a.pageCSRF(c)
	if err != nil {
		return err
	}
	p := views.NewAlertsPage(*in, members, users, ecoCanEdit(c), csrf)
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).AlertsPage(b, p) })
}

func (a *App) alertJSON(c *fiber.Ctx) error {
	id, err := alertID(c)
	if err != nil {
		return err
	}
	d, err := views.BuildAlertDetail(c.UserContext(), a.db, id, time.Now())
	if err != nil {
		return err
	}
	return c.JSON(d)
}

func (a *App) alertPage(c *fiber.Ctx) error {
	id, err := alertID(c)
	if err != nil {
		return err
	}
	return a.renderAlertPage(c, id, fiber.StatusOK, "")
}

// renderAlertPage writes an alert's entry, with a refused action's problem.
func (a *App) renderAlertPage(c *fiber.Ctx, id int64, status int, problem string) error {
	ctx := c.UserContext()
	now := time.Now()
	d, err := views.BuildAlertDetail(ctx, a.db, id, now)
	if err != nil {
		return err
	}
	users, err := a.db.Users(ctx)
	if err != nil {
		return err
	}
	csrf, err := a.pageCSRF(c)
	if err != nil {
		return err
	}
	p := views.NewAlertPage(*d, users, ecoCanEdit(c), csrf, now)
	p.Problem = problem
	c.Status(status)
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).AlertPage(b, p) })
}

// --- acting ---

func (a *App) alertActionJSON(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := alertID(c)
		if err != nil {
			return err
		}
		var in AlertActionInput
		if len(c.Request().Body()) > 0 {
			if err := decodeJSON(c, &in); err != nil {
				return err
			}
		}
		al, err := alertAct(c.UserContext(), a.db, viewerOf(c).Name, action, id, in, time.Now())
		if err != nil {
			return err
		}
		d, err := views.BuildAlertDetail(c.UserContext(), a.db, al.ID, time.Now())
		if err != nil {
			return err
		}
		return c.JSON(d.Alert)
	}
}

// alertActionForm acts from a page and goes back to it: the inbox page the
// form was on (field back), else the alert's entry. A refusal shows the
// entry again with the problem, with its status.
func (a *App) alertActionForm(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := alertID(c)
		if err != nil {
			return err
		}
		in := AlertActionInput{User: c.FormValue("user"), Until: c.FormValue("until"), Comment: c.FormValue("comment")}
		if _, err := alertAct(c.UserContext(), a.db, viewerOf(c).Name, action, id, in, time.Now()); err != nil {
			switch domain.ErrorCode(err) {
			case domain.EINVALID, domain.ECONFLICT:
				status, msg := a.statusIn(c, err)
				return a.renderAlertPage(c, id, status, msg)
			}
			return err
		}
		return c.Redirect(alertBack(c, id), fiber.StatusSeeOther)
	}
}

// alertBack is where an alert form returns: an inbox page, or the entry.
func alertBack(c *fiber.Ctx, id int64) string {
	back := safeNext(c.FormValue("back"))
	if back == "/alerts" || strings.HasPrefix(back, "/alerts?") {
		return back
	}
	return fmt.Sprintf("/alerts/%d", id)
}

package app

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
	"github.com/gofiber/fiber/v2"
)

// errorStatus maps every application error code to its HTTP status: the one
// table that decides what a client sees for an error.
var errorStatus = map[string]int{
	domain.ECONFLICT:       http.StatusConflict,
	domain.EINVALID:        http.StatusBadRequest,
	domain.ENOTFOUND:       http.StatusNotFound,
	domain.EUNAUTHORIZED:   http.StatusUnauthorized,
	domain.EFORBIDDEN:      http.StatusForbidden,
	domain.ETOOLARGE:       http.StatusRequestEntityTooLarge,
	domain.ENOTIMPLEMENTED: http.StatusNotImplemented,
	domain.EINTERNAL:       http.StatusInternalServerError,
}

// statusOf returns the HTTP status and the client-safe message for err.
func statusOf(err error) (int, string) {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return fe.Code, fe.Message
	}
	code := domain.ErrorCode(err)
	status, ok := errorStatus[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	return status, domain.ErrorMessage(err)
}

// statusIn is statusOf with the message in the page's language: a keyed
// domain error (domain.ErrorKey) or a page's own error as the catalogues
// say it (views.ErrorMessageIn). A fiber error keeps its words. Pages use
// it; the JSON API and the audit log keep statusOf's English.
func (a *App) statusIn(c *fiber.Ctx, err error) (int, string) {
	status, msg := statusOf(err)
	if fe := (*fiber.Error)(nil); !errors.As(err, &fe) {
		msg = views.ErrorMessageIn(a.viewsFor(c).Tr(), err)
	}
	return status, msg
}

// errorHandler renders errors as JSON under /api/ and as a page elsewhere.
// Internal errors are logged in full and shown only as "internal error": no
// SQL, path or stack trace reaches a client.
func (a *App) errorHandler(c *fiber.Ctx, err error) error {
	status, msg := statusOf(err)
	if status >= 500 {
		a.log.Error("request failed", "method", c.Method(), "path", c.Path(), "status", status, "err", err)
	}
	if isAPI(c) {
		return c.Status(status).JSON(fiber.Map{"error": msg, "code": http.StatusText(status)})
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	r := a.viewsFor(c)
	_, msg = a.statusIn(c, err)
	if rerr := r.Error(c, status, msg); rerr != nil {
		slog.Error("render error page", "err", rerr)
		return c.SendString(msg)
	}
	return nil
}

func isAPI(c *fiber.Ctx) bool {
	p := c.Path()
	return len(p) >= 5 && p[:5] == "/api/"
}

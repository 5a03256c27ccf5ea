package views

import (
	"errors"

	"github.com/ecopulse/ecopulse/domain"
)

// A page's own errors (a bad date or range in its URL) say themselves in
// the page's language; the JSON API and logs keep the domain error's
// English message, which is the English of the same words.

// pageError is a domain error with its words in any language.
type pageError struct {
	err *domain.Error
	say func(Tr) string
}

func (e *pageError) Error() string { return e.err.Error() }

// Unwrap lets domain.ErrorCode and domain.ErrorMessage find the error.
func (e *pageError) Unwrap() error { return e.err }

// newPageError is an EINVALID error saying say(tr); its message is say in
// English.
func newPageError(say func(Tr) string) error {
	return &pageError{err: &domain.Error{Code: domain.EINVALID, Message: say(englishTr())}, say: say}
}

// ErrorMessageIn is the message of err for a page in tr's language: a
// page's own error in that language, a domain error with a message key
// (domain.ErrorKey) as the catalogues say it, "internal error" as such, and
// any other error's message (domain.ErrorMessage) as it is. A key the
// catalogues do not know, or cannot fill from the error's facts, gives the
// English message (as AlertMessage does): a page never shows a key or a
// hole.
func ErrorMessageIn(tr Tr, err error) string {
	var pe *pageError
	if errors.As(err, &pe) {
		return pe.say(orEnglish(tr))
	}
	var de *domain.Error
	if errors.As(err, &de) && de.Key != "" {
		return AlertMessage(tr, de.Key, de.Args, de.Message)
	}
	msg := domain.ErrorMessage(err)
	if msg == "internal error" {
		return orEnglish(tr)("pageerr.internal")
	}
	return msg
}

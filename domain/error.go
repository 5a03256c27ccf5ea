package domain

import (
	"errors"
	"fmt"
	"strconv"
)

// Error codes. The app maps each to an HTTP status in one table.
const (
	ECONFLICT       = "conflict"
	EINTERNAL       = "internal"
	EINVALID        = "invalid"
	ENOTFOUND       = "not_found"
	EUNAUTHORIZED   = "unauthorized"
	EFORBIDDEN      = "forbidden"
	ETOOLARGE       = "too_large"
	ENOTIMPLEMENTED = "not_implemented"
)

// Error is an application error whose message is safe to show to a user.
// Key and Args, when set, name the same message in the interface's
// catalogues (views.ErrorMessageIn says it in a page's language); they are
// not part of Error() nor of the JSON API's body, which keep the English
// Message. The domain names keys only: the catalogues are the views'.
type Error struct {
	Code    string
	Message string
	Key     string
	Args    map[string]any
}

func (e *Error) Error() string {
	return fmt.Sprintf("ecopulse error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorKey returns an *Error like Errorf(code, format, fmtArgs...) (the
// English Message is exactly that) that also carries its message key and
// the facts that fill the key's fields. A value the English quotes (%q) is
// passed quoted in args, so that every language shows it the same way.
func ErrorKey(code, key string, args map[string]any, format string, fmtArgs ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, fmtArgs...), Key: key, Args: args}
}

// Facts are the facts of a message key, by the names of its fields.
type Facts = map[string]any

// quoted is s as %q shows it: the form an English message quotes a value in.
func quoted(s string) string { return strconv.Quote(s) }

// ErrorCode returns the code of an *Error in err's chain, or EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of an *Error in err's chain, or a
// generic message: internal details (SQL, paths) never reach a client.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

package domain

import (
	"strings"
	"time"
)

// Roles, from least to most allowed.
const (
	RoleViewer  = "viewer"  // dashboards and exports
	RoleManager = "manager" // + run collectors, edit agreements and alert rules
	RoleAdmin   = "admin"   // + users, tokens, audit log
)

// RoleRank orders roles; 0 is no role.
func RoleRank(role string) int {
	switch role {
	case RoleViewer:
		return 1
	case RoleManager:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// User is an account.
type User struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Role         string    `json:"role"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	Disabled     bool      `json:"disabled"`
	// MustChangePassword sends the user to /account/password after login,
	// and refuses everything else until they choose a new password: set by
	// an admin's reset and on the generated first admin password.
	MustChangePassword bool `json:"must_change_password"`
	// Language is the interface language the user chose (one of
	// UserLanguages), or "" to follow the browser: it wins over the
	// browser's Accept-Language and the switch's cookie (app/lang.go).
	Language string `json:"language"`
}

// UserLanguages are the languages a user may choose: the interface's
// (views.Langs, which imports this package; TestUserLanguagesAreTheInterfaces
// holds the two equal).
var UserLanguages = []string{"en", "zh-CN"}

// ValidateLanguage returns an EINVALID error unless lang is one of
// UserLanguages or "" (none: the browser's).
func ValidateLanguage(lang string) error {
	if lang == "" {
		return nil
	}
	for _, l := range UserLanguages {
		if l == lang {
			return nil
		}
	}
	return ErrorKey(EINVALID, "errors.user.language", Facts{"Lang": quoted(lang), "Langs": strings.Join(UserLanguages, ", ")},
		"unknown language %q (%s, or none to follow the browser)", lang, strings.Join(UserLanguages, ", "))
}

// Validate returns an EINVALID error when u cannot be stored.
func (u *User) Validate() error {
	switch {
	case strings.TrimSpace(u.Name) == "" || len(u.Name) > 64 || strings.ContainsAny(u.Name, " \t\r\n/\\"):
		return ErrorKey(EINVALID, "errors.user.name", Facts{"Name": quoted(u.Name)}, "user name %q must be 1–64 characters without spaces or slashes", u.Name)
	case RoleRank(u.Role) == 0:
		return ErrorKey(EINVALID, "errors.user.role", Facts{"Role": quoted(u.Role)}, "unknown role %q (viewer, manager or admin)", u.Role)
	}
	return ValidateLanguage(u.Language)
}

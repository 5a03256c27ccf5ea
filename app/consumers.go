package app

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/collectors/endpoint"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// API consumers mapped to members where people work: the JSON API below,
// the `ecopulse consumer` commands, the consumers: configuration key, and
// members' key patterns (applied by every scoring run). A mapping takes
// effect at once, without a restart, and carries the consumer's stored
// history: the days it touches are scored again. Rules in app/routes.go.
//
//	GET  /api/v1/consumers[?unmapped=1&q=&limit=&offset=]  one page, the busiest first, with "total"
//	PUT  /api/v1/consumers/:key                            {"member": SLUG} ("" unmaps) → 200
//	                                                       {"member": SLUG, "secret": true}: :key is the raw
//	                                                       secret (an API key), hashed as the access logs do
//	POST /api/v1/consumers/map                             {"pattern": "acme-*", "member": SLUG, "all": false} → {"mapped": N}

// ConsumerPage is one page of consumers, as the API and the command give it.
type ConsumerPage struct {
	Total     int                `json:"total"`
	Limit     int                `json:"limit"`
	Offset    int                `json:"offset"`
	Consumers []data.ConsumerRow `json:"consumers"`
}

func consumerPage(ctx context.Context, db *data.DB, q data.ConsumerQuery) (*ConsumerPage, error) {
	rows, total, err := db.ConsumerList(ctx, q)
	if err != nil {
		return nil, err
	}
	if q.Limit == 0 {
		q.Limit = data.DefaultConsumerPage
	}
	if rows == nil {
		rows = []data.ConsumerRow{}
	}
	return &ConsumerPage{Total: total, Limit: q.Limit, Offset: q.Offset, Consumers: rows}, nil
}

func consumerMap(ctx context.Context, db *data.DB, actor, key, member string) error {
	err := db.MapConsumer(ctx, key, member)
	detail := "to " + member
	if member == "" {
		detail = "unmapped"
	}
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		// A key that names no consumer may be a secret pasted without
		// "secret": true (--secret): the audit log keeps only what
		// recognises it, never the secret.
		auditChange(ctx, db, actor, "consumer.map", "unknown key "+endpoint.SecretName(key), "", domain.Errorf(domain.ENOTFOUND, "no such API consumer"))
		return err
	}
	auditChange(ctx, db, actor, "consumer.map", key, detail, err)
	return err
}

func consumersMapPattern(ctx context.Context, db *data.DB, actor, pattern, member string, all bool) (int, error) {
	n, err := db.MapConsumersMatching(ctx, pattern, member, all)
	auditChange(ctx, db, actor, "consumer.map", pattern, fmt.Sprintf("%d consumers to %s", n, member), err)
	return n, err
}

// queryInt reads an optional non-negative integer query parameter.
func queryInt(c *fiber.Ctx, name string) (int, error) {
	s := c.Query(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, domain.Errorf(domain.EINVALID, "%s: want a whole number ≥ 0, not %q", name, s)
	}
	return n, nil
}

// queryPage reads a list's optional limit and offset (0 when absent; the
// list's builder bounds them).
func queryPage(c *fiber.Ctx) (limit, offset int, err error) {
	if limit, err = queryInt(c, "limit"); err != nil {
		return 0, 0, err
	}
	offset, err = queryInt(c, "offset")
	return limit, offset, err
}

func (a *App) consumersJSON(c *fiber.Ctx) error {
	limit, offset, err := queryPage(c)
	if err != nil {
		return err
	}
	unmapped := c.Query("unmapped")
	p, err := consumerPage(c.UserContext(), a.db, data.ConsumerQuery{Unmapped: unmapped == "1" || unmapped == "true",
		Search: c.Query("q"), Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (a *App) consumerMapJSON(c *fiber.Ctx) error {
	key, err := url.PathUnescape(c.Params("key"))
	if err != nil {
		return domain.Errorf(domain.EINVALID, "key: not a valid URL path segment")
	}
	var in struct {
		Member *string `json:"member"`
		Secret bool    `json:"secret"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Member == nil {
		return domain.Errorf(domain.EINVALID, `member: give the member's slug, or "" to unmap`)
	}
	if in.Secret { // never stored, logged or answered: only its hash
		if key, err = secretConsumerKey(c.UserContext(), a.db, a.cfg.Sources, key); err != nil {
			return err
		}
	}
	if err := consumerMap(c.UserContext(), a.db, viewerOf(c).Name, key, strings.TrimSpace(*in.Member)); err != nil {
		return err
	}
	a.rescoreSoon()
	return c.JSON(fiber.Map{"key": key, "member": strings.TrimSpace(*in.Member)})
}

func (a *App) consumersMapJSON(c *fiber.Ctx) error {
	var in struct {
		Pattern string `json:"pattern"`
		Address string `json:"address"` // an address or CIDR range: the consumers identified by client address
		Member  string `json:"member"`
		All     bool   `json:"all"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Member) == "" {
		return domain.Errorf(domain.EINVALID, "member: name the member the consumers belong to")
	}
	var n int
	var err error
	switch {
	case in.Address != "" && in.Pattern != "":
		return domain.Errorf(domain.EINVALID, "address: give a pattern or an address range, not both")
	case in.Address != "":
		n, err = mapAddressRange(c.UserContext(), a.db, a.cfg.Sources, viewerOf(c).Name, strings.TrimSpace(in.Address), strings.TrimSpace(in.Member))
	default:
		n, err = consumersMapPattern(c.UserContext(), a.db, viewerOf(c).Name, in.Pattern, strings.TrimSpace(in.Member), in.All)
	}
	if err != nil {
		return err
	}
	if n > 0 {
		a.rescoreSoon()
	}
	return c.JSON(fiber.Map{"mapped": n, "pattern": in.Pattern, "address": in.Address, "member": in.Member})
}

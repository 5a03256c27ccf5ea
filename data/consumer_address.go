package data

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// Address ranges a manager may map at once: every address of a range is
// hashed to find its consumer (the address itself is never stored), so a
// range is bounded — 65,536 addresses.
const (
	MinIPv4Prefix = 16
	MinIPv6Prefix = 112
)

// ParseAddressRange reads an address or a CIDR range ("203.0.113.7",
// "203.0.113.0/24", "2001:db8::/120") as a canonical prefix, refusing a
// range over 65,536 addresses.
func ParseAddressRange(s string) (netip.Prefix, error) {
	var p netip.Prefix
	if a, err := netip.ParseAddr(s); err == nil {
		a = a.Unmap().WithZone("")
		p = netip.PrefixFrom(a, a.BitLen())
	} else if p, err = netip.ParsePrefix(s); err != nil {
		return p, domain.Errorf(domain.EINVALID, "address: %q is not an address or a CIDR range (203.0.113.0/24)", domain.TruncateForError(s))
	}
	p = p.Masked()
	if p.Addr().Is4() && p.Bits() < MinIPv4Prefix || p.Addr().Is6() && p.Bits() < MinIPv6Prefix {
		return p, domain.Errorf(domain.EINVALID, "address: %s holds more than 65,536 addresses: map at most a /%d (IPv4) or /%d (IPv6) at a time", p, MinIPv4Prefix, MinIPv6Prefix)
	}
	return p, nil
}

// AddressesOf calls fn with every address of p, in order, until fn returns
// false.
func AddressesOf(p netip.Prefix, fn func(netip.Addr) bool) {
	for a := p.Addr(); a.IsValid() && p.Contains(a); a = a.Next() {
		if !fn(a) {
			return
		}
	}
}

// AddressRule maps the consumers of an address range to a member.
type AddressRule struct {
	ID     int64        `json:"id"`
	Prefix netip.Prefix `json:"prefix"`
	Member string       `json:"member"`
}

// SaveAddressRule keeps a rule (a range mapped again replaces its member).
func (db *DB) SaveAddressRule(ctx context.Context, p netip.Prefix, slug string) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		memberID, err := mappableMember(ctx, tx, slug)
		if err != nil {
			return err
		}
		if memberID == 0 {
			return domain.Errorf(domain.EINVALID, "member: name the member the addresses belong to")
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO consumer_address_rules (prefix, member_id, created_at) VALUES (?, ?, ?)
			ON CONFLICT (prefix) DO UPDATE SET member_id = excluded.member_id`, p.String(), memberID, time.Now().Unix())
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to keep the address rule %s: %w", p, err)
	}
	return nil
}

// AddressRules returns the kept rules, narrowest range first (a narrower
// rule wins over a wider one that contains it).
func (db *DB) AddressRules(ctx context.Context) ([]AddressRule, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT r.id, r.prefix, m.slug FROM consumer_address_rules r JOIN members m ON m.id = r.member_id ORDER BY r.id`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list address rules: %w", err)
	}
	defer rows.Close()
	var out []AddressRule
	for rows.Next() {
		var r AddressRule
		var p string
		if err := rows.Scan(&r.ID, &p, &r.Member); err != nil {
			return nil, fmt.Errorf("store: unable to list address rules: %w", err)
		}
		if r.Prefix, err = netip.ParsePrefix(p); err != nil {
			continue // not written by SaveAddressRule
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to list address rules: %w", err)
	}
	sortRulesNarrowFirst(out)
	return out, nil
}

func sortRulesNarrowFirst(rs []AddressRule) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].Prefix.Bits() > rs[j-1].Prefix.Bits(); j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

// MapConsumerKeys maps the consumers with these keys (those that exist) to
// a member — all of them, or only those still unmapped — and returns how
// many it mapped; their history goes with them.
func (db *DB) MapConsumerKeys(ctx context.Context, keys []string, slug string, onlyUnmapped bool) (int, error) {
	var n int
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		memberID, err := mappableMember(ctx, tx, slug)
		if err != nil {
			return err
		}
		var ids []int64
		for _, k := range keys {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM api_consumers WHERE key = ? AND (? = 0 OR member_id IS NULL) AND member_id IS DISTINCT FROM ?`,
				k, boolInt(onlyUnmapped), nullInt(memberID)).Scan(&id)
			if err == sql.ErrNoRows {
				continue
			} else if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		n = len(ids)
		return mapConsumers(ctx, tx, ids, memberID, onlyUnmapped)
	})
	if err != nil {
		return 0, fmt.Errorf("store: unable to map API consumers: %w", err)
	}
	return n, nil
}

// ConsumerKeysStartingWith returns the keys of the consumers whose key
// starts with prefix ("ip:": those identified by client address), all of
// them or the unmapped only.
func (db *DB) ConsumerKeysStartingWith(ctx context.Context, prefix string, onlyUnmapped bool) (map[string]bool, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT key FROM api_consumers WHERE key >= ? AND key < ? AND (? = 0 OR member_id IS NULL)`,
		prefix, prefix+"\U0010FFFF", boolInt(onlyUnmapped))
	if err != nil {
		return nil, fmt.Errorf("store: unable to list API consumers: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("store: unable to list API consumers: %w", err)
		}
		out[k] = true
	}
	return out, rows.Err()
}

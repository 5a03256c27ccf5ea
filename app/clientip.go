package app

import (
	"net/netip"
	"strings"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/gofiber/fiber/v2"
)

// proxyTrust is whose word about a client's address is believed: the
// reverse proxies of auth.trusted_proxies, through the header of
// auth.proxy_header.
type proxyTrust struct {
	header  string         // "" : the connection's address, always
	trusted []netip.Prefix // the proxies (addresses are /32 or /128)
}

func (t proxyTrust) trusts(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, p := range t.trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// clientIP is the address a request came from, as every per-address rule
// sees it: login throttling, rate limits and token allow lists.
//
// A header is a claim anyone can make, so it is read only when the
// connection comes from a trusted proxy; then the client is the right-most
// address of the chain that is not itself a trusted proxy. Each proxy
// appends the address it was connected from, so the entries right of that
// one were written by our proxies, and everything left of it by the
// client: "evil, 10.0.0.5" through a trusted proxy is 10.0.0.5, whatever
// "evil" says. Fiber's own ProxyHeader handling (c.IP()) would return the
// header's first entry as it is, which the client chooses; newFiber does
// not give Fiber the header.
func (a *App) clientIP(c *fiber.Ctx) string {
	peer := remoteAddr(c)
	if a.proxies.header == "" || !peer.IsValid() || !a.proxies.trusts(peer) {
		return addrString(peer, c)
	}
	return addrString(a.proxies.client(peer, c.Request().Header.PeekAll(a.proxies.header)), c)
}

// client walks a forwarded chain (every line of the header, in order) from
// the right and returns the first address that is not a trusted proxy. An
// entry that is not an address ends the walk at the nearest address known:
// whoever wrote it is not a proxy we trust to write addresses, so the
// client is taken to be the hop that passed it on.
func (t proxyTrust) client(peer netip.Addr, lines [][]byte) netip.Addr {
	var hops []string
	for _, l := range lines {
		hops = append(hops, strings.Split(string(l), ",")...)
	}
	nearest := peer
	for i := len(hops) - 1; i >= 0; i-- {
		addr, ok := parseHop(hops[i])
		if !ok {
			return nearest
		}
		if !t.trusts(addr) {
			return addr
		}
		nearest = addr
	}
	return nearest // every hop is a trusted proxy: the left-most one asked
}

// parseHop reads one entry of a forwarded chain: an address, optionally
// with a port ("1.2.3.4:5678", "[2001:db8::1]:443").
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if addr, err := netip.ParseAddr(s); err == nil {
		return addr.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// remoteAddr is the address of the connection's other end.
func remoteAddr(c *fiber.Ctx) netip.Addr {
	addr, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return netip.Addr{}
	}
	return addr.Unmap()
}

func addrString(addr netip.Addr, c *fiber.Ctx) string {
	if !addr.IsValid() {
		return c.Context().RemoteIP().String()
	}
	return addr.String()
}

// parseTrustedProxies reads auth.trusted_proxies: addresses or CIDRs, one
// per entry.
func parseTrustedProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, p := range list {
		ps, err := domain.ParseAllowList(p)
		if err != nil || strings.Contains(p, ",") || len(ps) != 1 {
			return nil, domain.Errorf(domain.EINVALID, "config: auth.trusted_proxies: %q is not an IP address or CIDR", p)
		}
		out = append(out, ps[0])
	}
	return out, nil
}

package spec

import (
	"cmp"
	"net"
	"net/netip"
	"slices"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric/netx"
)

// parseAddr4 parses an IPv4 address (no prefix length).
func parseAddr4(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return netip.Addr{}, false
	}
	return a, true
}

// parsePrefix4 parses an IPv4 CIDR ("a.b.c.d/n"); the address need not be the network address.
func parsePrefix4(s string) (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, false
	}
	return p, true
}

// isCanonical reports whether p's address is its network address.
func isCanonical(p netip.Prefix) bool { return p.Masked().Addr() == p.Addr() }

// bounds returns the first and last address of an IPv4 prefix as integers.
func bounds(p netip.Prefix) (lo, hi uint32) {
	lo, hi, _ = netx.IPv4Range(p)
	return lo, hi
}

// span is an inclusive integer interval tagged with the index of the item it came from.
type span struct {
	lo, hi uint32
	idx    int
}

// overlapPairs sorts spans by start and returns, for every span that starts inside an earlier one,
// the pair (index of the earlier span reaching furthest, index of the later span). It runs in
// O(n log n) and allocates only when it finds an overlap.
func overlapPairs(spans []span) [][2]int {
	slices.SortFunc(spans, func(a, b span) int {
		if c := cmp.Compare(a.lo, b.lo); c != 0 {
			return c
		}
		if c := cmp.Compare(a.hi, b.hi); c != 0 {
			return c
		}
		return cmp.Compare(a.idx, b.idx)
	})
	var out [][2]int
	reach := -1 // position in spans of the span that reaches furthest so far
	for i := range spans {
		if reach >= 0 && spans[i].lo <= spans[reach].hi {
			out = append(out, [2]int{spans[reach].idx, spans[i].idx})
		}
		if reach < 0 || spans[i].hi > spans[reach].hi {
			reach = i
		}
	}
	return out
}

// isMAC reports whether s is a MAC address the fabric accepts (Go's net.ParseMAC).
func isMAC(s string) bool {
	_, err := net.ParseMAC(s)
	return err == nil
}

// isCommunity reports whether s is a BGP standard community "N:N" with both parts 0–65535
// written in decimal without leading zeros.
func isCommunity(s string) bool {
	_, _, err := netx.ParseCommunity(s)
	return err == nil
}

// isPort reports whether s is written "<device>/<port>".
func isPort(s string) bool {
	_, _, err := netx.ParsePort(s)
	return err == nil
}

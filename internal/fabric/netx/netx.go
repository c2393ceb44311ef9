// Package netx holds small, allocation-light network helpers built on net/netip.
package netx

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// ParseCanonicalPrefix parses s as a CIDR prefix and rejects non-canonical forms
// (host bits set, e.g. "10.0.0.1/24") and zoned addresses.
func ParseCanonicalPrefix(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("prefix %q is not canonical (want %s)", s, p.Masked())
	}
	return p, nil
}

// ParseIPv4Prefix is ParseCanonicalPrefix restricted to IPv4.
func ParseIPv4Prefix(s string) (netip.Prefix, error) {
	p, err := ParseCanonicalPrefix(s)
	if err != nil {
		return p, err
	}
	if !p.Addr().Is4() {
		return netip.Prefix{}, fmt.Errorf("prefix %q is not IPv4", s)
	}
	return p, nil
}

// FirstHost returns the address after the network address (the fabric's
// default gateway). For /31 and /32 (or /127, /128) it returns the first address.
func FirstHost(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr()
	if p.Bits() >= a.BitLen()-1 {
		return a
	}
	return a.Next()
}

// Broadcast returns the last address of p (the broadcast address for IPv4).
func Broadcast(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr()
	if !a.IsValid() {
		return a
	}
	if a.Is4() {
		b := a.As4()
		v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		v |= hostMask32(p.Bits())
		return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	}
	b := a.As16()
	for i := p.Bits(); i < 128; i++ {
		b[i/8] |= 1 << (7 - uint(i%8))
	}
	return netip.AddrFrom16(b)
}

// LastHost returns the last usable host address (broadcast - 1). For /31 and
// /32 it returns the last address.
func LastHost(p netip.Prefix) netip.Addr {
	b := Broadcast(p)
	if !b.IsValid() || p.Bits() >= b.BitLen()-1 {
		return b
	}
	return b.Prev()
}

func hostMask32(bits int) uint32 {
	if bits <= 0 {
		return 0xffffffff
	}
	if bits >= 32 {
		return 0
	}
	return 0xffffffff >> uint(bits)
}

// PrefixOverlaps reports whether a and b share any address.
func PrefixOverlaps(a, b netip.Prefix) bool { return a.Overlaps(b) }

// PrefixContains reports whether inner lies entirely within outer.
func PrefixContains(outer, inner netip.Prefix) bool {
	return outer.IsValid() && inner.IsValid() && inner.Bits() >= outer.Bits() &&
		outer.Contains(inner.Masked().Addr())
}

// PrefixContainsAddr reports whether a is inside p.
func PrefixContainsAddr(p netip.Prefix, a netip.Addr) bool { return p.Contains(a) }

// IPv4Range returns p's first and last address as integers; ok is false for
// invalid or non-IPv4 prefixes.
func IPv4Range(p netip.Prefix) (lo, hi uint32, ok bool) {
	if !p.IsValid() || !p.Addr().Is4() {
		return 0, 0, false
	}
	b := p.Masked().Addr().As4()
	lo = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	return lo, lo | hostMask32(p.Bits()), true
}

// NormalizeMAC parses a MAC address in any form net.ParseMAC accepts and
// returns it in lowercase colon form, as the fabric does.
func NormalizeMAC(s string) (string, error) {
	hw, err := net.ParseMAC(s)
	if err != nil {
		return "", err
	}
	return hw.String(), nil
}

// ParseCommunity parses a BGP community "N:N" (each part 0–65535, decimal, no
// leading zeros, no sign).
func ParseCommunity(s string) (hi, lo uint16, err error) {
	a, b, ok := strings.Cut(s, ":")
	if !ok {
		return 0, 0, fmt.Errorf("community %q: want N:N", s)
	}
	if hi, err = parseUint16NoLeadingZero(a); err != nil {
		return 0, 0, fmt.Errorf("community %q: %w", s, err)
	}
	if lo, err = parseUint16NoLeadingZero(b); err != nil {
		return 0, 0, fmt.Errorf("community %q: %w", s, err)
	}
	return hi, lo, nil
}

var errNumber = errors.New("want a decimal number 0-65535 without leading zeros")

func parseUint16NoLeadingZero(s string) (uint16, error) {
	if s == "" || len(s) > 5 || (len(s) > 1 && s[0] == '0') {
		return 0, errNumber
	}
	v := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, errNumber
		}
		v = v*10 + int(c-'0')
	}
	if v > 65535 {
		return 0, errNumber
	}
	return uint16(v), nil
}

// ParsePort splits "<device>/<port>" at the first slash; both parts must be
// non-empty and contain no whitespace. The port may itself contain slashes
// (e.g. "leaf-1/E1/4/1" → "leaf-1", "E1/4/1").
func ParsePort(s string) (device, port string, err error) {
	device, port, ok := strings.Cut(s, "/")
	if !ok || device == "" || port == "" {
		return "", "", fmt.Errorf("invalid port name %q, should be \"<device>/<port>\"", s)
	}
	if strings.ContainsAny(s, " \t\r\n") {
		return "", "", fmt.Errorf("invalid port name %q: contains whitespace", s)
	}
	return device, port, nil
}

// SwitchPort is a parsed switch port name such as "E1/4" or "E1/4/1".
type SwitchPort struct {
	Prefix string // letters, e.g. "E" or "M"
	Slot   int    // first number
	Port   int    // second number, 0 if absent (e.g. "M1")
	Lane   int    // breakout lane, 0 if not a breakout lane
}

// ParseSwitchPort parses a switch port name: letters followed by 1 to 3
// slash-separated positive decimal numbers without leading zeros
// ("M1", "E1/4", "E1/4/1").
func ParseSwitchPort(s string) (SwitchPort, error) {
	var sp SwitchPort
	i := 0
	for i < len(s) && (s[i] >= 'A' && s[i] <= 'Z' || s[i] >= 'a' && s[i] <= 'z') {
		i++
	}
	if i == 0 || i == len(s) {
		return sp, fmt.Errorf("invalid switch port %q", s)
	}
	sp.Prefix = s[:i]
	parts := strings.Split(s[i:], "/")
	if len(parts) > 3 {
		return sp, fmt.Errorf("invalid switch port %q", s)
	}
	nums := [3]int{}
	for j, p := range parts {
		if p == "" || p[0] == '0' || len(p) > 4 {
			return sp, fmt.Errorf("invalid switch port %q", s)
		}
		n := 0
		for k := 0; k < len(p); k++ {
			if p[k] < '0' || p[k] > '9' {
				return sp, fmt.Errorf("invalid switch port %q", s)
			}
			n = n*10 + int(p[k]-'0')
		}
		nums[j] = n
	}
	sp.Slot, sp.Port, sp.Lane = nums[0], nums[1], nums[2]
	return sp, nil
}

// String formats sp back into its canonical name.
func (sp SwitchPort) String() string {
	s := sp.Prefix + strconv.Itoa(sp.Slot)
	if sp.Port > 0 {
		s += "/" + strconv.Itoa(sp.Port)
	}
	if sp.Lane > 0 {
		s += "/" + strconv.Itoa(sp.Lane)
	}
	return s
}

// IsBreakoutLane reports whether name looks like a breakout lane ("E1/4/1").
func IsBreakoutLane(name string) bool { return strings.Count(name, "/") == 2 }

// PortBase strips a breakout lane: PortBase("E1/4/1") = "E1/4"; other names
// are returned unchanged.
func PortBase(name string) string {
	if !IsBreakoutLane(name) {
		return name
	}
	return name[:strings.LastIndexByte(name, '/')]
}

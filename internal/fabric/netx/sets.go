package netx

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// interval is an inclusive range with an owner.
type interval struct {
	lo, hi uint32
	owner  string
}

// intervalSet keeps disjoint intervals sorted by lo (hence also by hi), so an
// overlap query is one binary search.
type intervalSet struct{ iv []interval }

// find returns the index of the first stored interval overlapping [lo, hi], or -1.
func (s *intervalSet) find(lo, hi uint32) int {
	i := sort.Search(len(s.iv), func(i int) bool { return s.iv[i].hi >= lo })
	if i < len(s.iv) && s.iv[i].lo <= hi {
		return i
	}
	return -1
}

// insert stores [lo, hi] unless it overlaps; it returns the index of the
// conflicting interval or -1 after storing.
func (s *intervalSet) insert(lo, hi uint32, owner string) int {
	i := sort.Search(len(s.iv), func(i int) bool { return s.iv[i].hi >= lo })
	if i < len(s.iv) && s.iv[i].lo <= hi {
		return i
	}
	s.iv = append(s.iv, interval{})
	copy(s.iv[i+1:], s.iv[i:])
	s.iv[i] = interval{lo, hi, owner}
	return -1
}

// PrefixSet is a set of disjoint IPv4 prefixes with owners. Overlap queries
// are one binary search (O(log n), no allocation); Insert adds a slice
// memmove, cheap for ascending inserts. The zero value is ready to use.
type PrefixSet struct{ s intervalSet }

func rangeToPrefix(lo, hi uint32) netip.Prefix {
	bits := 32
	for m := hi - lo; m != 0; m >>= 1 {
		bits--
	}
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(lo >> 24), byte(lo >> 16), byte(lo >> 8), byte(lo)}), bits)
}

// Insert adds p (masked) for owner. If p overlaps a stored prefix it is not
// added and the owner and prefix of the lowest overlapping entry are returned
// with ok=false. Invalid or non-IPv4 prefixes return ok=false and an empty owner.
func (ps *PrefixSet) Insert(p netip.Prefix, owner string) (prevOwner string, prev netip.Prefix, ok bool) {
	lo, hi, valid := IPv4Range(p)
	if !valid {
		return "", netip.Prefix{}, false
	}
	if i := ps.s.insert(lo, hi, owner); i >= 0 {
		iv := ps.s.iv[i]
		return iv.owner, rangeToPrefix(iv.lo, iv.hi), false
	}
	return "", netip.Prefix{}, true
}

// Overlapping returns the owner and prefix of the lowest stored prefix that
// overlaps p.
func (ps *PrefixSet) Overlapping(p netip.Prefix) (owner string, prefix netip.Prefix, found bool) {
	lo, hi, valid := IPv4Range(p)
	if !valid {
		return "", netip.Prefix{}, false
	}
	if i := ps.s.find(lo, hi); i >= 0 {
		iv := ps.s.iv[i]
		return iv.owner, rangeToPrefix(iv.lo, iv.hi), true
	}
	return "", netip.Prefix{}, false
}

// Lookup returns the stored prefix containing a.
func (ps *PrefixSet) Lookup(a netip.Addr) (owner string, prefix netip.Prefix, found bool) {
	if !a.Is4() {
		return "", netip.Prefix{}, false
	}
	return ps.Overlapping(netip.PrefixFrom(a, 32))
}

// Len returns the number of stored prefixes.
func (ps *PrefixSet) Len() int { return len(ps.s.iv) }

// VLANRange is an inclusive VLAN ID range.
type VLANRange struct{ From, To uint16 }

// Valid reports whether 1 <= From <= To <= 4094.
func (r VLANRange) Valid() bool { return r.From >= 1 && r.From <= r.To && r.To <= 4094 }

// Contains reports whether v is in r.
func (r VLANRange) Contains(v uint16) bool { return r.From <= v && v <= r.To }

// Overlaps reports whether r and o share a VLAN.
func (r VLANRange) Overlaps(o VLANRange) bool { return r.From <= o.To && o.From <= r.To }

// String formats r as "From-To" (or "From" when From == To).
func (r VLANRange) String() string {
	if r.From == r.To {
		return strconv.Itoa(int(r.From))
	}
	return strconv.Itoa(int(r.From)) + "-" + strconv.Itoa(int(r.To))
}

// ParseVLANRange parses "N" or "N-M" (1–4094, N <= M, no leading zeros).
func ParseVLANRange(s string) (VLANRange, error) {
	a, b, isRange := strings.Cut(s, "-")
	from, err := parseVLAN(a)
	if err != nil {
		return VLANRange{}, fmt.Errorf("vlan range %q: %w", s, err)
	}
	to := from
	if isRange {
		if to, err = parseVLAN(b); err != nil {
			return VLANRange{}, fmt.Errorf("vlan range %q: %w", s, err)
		}
	}
	r := VLANRange{from, to}
	if !r.Valid() {
		return VLANRange{}, fmt.Errorf("vlan range %q: want 1 <= from <= to <= 4094", s)
	}
	return r, nil
}

func parseVLAN(s string) (uint16, error) {
	v, err := parseUint16NoLeadingZero(s)
	if err != nil {
		return 0, err
	}
	if v < 1 || v > 4094 {
		return 0, fmt.Errorf("vlan %d out of range 1-4094", v)
	}
	return v, nil
}

// VLANSet is a set of disjoint VLAN ranges with owners (O(log n) queries).
type VLANSet struct{ s intervalSet }

// Insert adds r for owner unless it overlaps a stored range; then it returns
// the lowest overlapping range and its owner with ok=false. A range with
// From > To is rejected (ok=false, empty owner).
func (vs *VLANSet) Insert(r VLANRange, owner string) (prevOwner string, prev VLANRange, ok bool) {
	if r.From > r.To {
		return "", VLANRange{}, false
	}
	if i := vs.s.insert(uint32(r.From), uint32(r.To), owner); i >= 0 {
		iv := vs.s.iv[i]
		return iv.owner, VLANRange{uint16(iv.lo), uint16(iv.hi)}, false
	}
	return "", VLANRange{}, true
}

// Overlapping returns the lowest stored range overlapping r.
func (vs *VLANSet) Overlapping(r VLANRange) (owner string, prev VLANRange, found bool) {
	if r.From > r.To {
		return "", VLANRange{}, false
	}
	if i := vs.s.find(uint32(r.From), uint32(r.To)); i >= 0 {
		iv := vs.s.iv[i]
		return iv.owner, VLANRange{uint16(iv.lo), uint16(iv.hi)}, true
	}
	return "", VLANRange{}, false
}

// Lookup returns the stored range containing v.
func (vs *VLANSet) Lookup(v uint16) (owner string, r VLANRange, found bool) {
	return vs.Overlapping(VLANRange{v, v})
}

package cascade

import (
	"fmt"
	"net/netip"
	"sort"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// maxCandidates bounds the prefixes FreePrefixes looks at (a /8 namespace asked for /30s would be 4M).
const maxCandidates = 1 << 20

// FreePrefixes returns up to max prefixes of the given length inside the subnets of IPv4Namespace ns that
// overlap no VPC subnet of the namespace in the view, lowest first. The view holds the fabric and what the
// run planned so far, so prefixes planned earlier in the run are not free.
func FreePrefixes(v *View, ns string, length, max int) ([]netip.Prefix, error) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	ipns, _ := v.get(fabric.KindIPv4Namespace, ns).(*fabric.IPv4Namespace)
	if ipns == nil {
		return nil, fmt.Errorf("IPv4Namespace %q not found%s", ns, v.suggest(fabric.KindIPv4Namespace, ns))
	}
	if length < 1 || length > 32 {
		return nil, fmt.Errorf("prefix length %d is not between 1 and 32", length)
	}
	var outers []netip.Prefix
	for _, s := range ipns.Spec.Subnets {
		if p, err := netip.ParsePrefix(s); err == nil && p.Addr().Is4() {
			outers = append(outers, p.Masked())
		}
	}
	sort.Slice(outers, func(i, j int) bool { return outers[i].Addr().Less(outers[j].Addr()) })
	trie := v.subnets[ns]
	var out []netip.Prefix
	seen := 0
	for _, o := range outers {
		if o.Bits() > length {
			continue
		}
		step := uint64(1) << (32 - length)
		a4 := o.Addr().As4()
		start := uint64(a4[0])<<24 | uint64(a4[1])<<16 | uint64(a4[2])<<8 | uint64(a4[3])
		end := start + uint64(1)<<(32-o.Bits())
		for cur := start; cur < end && len(out) < max; cur += step {
			if seen++; seen > maxCandidates {
				return out, nil
			}
			p := netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(cur >> 24), byte(cur >> 16), byte(cur >> 8), byte(cur)}), length)
			used := false
			if trie != nil {
				trie.overlaps(p, func(subnetOwner) bool { used = true; return false })
			}
			if !used {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// FreeVLANs returns the VLAN ranges of VLANNamespace ns that no VPC subnet in the view uses, lowest first.
func FreeVLANs(v *View, ns string) ([]fabric.VLANRange, error) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	vlns, _ := v.get(fabric.KindVLANNamespace, ns).(*fabric.VLANNamespace)
	if vlns == nil {
		return nil, fmt.Errorf("VLANNamespace %q not found%s", ns, v.suggest(fabric.KindVLANNamespace, ns))
	}
	ranges := append([]fabric.VLANRange(nil), vlns.Spec.Ranges...)
	sort.Slice(ranges, func(i, j int) bool { return ranges[i].From < ranges[j].From })
	used := v.vlans[ns]
	var out []fabric.VLANRange
	for _, r := range ranges {
		var cur *fabric.VLANRange
		for vl := int(r.From); vl <= int(r.To); vl++ {
			if len(used[uint16(vl)]) > 0 {
				cur = nil
				continue
			}
			if cur == nil {
				out = append(out, fabric.VLANRange{From: uint16(vl), To: uint16(vl)})
				cur = &out[len(out)-1]
			} else {
				cur.To = uint16(vl)
			}
		}
	}
	return out, nil
}

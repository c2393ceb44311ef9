package cascade

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// Address planning (DECISIONS.md, "Address planning is a data source"): the next free prefix of a given
// length in an IPv4Namespace and the next free VLAN in a VLANNamespace, for named VPC subnets.

// AddressRequest asks for the addresses of one VPC subnet.
type AddressRequest struct {
	VPC, Subnet string
	// PrefixLength is the length of the prefix wanted; 0 asks for none.
	PrefixLength int
	// VLAN asks for a VLAN.
	VLAN bool
	// FixedPrefix and FixedVLAN are values the subnet sets itself: they are reserved (before anything is
	// allocated, so that no allocation takes them) and returned as they are.
	FixedPrefix netip.Prefix
	FixedVLAN   uint16
}

// Key is the request's name: "vpc/subnet".
func (r AddressRequest) Key() string { return r.VPC + "/" + r.Subnet }

// Allocation is what PlanAddresses chose for one request.
type Allocation struct {
	Prefix netip.Prefix // the zero Prefix when none was asked for
	VLAN   uint16       // 0 when none was asked for
	// Existing is set when every value asked for is the one the VPC already holds (in the fabric, or as
	// planned in this run): it was allocated in an earlier run, or written by hand.
	Existing bool
}

// AddressError is a request PlanAddresses could not satisfy.
type AddressError struct {
	Key     string // the request ("vpc/subnet"); "" for an error of the whole plan
	Field   string // "prefix_length", "vlan", "ipv4_namespace" or "vlan_namespace"
	Summary string
	Detail  string
}

func (e AddressError) Error() string { return e.Summary + ": " + e.Detail }

// PlanAddresses chooses the addresses of reqs against the view, and reserves them in it so that whatever
// the run plans next (another address plan, a VPC with literal values) cannot take them; a reservation
// leaves the view when the VPC it is for is planned (with those values, or others).
//
// The choice is stable and independent of the order of reqs:
//   - a subnet the VPC already has in the view keeps its prefix when the prefix is in ipv4ns and has the
//     length asked for, and its VLAN when the VPC uses vlanns (a request already reserved in this run keeps
//     its reservation the same way);
//   - the other requests, sorted by key, take the lowest free prefix of the length asked for (first fit
//     over the namespace's subnets in address order) and the lowest free VLAN of the namespace's ranges.
//
// "Free" means overlapping no VPC subnet of the namespace in the view (the fabric as read, the objects this
// run declares or planned, earlier reservations): space freed by a VPC this run destroys is not reused in
// the same run.
func PlanAddresses(v *View, ipv4ns, vlanns string, reqs []AddressRequest) ([]Allocation, []AddressError) {
	v.mu.Lock()
	defer v.mu.Unlock()
	order := make([]int, len(reqs))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return reqs[order[a]].Key() < reqs[order[b]].Key() })

	out := make([]Allocation, len(reqs))
	var errs []AddressError
	var ipns *fabric.IPv4Namespace
	var vlns *fabric.VLANNamespace
	wantPrefix, wantVLAN := false, false
	for _, r := range reqs {
		wantPrefix = wantPrefix || r.PrefixLength > 0 || r.FixedPrefix.IsValid()
		wantVLAN = wantVLAN || r.VLAN || r.FixedVLAN != 0
	}
	if wantPrefix {
		if ipns, _ = v.get(fabric.KindIPv4Namespace, ipv4ns).(*fabric.IPv4Namespace); ipns == nil {
			errs = append(errs, AddressError{Field: "ipv4_namespace", Summary: "IPv4Namespace not found",
				Detail: fmt.Sprintf("IPv4Namespace %q is neither in the fabric nor planned in this run%s. Name an existing IPv4Namespace, or one this configuration creates (by its name, not by the resource's attribute, so that the plan can read this data source).", ipv4ns, v.suggest(fabric.KindIPv4Namespace, ipv4ns))})
		}
	}
	if wantVLAN {
		if vlns, _ = v.get(fabric.KindVLANNamespace, vlanns).(*fabric.VLANNamespace); vlns == nil {
			errs = append(errs, AddressError{Field: "vlan_namespace", Summary: "VLANNamespace not found",
				Detail: fmt.Sprintf("VLANNamespace %q is neither in the fabric nor planned in this run%s. Name an existing VLANNamespace, or one this configuration creates (by its name, not by the resource's attribute, so that the plan can read this data source).", vlanns, v.suggest(fabric.KindVLANNamespace, vlanns))})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}

	// Pass 0: reserve the values the subnets set themselves.
	for _, i := range order {
		r := reqs[i]
		if r.FixedPrefix.IsValid() {
			out[i].Prefix = r.FixedPrefix.Masked()
			if p, ok := v.heldPrefix(AddressRequest{VPC: r.VPC, Subnet: r.Subnet, PrefixLength: r.FixedPrefix.Bits()}, ipv4ns); !ok || p != out[i].Prefix {
				v.reserve(r, ipv4ns, out[i].Prefix, "", 0)
			}
		}
		if r.FixedVLAN != 0 {
			out[i].VLAN = r.FixedVLAN
			if vl, ok := v.heldVLAN(r, vlanns); !ok || vl != r.FixedVLAN {
				v.reserve(r, "", netip.Prefix{}, vlanns, r.FixedVLAN)
			}
		}
	}
	// Pass 1: keep what the VPCs (or this run's reservations) already hold.
	needPrefix := map[int]bool{}
	needVLAN := map[int]bool{}
	for _, i := range order {
		r := reqs[i]
		existing := true
		if r.FixedPrefix.IsValid() || r.FixedVLAN != 0 {
			existing = false // not an allocation
		}
		if r.PrefixLength > 0 && !r.FixedPrefix.IsValid() {
			if p, ok := v.heldPrefix(r, ipv4ns); ok {
				out[i].Prefix = p
			} else {
				needPrefix[i], existing = true, false
			}
		}
		if r.VLAN && r.FixedVLAN == 0 {
			if vl, ok := v.heldVLAN(r, vlanns); ok {
				out[i].VLAN = vl
			} else {
				needVLAN[i], existing = true, false
			}
		}
		out[i].Existing = existing && !v.reservedFor(r)
	}
	// Pass 2: first fit, in key order.
	for _, i := range order {
		r := reqs[i]
		if needPrefix[i] {
			p, ok := v.firstFreePrefix(ipns, r)
			if !ok {
				errs = append(errs, AddressError{Key: r.Key(), Field: "prefix_length", Summary: "No free prefix",
					Detail: fmt.Sprintf("IPv4Namespace %q (%s) has no free /%d left for %s. Ask for a longer prefix_length, add a subnet to the namespace, or free a VPC subnet in it.", ipv4ns, strings.Join(ipns.Spec.Subnets, ", "), r.PrefixLength, r.Key())})
			} else {
				out[i].Prefix = p
				v.reserve(r, ipv4ns, p, "", 0)
			}
		}
		if needVLAN[i] {
			vl, ok := v.firstFreeVLAN(vlns)
			if !ok {
				errs = append(errs, AddressError{Key: r.Key(), Field: "vlan", Summary: "No free VLAN",
					Detail: fmt.Sprintf("VLANNamespace %q (%s) has no free VLAN left for %s. Widen the namespace's ranges or free a VLAN in it.", vlanns, vlanRanges(vlns.Spec.Ranges), r.Key())})
			} else {
				out[i].VLAN = vl
				v.reserve(r, "", netip.Prefix{}, vlanns, vl)
			}
		}
	}
	return out, errs
}

func vlanRanges(rs []fabric.VLANRange) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%d-%d", r.From, r.To)
	}
	return strings.Join(parts, ", ")
}

// heldPrefix returns the prefix the VPC subnet of r holds in ipv4ns (in the view, or reserved in this run)
// when it has the length asked for. The caller holds the lock.
func (v *View) heldPrefix(r AddressRequest, ns string) (netip.Prefix, bool) {
	if res := v.reserved[r.VPC]; res != nil {
		for _, s := range res.subnets {
			if s.ns == ns && s.o.subnet == r.Subnet && s.o.prefix.Bits() == r.PrefixLength {
				return s.o.prefix, true
			}
		}
	}
	if vpc, _ := v.get(fabric.KindVPC, r.VPC).(*fabric.VPC); vpc != nil && vpc.Spec.IPv4Namespace == ns {
		if s := vpc.Spec.Subnets[r.Subnet]; s != nil {
			if p, err := netip.ParsePrefix(s.Subnet); err == nil && p.Addr().Is4() && p.Bits() == r.PrefixLength {
				return p.Masked(), true
			}
		}
	}
	return netip.Prefix{}, false
}

// heldVLAN returns the VLAN the VPC subnet of r holds in ns (in the view, or reserved in this run). The
// caller holds the lock.
func (v *View) heldVLAN(r AddressRequest, ns string) (uint16, bool) {
	if res := v.reserved[r.VPC]; res != nil {
		for _, s := range res.vlans {
			if s.ns == ns && s.o.subnet == r.Subnet {
				return s.vlan, true
			}
		}
	}
	if vpc, _ := v.get(fabric.KindVPC, r.VPC).(*fabric.VPC); vpc != nil && vpc.Spec.VLANNamespace == ns {
		if s := vpc.Spec.Subnets[r.Subnet]; s != nil && s.VLAN != 0 {
			return s.VLAN, true
		}
	}
	return 0, false
}

// reservedFor reports whether a value of r comes from a reservation of this run (not from the VPC).
func (v *View) reservedFor(r AddressRequest) bool {
	res := v.reserved[r.VPC]
	if res == nil {
		return false
	}
	for _, s := range res.subnets {
		if s.o.subnet == r.Subnet {
			return true
		}
	}
	for _, s := range res.vlans {
		if s.o.subnet == r.Subnet {
			return true
		}
	}
	return false
}

// firstFreePrefix returns the lowest prefix of r's length inside ns's subnets that overlaps no VPC subnet or
// reservation of the namespace but r's own subnet (which the new prefix replaces). The caller holds the lock.
func (v *View) firstFreePrefix(ns *fabric.IPv4Namespace, r AddressRequest) (netip.Prefix, bool) {
	length := r.PrefixLength
	var outers []netip.Prefix
	for _, s := range ns.Spec.Subnets {
		if p, err := netip.ParsePrefix(s); err == nil && p.Addr().Is4() && p.Bits() <= length {
			outers = append(outers, p.Masked())
		}
	}
	sort.Slice(outers, func(i, j int) bool { return outers[i].Addr().Less(outers[j].Addr()) })
	trie := v.subnets[ns.Metadata.Name]
	seen := 0
	for _, o := range outers {
		step := uint64(1) << (32 - length)
		a4 := o.Addr().As4()
		start := uint64(a4[0])<<24 | uint64(a4[1])<<16 | uint64(a4[2])<<8 | uint64(a4[3])
		end := start + uint64(1)<<(32-o.Bits())
		for cur := start; cur < end; cur += step {
			if seen++; seen > maxCandidates {
				return netip.Prefix{}, false
			}
			p := netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(cur >> 24), byte(cur >> 16), byte(cur >> 8), byte(cur)}), length)
			used := false
			if trie != nil {
				trie.overlaps(p, func(o subnetOwner) bool {
					used = o.vpc != r.VPC || o.subnet != r.Subnet
					return !used
				})
			}
			for _, c := range v.claimedSubnets {
				used = used || c.Overlaps(p)
			}
			if !used {
				return p, true
			}
		}
	}
	return netip.Prefix{}, false
}

// firstFreeVLAN returns the lowest VLAN of ns's ranges that no VPC subnet or reservation of the namespace
// uses. The caller holds the lock.
func (v *View) firstFreeVLAN(ns *fabric.VLANNamespace) (uint16, bool) {
	ranges := append([]fabric.VLANRange(nil), ns.Spec.Ranges...)
	sort.Slice(ranges, func(i, j int) bool { return ranges[i].From < ranges[j].From })
	used := v.vlans[ns.Metadata.Name]
	for _, r := range ranges {
		for vl := int(r.From); vl <= int(r.To) && vl > 0; vl++ {
			if len(used[uint16(vl)]) == 0 && !v.claimedVLANs[uint16(vl)] {
				return uint16(vl), true
			}
		}
	}
	return 0, false
}

// reserve records a prefix (ipv4ns set) or a VLAN (vlanns set) for r's VPC subnet until that VPC is
// planned. The caller holds the lock.
func (v *View) reserve(r AddressRequest, ipv4ns string, p netip.Prefix, vlanns string, vl uint16) {
	d := v.reserved[r.VPC]
	if d == nil {
		d = &derived{}
		v.reserved[r.VPC] = d
	}
	var add derived
	if ipv4ns != "" {
		add.subnets = append(add.subnets, struct {
			ns string
			o  subnetOwner
		}{ipv4ns, subnetOwner{vpc: r.VPC, subnet: r.Subnet, prefix: p}})
	}
	if vlanns != "" {
		add.vlans = append(add.vlans, struct {
			ns   string
			vlan uint16
			o    vlanOwner
		}{vlanns, vl, vlanOwner{vpc: r.VPC, subnet: r.Subnet}})
	}
	d.subnets = append(d.subnets, add.subnets...)
	d.vlans = append(d.vlans, add.vlans...)
	v.index(r.VPC, &add)
}

// Claim records subnets and VLANs that VPCs of this run set literally although the rest of their
// configuration was not known when Terraform validated it (so they are not in the view yet): address plans
// keep clear of them in every namespace, so that such a VPC, planned after an address plan, does not find
// its literal values taken.
func (v *View) Claim(subnets []string, vlans []int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, s := range subnets {
		if p, err := netip.ParsePrefix(s); err == nil && p.Addr().Is4() {
			v.claimedSubnets = append(v.claimedSubnets, p.Masked())
		}
	}
	for _, n := range vlans {
		if n > 0 && n < 1<<16 {
			v.claimedVLANs[uint16(n)] = true
		}
	}
}

// dropReservations removes the reservations made for the VPC called name (it is being planned). The caller
// holds the lock.
func (v *View) dropReservations(name string) {
	if d := v.reserved[name]; d != nil {
		v.unindex(name, d)
		delete(v.reserved, name)
	}
}

package spec

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// Namespace limits from the CRDs (minItems/maxItems) and the fabric's webhooks. The IPv4Namespace CRD
// allows 20 subnets, but the fabric's webhook caps them at 10 (each pair needs ACL entries).
const (
	maxIPv4NSSubnets = 10
	maxVLANRanges    = 20
	maxPeeringPermit = 10
)

func validateIPv4Namespace(b *diag.Builder, o *fabric.IPv4Namespace) {
	subs := o.Spec.Subnets
	if n := len(subs); n < 1 || n > maxIPv4NSSubnets {
		b.Errorf("ipv4ns.subnets.count", diag.F("spec", "subnets"), "an IPv4Namespace needs 1 to 10 subnets",
			"the IPv4Namespace has %d subnets; the fabric requires at least 1 and at most %d, because it installs ACLs between every pair of subnets.", n, maxIPv4NSSubnets)
	}
	var buf [maxIPv4NSSubnets]span
	spans := buf[:0]
	for i, s := range subs {
		p, ok := parsePrefix4(s)
		if !ok {
			b.Errorf("ipv4ns.subnet.cidr", diag.F("spec", "subnets").Index(i), "subnet is not an IPv4 CIDR",
				"subnet #%d %q is not an IPv4 CIDR; write it like 10.0.0.0/16.", i, s)
			continue
		}
		if !isCanonical(p) {
			b.Errorf("ipv4ns.subnet.canonical", diag.F("spec", "subnets").Index(i), "subnet CIDR is not canonical",
				"subnet #%d %s has host bits set; use %s.", i, s, p.Masked())
		}
		lo, hi := bounds(p)
		spans = append(spans, span{lo: lo, hi: hi, idx: i})
	}
	for _, pr := range overlapPairs(spans) {
		b.Errorf("ipv4ns.subnet.overlap", diag.F("spec", "subnets").Index(pr[1]), "subnet overlaps another subnet of the namespace",
			"subnet %s overlaps %s (#%d); the subnets of an IPv4Namespace must not overlap.", subs[pr[1]], subs[pr[0]], pr[0])
	}
}

func validateVLANNamespace(b *diag.Builder, o *fabric.VLANNamespace) {
	rs := o.Spec.Ranges
	if n := len(rs); n < 1 || n > maxVLANRanges {
		b.Errorf("vlanns.ranges.count", diag.F("spec", "ranges"), "a VLANNamespace needs 1 to 20 ranges",
			"the VLANNamespace has %d ranges; it needs at least 1 and at most %d. Note the fabric empties all ranges of a namespace when any range is invalid (each needs 1 <= from <= to <= 4094), so check every range.", n, maxVLANRanges)
	}
	var buf [maxVLANRanges]span
	spans := vlanRangeBounds(b, rs, buf[:0])
	for _, pr := range overlapPairs(spans) {
		b.Errorf("vlanns.range.overlap", diag.F("spec", "ranges").Index(pr[1]), "VLAN range overlaps another range",
			"range #%d (%d-%d) overlaps range #%d (%d-%d); the ranges of a VLANNamespace must not overlap.",
			pr[1], rs[pr[1]].From, rs[pr[1]].To, pr[0], rs[pr[0]].From, rs[pr[0]].To)
	}
}

func validateVPCPeering(b *diag.Builder, o *fabric.VPCPeering) {
	if o.Spec.Remote != "" {
		b.Errorf("vpcpeering.remote", diag.F("spec", "remote"), "remote must be empty",
			"remote %q is deprecated and no longer supported by the fabric; remove it.", o.Spec.Remote)
	}
	if n := len(o.Spec.Permit); n < 1 || n > maxPeeringPermit {
		b.Errorf("vpcpeering.permit.count", diag.F("spec", "permit"), "a VPCPeering needs 1 to 10 permit entries",
			"the peering has %d permit entries; it needs at least 1 and at most %d.", n, maxPeeringPermit)
	}
	perEntryOK := true
	for i, entry := range o.Spec.Permit {
		if len(entry) != 2 {
			perEntryOK = false
			b.Errorf("vpcpeering.permit.vpcs", diag.F("spec", "permit").Index(i), "permit entry must name exactly two VPCs",
				"permit entry #%d names %d VPC(s); a VPC peering connects exactly two VPCs, so each entry lists both of them.", i, len(entry))
		}
	}
	if perEntryOK {
		checkPeeringTwoVPCs(b, o.Spec.Permit)
	}
}

// checkPeeringTwoVPCs reports a peering whose permit entries, each naming two VPCs, name more than two
// distinct VPCs in all: the fabric counts the VPCs across every entry and requires exactly two. The
// finding sits on the first VPC (in entry order, names sorted within an entry) beyond the first two.
func checkPeeringTwoVPCs(b *diag.Builder, permit []map[string]fabric.VPCPeer) {
	var first [2]string
	n := 0
	for i, entry := range permit {
		var keyBuf [2]string
		keys := keyBuf[:0]
		for k := range entry {
			keys = append(keys, k)
		}
		sortStrings(keys)
		for _, vpc := range keys {
			if slices.Contains(first[:n], vpc) {
				continue
			}
			if n < 2 {
				first[n] = vpc
				n++
				continue
			}
			b.Errorf("vpcpeering.permit.two-vpcs", diag.F("spec", "permit").Index(i).Key(vpc), "a VPCPeering peers exactly two VPCs",
				"permit entry #%d names VPC %q, but the earlier entries already name %q and %q; all entries of one VPCPeering must be about the same two VPCs. Peer %q in its own VPCPeering.",
				i, vpc, first[0], first[1], vpc)
			return
		}
	}
}

func validateVPCAttachment(b *diag.Builder, o *fabric.VPCAttachment) {
	s := &o.Spec
	vpc, sub, hasSlash := strings.Cut(s.Subnet, "/")
	if vpc == "" || (hasSlash && (sub == "" || strings.Contains(sub, "/"))) {
		b.Errorf("vpcattach.subnet.format", diag.F("spec", "subnet"), "subnet must be written vpc/subnet",
			"subnet %q must name a VPC subnet as \"<vpc>/<subnet>\", e.g. \"vpc-1/default\".", s.Subnet)
	}
	if s.Connection == "" {
		b.Errorf("vpcattach.connection.required", diag.F("spec", "connection"), "connection is required",
			"a VPCAttachment attaches a subnet to a Connection; set connection to the Connection's name.")
	}
	const p2p = "fabric.githedgehog.com/p2p-link"
	if v, ok := o.Metadata.Annotations[p2p]; ok {
		p, okp := netip.ParsePrefix(v)
		if okp != nil || !p.Addr().Is4() || p.Bits() != 31 {
			b.Errorf("vpcattach.p2p-link", diag.F("metadata", "annotations").Key(p2p), "p2p-link annotation is not an IPv4 /31",
				"annotation %s is %q; it must be an IPv4 address with a /31 prefix, e.g. 10.1.0.0/31.", p2p, v)
		}
	}
}

// vlanRangeBounds reports every range that is not 1 <= from <= to <= 4094 and appends the valid ones
// to spans.
func vlanRangeBounds(b *diag.Builder, rs []fabric.VLANRange, spans []span) []span {
	for i, r := range rs {
		if r.To == 0 { // the fabric reads an unset "to" as "from"
			r.To = r.From
		}
		if r.From < minVLAN || r.From > r.To || r.To > maxVLAN {
			// The finding sits on the bound that is wrong; a reversed range is about both bounds.
			p := diag.F("spec", "ranges").Index(i)
			switch {
			case r.From < minVLAN || r.From > maxVLAN:
				p = p.Field("from")
			case r.To > maxVLAN:
				p = p.Field("to")
			}
			b.Errorf("vlanns.range.bounds", p, "VLAN range is invalid",
				"range #%d is %d-%d; a range needs 1 <= from <= to <= 4094. The fabric would silently empty the namespace's ranges, so fix the range.", i, r.From, r.To)
			continue
		}
		spans = append(spans, span{lo: uint32(r.From), hi: uint32(r.To), idx: i})
	}
	return spans
}

// ValidateBeforeDefaulting returns the spec-stage findings about input the fabric's defaulting would hide:
// a VLANNamespace range out of bounds, which the defaulting answers by emptying every range of the
// namespace (so the defaulted object only shows "0 ranges"). Callers run it on the object as configured,
// before fabric.Default.
func ValidateBeforeDefaulting(obj fabric.Object) diag.Diagnostics {
	ns, ok := obj.(*fabric.VLANNamespace)
	if !ok || ns == nil {
		return nil
	}
	b := &diag.Builder{Stage: diag.StageSpec, Kind: ns.GetKind(), Name: ns.Metadata.Name}
	var buf [maxVLANRanges]span
	vlanRangeBounds(b, ns.Spec.Ranges, buf[:0])
	return b.Out
}

package spec

import (
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

func ipv4ns(subnets ...string) func() fabric.Object {
	return func() fabric.Object {
		return &fabric.IPv4Namespace{Metadata: meta("default"), Spec: fabric.IPv4NamespaceSpec{Subnets: subnets}}
	}
}

func vlanns(ranges ...fabric.VLANRange) func() fabric.Object {
	return func() fabric.Object {
		return &fabric.VLANNamespace{Metadata: meta("default"), Spec: fabric.VLANNamespaceSpec{Ranges: append([]fabric.VLANRange(nil), ranges...)}}
	}
}

func peering(remote string, permit ...map[string]fabric.VPCPeer) func() fabric.Object {
	return func() fabric.Object {
		return &fabric.VPCPeering{Metadata: meta("vpc-1--vpc-2"), Spec: fabric.VPCPeeringSpec{Permit: permit, Remote: remote}}
	}
}

func vpcAttach(subnet, conn string, ann map[string]string) func() fabric.Object {
	return func() fabric.Object {
		m := meta("vpc-1--server-1")
		m.Annotations = ann
		return &fabric.VPCAttachment{Metadata: m, Spec: fabric.VPCAttachmentSpec{Subnet: subnet, Connection: conn}}
	}
}

func TestNamespaceRules(t *testing.T) {
	two := map[string]fabric.VPCPeer{"vpc-1": {Subnets: []string{"default"}}, "vpc-2": {}}
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = "10." + itoa(i) + ".0.0/16"
	}
	ranges21 := make([]fabric.VLANRange, 21)
	for i := range ranges21 {
		ranges21[i] = fabric.VLANRange{From: uint16(100 + 10*i), To: uint16(105 + 10*i)}
	}
	p2p := "fabric.githedgehog.com/p2p-link"
	runCases(t, []tcase{
		{name: "ipv4ns.subnets.count rejects empty", rule: "ipv4ns.subnets.count", obj: ipv4ns(), path: "spec.subnets", msg: "at least 1"},
		{name: "ipv4ns.subnets.count rejects 11", rule: "ipv4ns.subnets.count", obj: ipv4ns(eleven...), path: "spec.subnets", msg: "has 11 subnets"},
		{name: "ipv4ns.subnets.count accepts 10", rule: "ipv4ns.subnets.count", obj: ipv4ns(eleven[:10]...), ok: true},
		{name: "ipv4ns.subnet.cidr rejects", rule: "ipv4ns.subnet.cidr", obj: ipv4ns("10.0.0.0/16", "10.1.0.0"), path: "spec.subnets[1]", msg: "10.1.0.0"},
		{name: "ipv4ns.subnet.cidr accepts", rule: "ipv4ns.subnet.cidr", obj: ipv4ns("10.0.0.0/16", "192.168.0.0/24"), ok: true},
		{name: "ipv4ns.subnet.canonical rejects", rule: "ipv4ns.subnet.canonical", obj: ipv4ns("10.0.0.1/16"), path: "spec.subnets[0]", msg: "10.0.0.0/16"},
		{name: "ipv4ns.subnet.canonical accepts", rule: "ipv4ns.subnet.canonical", obj: ipv4ns("10.0.0.0/8"), ok: true},
		{name: "ipv4ns.subnet.overlap rejects", rule: "ipv4ns.subnet.overlap", raw: true, obj: ipv4ns("10.0.0.0/8", "192.168.0.0/16", "10.20.0.0/16"), path: "spec.subnets[2]", msg: "overlaps 10.0.0.0/8 (#0)"},
		{name: "ipv4ns.subnet.overlap rejects later-listed container", rule: "ipv4ns.subnet.overlap", raw: true, obj: ipv4ns("10.20.0.0/16", "10.0.0.0/8"), path: "spec.subnets[0]", msg: "overlaps 10.0.0.0/8"},
		{name: "ipv4ns.subnet.overlap accepts adjacent", rule: "ipv4ns.subnet.overlap", obj: ipv4ns("10.0.0.0/16", "10.1.0.0/16"), ok: true},

		{name: "vlanns.ranges.count rejects empty", rule: "vlanns.ranges.count", obj: vlanns(), path: "spec.ranges", msg: "at least 1"},
		{name: "vlanns.ranges.count rejects 21", rule: "vlanns.ranges.count", obj: vlanns(ranges21...), path: "spec.ranges", msg: "has 21 ranges"},
		{name: "vlanns.ranges.count accepts 20", rule: "vlanns.ranges.count", obj: vlanns(ranges21[:20]...), ok: true},
		{name: "vlanns.ranges.count rejects invalid range emptied by defaulting", rule: "vlanns.ranges.count", obj: vlanns(fabric.VLANRange{From: 1000, To: 2999}, fabric.VLANRange{From: 0, To: 10}), path: "spec.ranges", msg: "empties all ranges"},
		{name: "vlanns.range.bounds rejects from 0 raw", rule: "vlanns.range.bounds", raw: true, obj: vlanns(fabric.VLANRange{From: 0, To: 10}), path: "spec.ranges[0].from", msg: "1 <= from <= to <= 4094"},
		{name: "vlanns.range.bounds rejects from > to raw", rule: "vlanns.range.bounds", raw: true, obj: vlanns(fabric.VLANRange{From: 20, To: 10}), path: "spec.ranges[0]", msg: "20-10"},
		{name: "vlanns.range.bounds rejects to 4095 raw", rule: "vlanns.range.bounds", raw: true, obj: vlanns(fabric.VLANRange{From: 1000, To: 2999}, fabric.VLANRange{From: 4000, To: 4095}), path: "spec.ranges[1].to", msg: "4095"},
		{name: "vlanns.range.bounds accepts single vlan with to unset raw", rule: "vlanns.range.bounds", raw: true, obj: vlanns(fabric.VLANRange{From: 4094}), ok: true},
		{name: "vlanns.range.bounds accepts full range", rule: "vlanns.range.bounds", obj: vlanns(fabric.VLANRange{From: 1, To: 4094}), ok: true},
		{name: "vlanns.range.overlap rejects", rule: "vlanns.range.overlap", raw: true, obj: vlanns(fabric.VLANRange{From: 1000, To: 2000}, fabric.VLANRange{From: 2000, To: 2100}), path: "spec.ranges[1]", msg: "overlaps range #0"},
		{name: "vlanns.range.overlap accepts touching", rule: "vlanns.range.overlap", obj: vlanns(fabric.VLANRange{From: 1000, To: 1999}, fabric.VLANRange{From: 2000, To: 2999}), ok: true},

		{name: "vpcpeering.remote rejects", rule: "vpcpeering.remote", obj: peering("border", two), path: "spec.remote", msg: "deprecated"},
		{name: "vpcpeering.remote accepts empty", rule: "vpcpeering.remote", obj: peering("", two), ok: true},
		{name: "vpcpeering.permit.count rejects none", rule: "vpcpeering.permit.count", obj: peering(""), path: "spec.permit", msg: "0 permit entries"},
		{name: "vpcpeering.permit.count accepts two entries", rule: "vpcpeering.permit.count", obj: peering("", two, two), ok: true},
		{name: "vpcpeering.permit.vpcs rejects one", rule: "vpcpeering.permit.vpcs", obj: peering("", two, map[string]fabric.VPCPeer{"vpc-1": {}}), path: "spec.permit[1]", msg: "exactly two"},
		{name: "vpcpeering.permit.vpcs rejects three", rule: "vpcpeering.permit.vpcs", obj: peering("", map[string]fabric.VPCPeer{"a": {}, "b": {}, "c": {}}), path: "spec.permit[0]", msg: "names 3 VPC"},
		{name: "vpcpeering.permit.vpcs accepts", rule: "vpcpeering.permit.vpcs", obj: peering("", two), ok: true},
		{name: "vpcpeering.permit.two-vpcs rejects a third VPC in a later entry", rule: "vpcpeering.permit.two-vpcs",
			obj: peering("", two, map[string]fabric.VPCPeer{"vpc-1": {}, "vpc-3": {}}), path: `spec.permit[1]["vpc-3"]`, msg: `"vpc-3"`},
		{name: "vpcpeering.permit.two-vpcs rejects disjoint entries", rule: "vpcpeering.permit.two-vpcs",
			obj: peering("", two, map[string]fabric.VPCPeer{"vpc-3": {}, "vpc-4": {}}), path: `spec.permit[1]["vpc-3"]`, msg: `"vpc-1" and "vpc-2"`},
		{name: "vpcpeering.permit.two-vpcs accepts the same pair in several entries", rule: "vpcpeering.permit.two-vpcs",
			obj: peering("", two, map[string]fabric.VPCPeer{"vpc-2": {Subnets: []string{"a"}}, "vpc-1": {Subnets: []string{"b"}}}), ok: true},

		{name: "vpcattach.subnet.format rejects empty", rule: "vpcattach.subnet.format", obj: vpcAttach("", "c1", nil), path: "spec.subnet", msg: "<vpc>/<subnet>"},
		{name: "vpcattach.subnet.format rejects no vpc", rule: "vpcattach.subnet.format", obj: vpcAttach("/default", "c1", nil), path: "spec.subnet", msg: "/default"},
		{name: "vpcattach.subnet.format rejects extra slash", rule: "vpcattach.subnet.format", obj: vpcAttach("vpc-1/a/b", "c1", nil), path: "spec.subnet", msg: "vpc-1/a/b"},
		{name: "vpcattach.subnet.format accepts bare vpc defaulted", rule: "vpcattach.subnet.format", obj: vpcAttach("vpc-1", "c1", nil), ok: true},
		{name: "vpcattach.subnet.format accepts", rule: "vpcattach.subnet.format", obj: vpcAttach("vpc-1/subnet-1", "c1", nil), ok: true},
		{name: "vpcattach.connection.required rejects", rule: "vpcattach.connection.required", obj: vpcAttach("vpc-1/default", "", nil), path: "spec.connection", msg: "connection"},
		{name: "vpcattach.connection.required accepts", rule: "vpcattach.connection.required", obj: vpcAttach("vpc-1/default", "server-1--unbundled--leaf-1", nil), ok: true},
		{name: "vpcattach.p2p-link rejects /30", rule: "vpcattach.p2p-link", obj: vpcAttach("vpc-1/default", "c1", map[string]string{p2p: "10.1.0.0/30"}), path: `metadata.annotations["fabric.githedgehog.com/p2p-link"]`, msg: "/31"},
		{name: "vpcattach.p2p-link rejects bare ip", rule: "vpcattach.p2p-link", obj: vpcAttach("vpc-1/default", "c1", map[string]string{p2p: "10.1.0.1"}), path: `metadata.annotations["fabric.githedgehog.com/p2p-link"]`, msg: "10.1.0.1"},
		{name: "vpcattach.p2p-link accepts /31", rule: "vpcattach.p2p-link", obj: vpcAttach("vpc-1/default", "c1", map[string]string{p2p: "10.1.0.1/31"}), ok: true},
	})
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

package spec

import (
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

func extWith(f func(e *fabric.External)) func() fabric.Object {
	return func() fabric.Object {
		e := &fabric.External{Metadata: meta("ext-1"), Spec: fabric.ExternalSpec{
			IPv4Namespace: "default", InboundCommunity: "65102:5000", OutboundCommunity: "50000:50001"}}
		f(e)
		return e
	}
}

func staticExt(prefixes ...string) func(e *fabric.External) {
	return func(e *fabric.External) {
		e.Spec.InboundCommunity, e.Spec.OutboundCommunity = "", ""
		e.Spec.Static = &fabric.ExternalStatic{Prefixes: prefixes}
	}
}

// bgpAttach is a valid BGP ExternalAttachment with an ACL.
func bgpAttach(f func(a *fabric.ExternalAttachmentSpec)) func() fabric.Object {
	return func() fabric.Object {
		a := &fabric.ExternalAttachment{Metadata: meta("ext-1--leaf-1"), Spec: fabric.ExternalAttachmentSpec{
			External: "ext-1", Connection: "leaf-1--external",
			Switch:   fabric.ExternalAttachmentSwitch{IP: "100.100.0.1/24", VLAN: 100},
			Neighbor: fabric.ExternalAttachmentNeighbor{ASN: 65102, IP: "100.100.0.6"},
			InboundACL: &fabric.ExternalAttachmentACL{Statements: []fabric.ExternalAttachmentACLStatement{
				{Seq: 10, Action: "permit", Protocol: "tcp", SrcPrefix: "any", DstPrefix: "10.0.0.0/8", PortRangeBegin: 443, PortRangeEnd: 443,
					TCPFilters: &fabric.ACLTCPFilters{Established: true}},
				{Seq: 20, Action: "deny", Protocol: "icmp", SrcPrefix: "192.168.0.0/16", DstPrefix: "any", ICMPType: new(uint8(8))},
				{Seq: 30, Action: "transit", Protocol: "ip", SrcPrefix: "any", DstPrefix: "any"},
			}},
		}}
		f(&a.Spec)
		return a
	}
}

func staticAttach(f func(a *fabric.ExternalAttachmentSpec)) func() fabric.Object {
	return bgpAttach(func(a *fabric.ExternalAttachmentSpec) {
		a.Switch, a.Neighbor = fabric.ExternalAttachmentSwitch{}, fabric.ExternalAttachmentNeighbor{}
		a.Static = &fabric.ExternalAttachmentStatic{RemoteIP: "100.100.0.6", IP: "100.100.0.1/24", VLAN: 100}
		f(a)
	})
}

func acl(a *fabric.ExternalAttachmentSpec, i int) *fabric.ExternalAttachmentACLStatement {
	return &a.InboundACL.Statements[i]
}

const st0 = "spec.inboundACL.statements[0]"

func TestExternalRules(t *testing.T) {
	runCases(t, []tcase{
		{name: "meta.name.length rejects long external", rule: RuleNameLength, obj: extWith(func(e *fabric.External) { e.Metadata.Name = "external-one" }), path: "metadata.name", msg: "External names"},
		{name: "external.ipv4-namespace.required rejects raw", rule: "external.ipv4-namespace.required", raw: true, obj: extWith(func(e *fabric.External) { e.Spec.IPv4Namespace = "" }), path: "spec.ipv4Namespace", msg: "IPv4Namespace"},
		{name: "external.ipv4-namespace.required accepts defaulted", rule: "external.ipv4-namespace.required", obj: extWith(func(e *fabric.External) { e.Spec.IPv4Namespace = "" }), ok: true},
		{name: "external.community.required rejects", rule: "external.community.required", obj: extWith(func(e *fabric.External) { e.Spec.OutboundCommunity = "" }), path: "spec.outboundCommunity", msg: "outboundCommunity"},
		{name: "external.community.required accepts", rule: "external.community.required", obj: extWith(func(e *fabric.External) {}), ok: true},
		{name: "external.community.format rejects leading zero", rule: "external.community.format", obj: extWith(func(e *fabric.External) { e.Spec.InboundCommunity = "65102:05000" }), path: "spec.inboundCommunity", msg: "no leading zeros"},
		{name: "external.community.format rejects 65536", rule: "external.community.format", obj: extWith(func(e *fabric.External) { e.Spec.InboundCommunity = "65536:1" }), path: "spec.inboundCommunity", msg: "65536:1"},
		{name: "external.community.format rejects missing colon", rule: "external.community.format", obj: extWith(func(e *fabric.External) { e.Spec.OutboundCommunity = "5000" }), path: "spec.outboundCommunity", msg: "5000"},
		{name: "external.community.format accepts bounds", rule: "external.community.format", obj: extWith(func(e *fabric.External) { e.Spec.InboundCommunity = "0:65535" }), ok: true},
		{name: "external.static.communities rejects", rule: "external.static.communities", obj: extWith(func(e *fabric.External) {
			staticExt("10.0.0.0/8")(e)
			e.Spec.InboundCommunity = "1:1"
		}), path: "spec.inboundCommunity", msg: "does not use BGP"},
		{name: "external.static.communities rejects outbound", rule: "external.static.communities", obj: extWith(func(e *fabric.External) {
			staticExt("10.0.0.0/8")(e)
			e.Spec.OutboundCommunity = "1:2"
		}), path: "spec.outboundCommunity", msg: "remove outboundCommunity"},
		{name: "external.static.communities accepts static without communities", rule: "external.static.communities", obj: extWith(staticExt("10.0.0.0/8")), ok: true},
		{name: "external.static.prefixes rejects none", rule: "external.static.prefixes", obj: extWith(staticExt()), path: "spec.static.prefixes", msg: "at least one"},
		{name: "external.static.prefixes accepts two", rule: "external.static.prefixes", obj: extWith(staticExt("10.0.0.0/8", "192.168.0.0/16")), ok: true},
		{name: "external.static.prefix-cidr rejects", rule: "external.static.prefix-cidr", obj: extWith(staticExt("10.0.0.0/8", "banana")), path: "spec.static.prefixes[1]", msg: "banana"},
		{name: "external.static.prefix-cidr accepts default route", rule: "external.static.prefix-cidr", obj: extWith(staticExt("0.0.0.0/0")), ok: true},
		{name: "external.static.prefix-canonical rejects", rule: "external.static.prefix-canonical", obj: extWith(staticExt("10.1.2.3/8")), path: "spec.static.prefixes[0]", msg: "10.0.0.0/8"},
		{name: "external.static.prefix-canonical accepts", rule: "external.static.prefix-canonical", obj: extWith(staticExt("10.1.2.3/32")), ok: true},
		{name: "external.static.prefix-overlap rejects", rule: "external.static.prefix-overlap", obj: extWith(staticExt("10.0.0.0/8", "10.1.0.0/16")), path: "spec.static.prefixes[1]", msg: "overlaps 10.0.0.0/8"},
		{name: "external.static.prefix-overlap accepts disjoint", rule: "external.static.prefix-overlap", obj: extWith(staticExt("10.0.0.0/8", "11.0.0.0/8")), ok: true},

		{name: "extattach.external.required rejects", rule: "extattach.external.required", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { a.External = "" }), path: "spec.external", msg: "External"},
		{name: "extattach.external.required accepts", rule: "extattach.external.required", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) {}), ok: true},
		{name: "extattach.connection.required rejects", rule: "extattach.connection.required", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { a.Connection = "" }), path: "spec.connection", msg: "Connection"},
		{name: "extattach.connection.required accepts", rule: "extattach.connection.required", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) {}), ok: true},
		{name: "extattach.bgp.switch-ip rejects bare ip", rule: "extattach.bgp.switch-ip", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { a.Switch.IP = "100.100.0.1" }), path: "spec.switch.ip", msg: "prefix length"},
		{name: "extattach.bgp.switch-ip rejects missing", rule: "extattach.bgp.switch-ip", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { a.Switch.IP = "" }), path: "spec.switch.ip", msg: "IPv4 CIDR"},
		{name: "extattach.bgp.switch-ip accepts untagged", rule: "extattach.bgp.switch-ip", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { a.Switch.VLAN = 0 }), ok: true},
		{name: "extattach.bgp.neighbor-asn rejects", rule: "extattach.bgp.neighbor-asn", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { a.Neighbor.ASN = 0 }), path: "spec.neighbor.asn", msg: "ASN"},
		{name: "extattach.bgp.neighbor-asn accepts", rule: "extattach.bgp.neighbor-asn", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { a.Neighbor.ASN = 4200000000 }), ok: true},
		{name: "extattach.bgp.neighbor-ip rejects cidr", rule: "extattach.bgp.neighbor-ip", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { a.Neighbor.IP = "100.100.0.6/24" }), path: "spec.neighbor.ip", msg: "without prefix length"},
		{name: "extattach.bgp.neighbor-ip accepts", rule: "extattach.bgp.neighbor-ip", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) {}), ok: true},
		{name: "extattach.static.switch-unset rejects", rule: "extattach.static.switch-unset", obj: staticAttach(func(a *fabric.ExternalAttachmentSpec) { a.Switch.VLAN = 5 }), path: "spec.switch.vlan", msg: "static.vlan"},
		{name: "extattach.static.switch-unset rejects ip", rule: "extattach.static.switch-unset", obj: staticAttach(func(a *fabric.ExternalAttachmentSpec) { a.Switch.IP = "10.0.0.1/24" }), path: "spec.switch.ip", msg: "static.ip"},
		{name: "extattach.static.switch-unset accepts", rule: "extattach.static.switch-unset", obj: staticAttach(func(a *fabric.ExternalAttachmentSpec) {}), ok: true},
		{name: "extattach.static.neighbor-unset rejects", rule: "extattach.static.neighbor-unset", obj: staticAttach(func(a *fabric.ExternalAttachmentSpec) { a.Neighbor.ASN = 65000 }), path: "spec.neighbor.asn", msg: "no BGP neighbor"},
		{name: "extattach.static.neighbor-unset rejects ip", rule: "extattach.static.neighbor-unset", obj: staticAttach(func(a *fabric.ExternalAttachmentSpec) { a.Neighbor.IP = "10.0.0.2" }), path: "spec.neighbor.ip", msg: "neighbor.ip"},
		{name: "extattach.static.neighbor-unset accepts", rule: "extattach.static.neighbor-unset", obj: staticAttach(func(a *fabric.ExternalAttachmentSpec) {}), ok: true},
		{name: "extattach.static.remote-ip rejects", rule: "extattach.static.remote-ip", obj: staticAttach(func(a *fabric.ExternalAttachmentSpec) { a.Static.RemoteIP = "" }), path: "spec.static.remoteIP", msg: "next hop"},
		{name: "extattach.static.remote-ip accepts", rule: "extattach.static.remote-ip", obj: staticAttach(func(a *fabric.ExternalAttachmentSpec) { a.Static.RemoteIP = "100.100.0.7" }), ok: true},
		{name: "extattach.static.ip-or-proxy rejects both", rule: "extattach.static.ip-or-proxy", obj: staticAttach(func(a *fabric.ExternalAttachmentSpec) { a.Static.Proxy = true }), path: "spec.static.proxy", msg: "not both"},
		{name: "extattach.static.ip-or-proxy rejects neither", rule: "extattach.static.ip-or-proxy", obj: staticAttach(func(a *fabric.ExternalAttachmentSpec) { a.Static.IP = "" }), path: "spec.static", msg: "exactly one"},
		{name: "extattach.static.ip-or-proxy accepts proxy", rule: "extattach.static.ip-or-proxy", obj: staticAttach(func(a *fabric.ExternalAttachmentSpec) { a.Static.IP, a.Static.Proxy = "", true }), ok: true},
		{name: "extattach.static.ip-cidr rejects", rule: "extattach.static.ip-cidr", obj: staticAttach(func(a *fabric.ExternalAttachmentSpec) { a.Static.IP = "100.100.0.1" }), path: "spec.static.ip", msg: "prefix length"},
		{name: "extattach.static.ip-cidr accepts", rule: "extattach.static.ip-cidr", obj: staticAttach(func(a *fabric.ExternalAttachmentSpec) { a.Static.IP = "100.100.0.1/31" }), ok: true},
		{name: "extattach.static.vlan rejects", rule: "extattach.static.vlan", obj: staticAttach(func(a *fabric.ExternalAttachmentSpec) { a.Static.VLAN = 4095 }), path: "spec.static.vlan", msg: "4095"},
		{name: "extattach.static.vlan accepts", rule: "extattach.static.vlan", obj: staticAttach(func(a *fabric.ExternalAttachmentSpec) { a.Static.VLAN = 4094 }), ok: true},
		{name: "extattach.switch.vlan rejects", rule: "extattach.switch.vlan", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { a.Switch.VLAN = 5000 }), path: "spec.switch.vlan", msg: "5000"},
		{name: "extattach.switch.vlan accepts", rule: "extattach.switch.vlan", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { a.Switch.VLAN = 1 }), ok: true},

		{name: "extattach.acl.seq-min rejects 9", rule: "extattach.acl.seq-min", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { acl(a, 0).Seq = 9 }), path: st0 + ".seq", msg: "reserved"},
		{name: "extattach.acl.seq-min accepts 10", rule: "extattach.acl.seq-min", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) {}), ok: true},
		{name: "extattach.acl.seq-unique rejects", rule: "extattach.acl.seq-unique", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { acl(a, 2).Seq = 10 }), path: "spec.inboundACL.statements[2].seq", msg: "#0 and #2 both use seq 10"},
		{name: "extattach.acl.seq-unique accepts unsorted", rule: "extattach.acl.seq-unique", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { acl(a, 0).Seq = 40 }), ok: true},
		{name: "extattach.acl.action rejects", rule: "extattach.acl.action", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { acl(a, 0).Action = "allow" }), path: st0 + ".action", msg: "allow"},
		{name: "extattach.acl.action accepts discard", rule: "extattach.acl.action", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { acl(a, 0).Action = "discard" }), ok: true},
		{name: "extattach.acl.protocol rejects", rule: "extattach.acl.protocol", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { acl(a, 2).Protocol = "sctp" }), path: "spec.inboundACL.statements[2].protocol", msg: "sctp"},
		{name: "extattach.acl.protocol accepts udp", rule: "extattach.acl.protocol", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { acl(a, 2).Protocol = "udp" }), ok: true},
		{name: "extattach.acl.prefix rejects src", rule: "extattach.acl.prefix", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { acl(a, 0).SrcPrefix = "all" }), path: st0 + ".srcPrefix", msg: `"any"`},
		{name: "extattach.acl.prefix rejects dst bare ip", rule: "extattach.acl.prefix", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { acl(a, 0).DstPrefix = "10.0.0.1" }), path: st0 + ".dstPrefix", msg: "10.0.0.1"},
		{name: "extattach.acl.prefix accepts any", rule: "extattach.acl.prefix", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { acl(a, 0).DstPrefix = "any" }), ok: true},
		{name: "extattach.acl.tcp-protocol rejects", rule: "extattach.acl.tcp-protocol", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) {
			acl(a, 2).TCPFilters = &fabric.ACLTCPFilters{Syn: true}
		}), path: "spec.inboundACL.statements[2].tcpFilters", msg: "protocol to tcp"},
		{name: "extattach.acl.tcp-protocol accepts", rule: "extattach.acl.tcp-protocol", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) {}), ok: true},
		{name: "extattach.acl.tcp-established rejects", rule: "extattach.acl.tcp-established", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { acl(a, 0).TCPFilters.NotRst = true }), path: st0 + ".tcpFilters.established", msg: "established"},
		{name: "extattach.acl.tcp-established accepts flags alone", rule: "extattach.acl.tcp-established", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) {
			acl(a, 0).TCPFilters = &fabric.ACLTCPFilters{Syn: true, NotAck: true}
		}), ok: true},
		{name: "extattach.acl.tcp-contradictory rejects", rule: "extattach.acl.tcp-contradictory", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) {
			acl(a, 0).TCPFilters = &fabric.ACLTCPFilters{Syn: true, NotSyn: true}
		}), path: st0 + ".tcpFilters.notSyn", msg: "syn and notSyn"},
		{name: "extattach.acl.tcp-contradictory accepts", rule: "extattach.acl.tcp-contradictory", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) {
			acl(a, 0).TCPFilters = &fabric.ACLTCPFilters{Syn: true, NotFin: true}
		}), ok: true},
		{name: "extattach.acl.icmp-protocol rejects", rule: "extattach.acl.icmp-protocol", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { acl(a, 2).ICMPCode = new(uint8(0)) }), path: "spec.inboundACL.statements[2].icmpCode", msg: "icmp"},
		{name: "extattach.acl.icmp-protocol rejects icmpType on a tcp rule", rule: "extattach.acl.icmp-protocol", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { acl(a, 0).ICMPType = new(uint8(8)) }), path: st0 + ".icmpType", msg: `"tcp"`},
		{name: "extattach.acl.icmp-protocol accepts", rule: "extattach.acl.icmp-protocol", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { acl(a, 1).ICMPCode = new(uint8(0)) }), ok: true},
		{name: "extattach.acl.port-protocol rejects", rule: "extattach.acl.port-protocol", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { acl(a, 2).PortRangeBegin, acl(a, 2).PortRangeEnd = 1, 2 }), path: "spec.inboundACL.statements[2].portRangeBegin", msg: "tcp and udp"},
		{name: "extattach.acl.port-protocol rejects end only", rule: "extattach.acl.port-protocol", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { acl(a, 2).PortRangeEnd = 2 }), path: "spec.inboundACL.statements[2].portRangeEnd", msg: "portRangeEnd"},
		{name: "extattach.acl.port-protocol accepts udp", rule: "extattach.acl.port-protocol", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) {
			acl(a, 2).Protocol = "udp"
			acl(a, 2).PortRangeBegin, acl(a, 2).PortRangeEnd = 53, 53
		}), ok: true},
		{name: "extattach.acl.port-begin rejects 0", rule: "extattach.acl.port-begin", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { acl(a, 0).PortRangeBegin = 0 }), path: st0 + ".portRangeBegin", msg: "1 or more"},
		{name: "extattach.acl.port-begin accepts 1", rule: "extattach.acl.port-begin", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { acl(a, 0).PortRangeBegin = 1 }), ok: true},
		{name: "extattach.acl.port-order rejects", rule: "extattach.acl.port-order", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { acl(a, 0).PortRangeBegin = 444 }), path: st0 + ".portRangeBegin", msg: "444-443"},
		{name: "extattach.acl.port-order accepts full range", rule: "extattach.acl.port-order", obj: bgpAttach(func(a *fabric.ExternalAttachmentSpec) { acl(a, 0).PortRangeBegin, acl(a, 0).PortRangeEnd = 1, 65535 }), ok: true},
	})
}

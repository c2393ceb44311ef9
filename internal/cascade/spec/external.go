package spec

import (
	"slices"
	"strings"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// aclMinSeq is the lowest ACL sequence number users may use; lower ones are the fabric's own rules.
const aclMinSeq = 10

func validateExternal(b *diag.Builder, o *fabric.External) {
	s := &o.Spec
	if s.IPv4Namespace == "" {
		b.Errorf("external.ipv4-namespace.required", diag.F("spec", "ipv4Namespace"), "ipv4Namespace is required",
			"an External belongs to an IPv4Namespace; set ipv4Namespace (the fabric's default is \"default\").")
	}
	if s.Static == nil {
		checkCommunity(b, "inboundCommunity", s.InboundCommunity)
		checkCommunity(b, "outboundCommunity", s.OutboundCommunity)
		return
	}
	for _, c := range [...]struct{ field, value string }{{"inboundCommunity", s.InboundCommunity}, {"outboundCommunity", s.OutboundCommunity}} {
		if c.value != "" {
			b.Errorf("external.static.communities", diag.F("spec", c.field), "a static External has no communities",
				"%s %q: communities filter BGP routes, but a static External does not use BGP; remove %s.", c.field, c.value, c.field)
		}
	}
	if len(s.Static.Prefixes) == 0 {
		b.Errorf("external.static.prefixes", diag.F("spec", "static", "prefixes"), "a static External needs at least one prefix",
			"a static External is reached through its prefixes; list at least one.")
	}
	spans := make([]span, 0, len(s.Static.Prefixes))
	for i, ps := range s.Static.Prefixes {
		p, ok := parsePrefix4(ps)
		if !ok {
			b.Errorf("external.static.prefix-cidr", diag.F("spec", "static", "prefixes").Index(i), "prefix is not an IPv4 CIDR",
				"static prefix #%d %q is not an IPv4 CIDR; write it like 192.168.0.0/16.", i, ps)
			continue
		}
		if !isCanonical(p) {
			b.Errorf("external.static.prefix-canonical", diag.F("spec", "static", "prefixes").Index(i), "prefix is not canonical",
				"static prefix #%d %s has host bits set; use %s.", i, ps, p.Masked())
		}
		lo, hi := bounds(p)
		spans = append(spans, span{lo: lo, hi: hi, idx: i})
	}
	for _, pr := range overlapPairs(spans) {
		b.Errorf("external.static.prefix-overlap", diag.F("spec", "static", "prefixes").Index(pr[1]), "prefix overlaps another prefix",
			"static prefix %s overlaps %s; the prefixes of a static External must not overlap.", s.Static.Prefixes[pr[1]], s.Static.Prefixes[pr[0]])
	}
}

func checkCommunity(b *diag.Builder, field, v string) {
	switch {
	case v == "":
		b.Errorf("external.community.required", diag.F("spec", field), field+" is required",
			"a BGP External needs %s to tag and filter its routes; set it like 65102:5000.", field)
	case !isCommunity(v):
		b.Errorf("external.community.format", diag.F("spec", field), field+" is not a valid BGP community",
			"%s %q must be \"N:N\" with both numbers 0-65535 and no leading zeros, e.g. 50000:50001.", field, v)
	}
}

func validateExternalAttachment(b *diag.Builder, o *fabric.ExternalAttachment) {
	s := &o.Spec
	if s.External == "" {
		b.Errorf("extattach.external.required", diag.F("spec", "external"), "external is required",
			"an ExternalAttachment attaches an External; set external to its name.")
	}
	if s.Connection == "" {
		b.Errorf("extattach.connection.required", diag.F("spec", "connection"), "connection is required",
			"an ExternalAttachment uses an external Connection; set connection to its name.")
	}
	if s.Static == nil {
		if _, ok := parsePrefix4(s.Switch.IP); !ok {
			b.Errorf("extattach.bgp.switch-ip", diag.F("spec", "switch", "ip"), "switch.ip is not an IPv4 CIDR",
				"a BGP attachment configures switch.ip on the switch port; %q must be an IPv4 address with prefix length, e.g. 100.100.0.1/24.", s.Switch.IP)
		}
		if s.Neighbor.ASN == 0 {
			b.Errorf("extattach.bgp.neighbor-asn", diag.F("spec", "neighbor", "asn"), "neighbor.asn is required",
				"a BGP attachment peers with neighbor.asn; set the external router's ASN.")
		}
		if _, ok := parseAddr4(s.Neighbor.IP); !ok {
			b.Errorf("extattach.bgp.neighbor-ip", diag.F("spec", "neighbor", "ip"), "neighbor.ip is not an IPv4 address",
				"a BGP attachment peers with neighbor.ip; %q must be an IPv4 address without prefix length.", s.Neighbor.IP)
		}
	} else {
		st := s.Static
		if s.Switch.IP != "" {
			b.Errorf("extattach.static.switch-unset", diag.F("spec", "switch", "ip"), "switch must be empty for a static attachment",
				"switch.ip %q configures BGP attachments; a static attachment uses static.ip instead.", s.Switch.IP)
		}
		if s.Switch.VLAN != 0 {
			b.Errorf("extattach.static.switch-unset", diag.F("spec", "switch", "vlan"), "switch must be empty for a static attachment",
				"switch.vlan %d configures BGP attachments; a static attachment uses static.vlan instead.", s.Switch.VLAN)
		}
		if s.Neighbor.ASN != 0 {
			b.Errorf("extattach.static.neighbor-unset", diag.F("spec", "neighbor", "asn"), "neighbor must be empty for a static attachment",
				"a static attachment has no BGP neighbor; remove neighbor.asn (%d).", s.Neighbor.ASN)
		}
		if s.Neighbor.IP != "" {
			b.Errorf("extattach.static.neighbor-unset", diag.F("spec", "neighbor", "ip"), "neighbor must be empty for a static attachment",
				"a static attachment has no BGP neighbor; remove neighbor.ip (%q).", s.Neighbor.IP)
		}
		if _, ok := parseAddr4(st.RemoteIP); !ok {
			b.Errorf("extattach.static.remote-ip", diag.F("spec", "static", "remoteIP"), "static.remoteIP is not an IPv4 address",
				"static.remoteIP %q is the next hop for the External's prefixes and must be an IPv4 address.", st.RemoteIP)
		}
		if (st.IP == "") == !st.Proxy {
			p := diag.F("spec", "static") // neither is set: the finding sits on static
			if st.Proxy {
				p = p.Field("proxy") // both are set: on proxy, the one that turns ip off
			}
			b.Errorf("extattach.static.ip-or-proxy", p, "set exactly one of static.ip and static.proxy",
				"a static attachment either configures static.ip on the switch or uses proxy-ARP (static.proxy), not both and not neither.")
		}
		if st.IP != "" {
			if _, ok := parsePrefix4(st.IP); !ok {
				b.Errorf("extattach.static.ip-cidr", diag.F("spec", "static", "ip"), "static.ip is not an IPv4 CIDR",
					"static.ip %q must be an IPv4 address with prefix length, e.g. 100.100.0.1/24.", st.IP)
			}
		}
		if st.VLAN > maxVLAN {
			b.Errorf("extattach.static.vlan", diag.F("spec", "static", "vlan"), "VLAN is out of range",
				"static.vlan %d is not in 1-4094 (0 means untagged).", st.VLAN)
		}
	}
	if s.Switch.VLAN > maxVLAN {
		b.Errorf("extattach.switch.vlan", diag.F("spec", "switch", "vlan"), "VLAN is out of range",
			"switch.vlan %d is not in 1-4094 (0 means untagged).", s.Switch.VLAN)
	}
	if s.InboundACL != nil {
		validateACL(b, s.InboundACL.Statements)
	}
}

func validateACL(b *diag.Builder, stmts []fabric.ExternalAttachmentACLStatement) {
	path := func(i int) diag.Path { return diag.F("spec", "inboundACL", "statements").Index(i) }
	type seqUse struct {
		seq uint32
		idx int
	}
	var buf [16]seqUse
	seqs := buf[:0]
	for i := range stmts {
		st := &stmts[i]
		if st.Seq < aclMinSeq {
			b.Errorf("extattach.acl.seq-min", path(i).Field("seq"), "sequence number is reserved",
				"statement #%d uses seq %d; numbers below %d are reserved for the fabric's security rules. Use %d or more.", i, st.Seq, aclMinSeq, aclMinSeq)
		}
		seqs = append(seqs, seqUse{st.Seq, i})
		switch st.Action {
		case "permit", "deny", "discard", "transit":
		default:
			b.Errorf("extattach.acl.action", path(i).Field("action"), "invalid ACL action",
				"statement #%d action %q must be one of permit, deny, discard, transit.", i, st.Action)
		}
		switch st.Protocol {
		case "ip", "tcp", "udp", "icmp":
		default:
			b.Errorf("extattach.acl.protocol", path(i).Field("protocol"), "invalid ACL protocol",
				"statement #%d protocol %q must be one of ip, tcp, udp, icmp.", i, st.Protocol)
		}
		checkACLPrefix(b, i, "srcPrefix", st.SrcPrefix)
		checkACLPrefix(b, i, "dstPrefix", st.DstPrefix)
		if f := st.TCPFilters; f != nil {
			if st.Protocol != "tcp" {
				b.Errorf("extattach.acl.tcp-protocol", path(i).Field("tcpFilters"), "tcpFilters need protocol tcp",
					"statement #%d sets tcpFilters but its protocol is %q; set protocol to tcp or remove tcpFilters.", i, st.Protocol)
			}
			flags := f.Ack || f.NotAck || f.Fin || f.NotFin || f.Syn || f.NotSyn || f.Rst || f.NotRst || f.Psh || f.NotPsh || f.Urg || f.NotUrg
			if f.Established && flags {
				b.Errorf("extattach.acl.tcp-established", path(i).Field("tcpFilters").Field("established"), "established excludes individual TCP flags",
					"statement #%d combines established with individual TCP flags; the fabric accepts either established or flags, not both.", i)
			}
			for _, pair := range [...]struct {
				flag string
				both bool
			}{{"ack", f.Ack && f.NotAck}, {"fin", f.Fin && f.NotFin}, {"syn", f.Syn && f.NotSyn}, {"rst", f.Rst && f.NotRst}, {"psh", f.Psh && f.NotPsh}, {"urg", f.Urg && f.NotUrg}} {
				if pair.both {
					neg := "not" + strings.ToUpper(pair.flag[:1]) + pair.flag[1:]
					b.Errorf("extattach.acl.tcp-contradictory", path(i).Field("tcpFilters").Field(neg), "a TCP flag and its negation are both set",
						"statement #%d matches %s and %s at once, which can never match; remove one of them.", i, pair.flag, neg)
					break
				}
			}
		}
		if (st.ICMPType != nil || st.ICMPCode != nil) && st.Protocol != "icmp" {
			field := "icmpType" // the finding sits on the ICMP field that is set
			if st.ICMPType == nil {
				field = "icmpCode"
			}
			b.Errorf("extattach.acl.icmp-protocol", path(i).Field(field), "icmpType/icmpCode need protocol icmp",
				"statement #%d sets %s but its protocol is %q; set protocol to icmp or remove icmpType and icmpCode.", i, field, st.Protocol)
		}
		if st.PortRangeBegin > 0 || st.PortRangeEnd > 0 {
			if st.Protocol != "tcp" && st.Protocol != "udp" {
				field := "portRangeBegin" // the finding sits on the port field that is set
				if st.PortRangeBegin == 0 {
					field = "portRangeEnd"
				}
				b.Errorf("extattach.acl.port-protocol", path(i).Field(field), "port ranges need protocol tcp or udp",
					"statement #%d sets %s but its protocol is %q; ports exist only for tcp and udp.", i, field, st.Protocol)
			}
			if st.PortRangeBegin == 0 {
				b.Errorf("extattach.acl.port-begin", path(i).Field("portRangeBegin"), "portRangeBegin must be at least 1",
					"statement #%d sets portRangeEnd %d without portRangeBegin; set portRangeBegin to 1 or more.", i, st.PortRangeEnd)
			} else if st.PortRangeBegin > st.PortRangeEnd {
				b.Errorf("extattach.acl.port-order", path(i).Field("portRangeBegin"), "portRangeBegin is greater than portRangeEnd",
					"statement #%d port range %d-%d is empty; portRangeBegin must be <= portRangeEnd.", i, st.PortRangeBegin, st.PortRangeEnd)
			}
		}
	}
	slices.SortFunc(seqs, func(a, b seqUse) int {
		if a.seq != b.seq {
			if a.seq < b.seq {
				return -1
			}
			return 1
		}
		return a.idx - b.idx
	})
	for i := 1; i < len(seqs); i++ {
		if seqs[i].seq == seqs[i-1].seq {
			b.Errorf("extattach.acl.seq-unique", path(seqs[i].idx).Field("seq"), "sequence number is used twice",
				"statements #%d and #%d both use seq %d; sequence numbers must be unique.", seqs[i-1].idx, seqs[i].idx, seqs[i].seq)
		}
	}
}

func checkACLPrefix(b *diag.Builder, i int, field, v string) {
	if v == "any" {
		return
	}
	if _, ok := parsePrefix4(v); !ok {
		b.Errorf("extattach.acl.prefix", diag.F("spec", "inboundACL", "statements").Index(i).Field(field), field+" is not a CIDR or \"any\"",
			"statement #%d %s %q must be an IPv4 CIDR such as 10.0.0.0/8 or the word \"any\".", i, field, v)
	}
}

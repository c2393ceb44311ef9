package cascade

import (
	"fmt"
	"maps"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// Cross-stage rule identifiers.
const (
	RuleCrossVPCIPv4NSExists        = "cross.vpc.ipv4namespace-exists"
	RuleCrossVPCVLANNSExists        = "cross.vpc.vlannamespace-exists"
	RuleCrossVPCSubnetInNamespace   = "cross.vpc.subnet-in-namespace"
	RuleCrossVPCVLANInNamespace     = "cross.vpc.vlan-in-namespace"
	RuleCrossVPCSubnetOverlap       = "cross.vpc.subnet-overlap"
	RuleCrossVPCVLANReuse           = "cross.vpc.vlan-reuse"
	RuleCrossVPCRelayVPCExists      = "cross.vpc.relay-vpc-exists"
	RuleCrossAttVPCExists           = "cross.vpcattachment.vpc-exists"
	RuleCrossAttSubnetExists        = "cross.vpcattachment.subnet-exists"
	RuleCrossAttConnectionExists    = "cross.vpcattachment.connection-exists"
	RuleCrossAttConnectionType      = "cross.vpcattachment.connection-type"
	RuleCrossAttVLANNamespace       = "cross.vpcattachment.vlannamespace"
	RuleCrossAttHostBGP             = "cross.vpcattachment.hostbgp"
	RuleCrossAttESLAGL2VNI          = "cross.vpcattachment.eslag-l2vni"
	RuleCrossAttDuplicate           = "cross.vpcattachment.duplicate"
	RuleCrossAttNativeVLAN          = "cross.vpcattachment.native-vlan"
	RuleCrossPeeringVPCExists       = "cross.vpcpeering.vpc-exists"
	RuleCrossPeeringSubnetExists    = "cross.vpcpeering.subnet-exists"
	RuleCrossPeeringSameNamespace   = "cross.vpcpeering.same-namespace"
	RuleCrossExtPeerExternalExists  = "cross.externalpeering.external-exists"
	RuleCrossExtPeerVPCExists       = "cross.externalpeering.vpc-exists"
	RuleCrossExtPeerSubnetExists    = "cross.externalpeering.subnet-exists"
	RuleCrossExtPeerSameNamespace   = "cross.externalpeering.same-namespace"
	RuleCrossExtAttExternalExists   = "cross.externalattachment.external-exists"
	RuleCrossExtAttConnectionExists = "cross.externalattachment.connection-exists"
	RuleCrossExtAttConnectionType   = "cross.externalattachment.connection-type"
	RuleCrossExtAttMode             = "cross.externalattachment.mode"
	RuleCrossExtAttVLANUnique       = "cross.externalattachment.vlan-unique"
	RuleCrossExternalIPv4NSExists   = "cross.external.ipv4namespace-exists"
	RuleCrossConnSwitchExists       = "cross.connection.switch-exists"
	RuleCrossConnServerExists       = "cross.connection.server-exists"
	RuleCrossConnPortProfile        = "cross.connection.port-profile"
	RuleCrossConnPortInUse          = "cross.connection.port-in-use"
	RuleCrossConnESLAGGroup         = "cross.connection.eslag-group"
	RuleCrossConnMCLAGGroup         = "cross.connection.mclag-group"
	RuleCrossConnWithinVPCExists    = "cross.connection.within-vpc-exists"
	RuleCrossConnLinkIPUnique       = "cross.connection.link-ip-unique"
	RuleCrossSwitchProfileExists    = "cross.switch.profile-exists"
	RuleCrossSwitchGroupExists      = "cross.switch.group-exists"
	RuleCrossSwitchRedGroupExists   = "cross.switch.redundancy-group-exists"
	RuleCrossSwitchVLANNSExists     = "cross.switch.vlannamespace-exists"
	RuleCrossSwitchVLANNSOverlap    = "cross.switch.vlannamespaces-overlap"
	RuleCrossSwitchIPUnique         = "cross.switch.ip-unique"
	RuleCrossSwitchASNUnique        = "cross.switch.asn-unique"
)

// Delete-protection rule identifiers.
const (
	RuleDeleteVPCInUse           = "delete.vpc.in-use"
	RuleDeleteIPv4NSInUse        = "delete.ipv4namespace.in-use"
	RuleDeleteVLANNSInUse        = "delete.vlannamespace.in-use"
	RuleDeleteSwitchInUse        = "delete.switch.in-use"
	RuleDeleteServerInUse        = "delete.server.in-use"
	RuleDeleteConnectionInUse    = "delete.connection.in-use"
	RuleDeleteExternalInUse      = "delete.external.in-use"
	RuleDeleteSwitchGroupInUse   = "delete.switchgroup.in-use"
	RuleDeleteSwitchProfileInUse = "delete.switchprofile.in-use"
)

// Redundancy types of a switch.
const (
	RedundancyMCLAG = "mclag"
	RedundancyESLAG = "eslag"
)

// maxOverlapReports caps the overlap findings reported for one subnet.
const maxOverlapReports = 5

// ValidateCross checks one defaulted object against the other objects of the view (which should contain
// the object itself, as planned). Findings about conflicts name both objects in Detail.
//
// A finding is about the object validated, with one exception: a rule the fabric attributes to one object
// of a pair is reported on that object (its Kind, Name and Path) whichever of the two is validated, so
// validating an External also returns the mode findings of the ExternalAttachments planned before it
// (see crossExternalAttachmentModes).
func ValidateCross(obj fabric.Object, v *View) diag.Diagnostics {
	if obj == nil || v == nil {
		return nil
	}
	b := &diag.Builder{Stage: diag.StageCross, Kind: obj.GetKind(), Name: obj.Meta().Name}
	v.mu.RLock()
	defer v.mu.RUnlock()
	switch o := obj.(type) {
	case *fabric.VPC:
		crossVPC(b, v, o)
	case *fabric.VPCAttachment:
		crossAttachment(b, v, o)
	case *fabric.VPCPeering:
		crossPeering(b, v, o)
	case *fabric.ExternalPeering:
		crossExtPeering(b, v, o)
	case *fabric.ExternalAttachment:
		crossExtAttachment(b, v, o)
	case *fabric.External:
		if ns := o.Spec.IPv4Namespace; ns != "" && v.get(fabric.KindIPv4Namespace, ns) == nil {
			b.Errorf(RuleCrossExternalIPv4NSExists, diag.F("spec", "ipv4Namespace"), "IPv4Namespace not found",
				"External %q uses IPv4Namespace %q, which does not exist%s", o.Metadata.Name, ns, v.suggest(fabric.KindIPv4Namespace, ns))
		}
		crossExternalAttachmentModes(b, v, o)
	case *fabric.Connection:
		crossConnection(b, v, o)
	case *fabric.Switch:
		crossSwitch(b, v, o)
	}
	if v.partial != "" {
		softenExistence(b.Out, v.partial)
	}
	return b.Out
}

// softenExistence turns "referenced object not found" errors into warnings: a partial view (the fabric could
// not be read whole) cannot tell a missing object from one it was not shown.
func softenExistence(ds diag.Diagnostics, why string) {
	for i := range ds {
		if d := &ds[i]; d.Severity == diag.Error && strings.HasSuffix(d.Rule, "-exists") {
			d.Severity = diag.Warning
			d.Detail += " — not checked strictly: " + why + "."
		}
	}
}

func crossVPC(b *diag.Builder, v *View, o *fabric.VPC) {
	name := o.Metadata.Name
	var nsPrefixes []netip.Prefix
	ipns, _ := v.get(fabric.KindIPv4Namespace, o.Spec.IPv4Namespace).(*fabric.IPv4Namespace)
	if ipns == nil {
		b.Errorf(RuleCrossVPCIPv4NSExists, diag.F("spec", "ipv4Namespace"), "IPv4Namespace not found",
			"VPC %q uses IPv4Namespace %q, which does not exist%s", name, o.Spec.IPv4Namespace, v.suggest(fabric.KindIPv4Namespace, o.Spec.IPv4Namespace))
	} else {
		for _, s := range ipns.Spec.Subnets {
			if p, err := netip.ParsePrefix(s); err == nil {
				nsPrefixes = append(nsPrefixes, p.Masked())
			}
		}
	}
	vlanns, _ := v.get(fabric.KindVLANNamespace, o.Spec.VLANNamespace).(*fabric.VLANNamespace)
	if vlanns == nil {
		b.Errorf(RuleCrossVPCVLANNSExists, diag.F("spec", "vlanNamespace"), "VLANNamespace not found",
			"VPC %q uses VLANNamespace %q, which does not exist%s", name, o.Spec.VLANNamespace, v.suggest(fabric.KindVLANNamespace, o.Spec.VLANNamespace))
	}
	trie := v.subnets[o.Spec.IPv4Namespace]
	vlans := v.vlans[o.Spec.VLANNamespace]
	for _, sn := range sortedKeys(o.Spec.Subnets) {
		s := o.Spec.Subnets[sn]
		if s == nil {
			continue
		}
		p := diag.F("spec", "subnets").Key(sn)
		if pf, err := netip.ParsePrefix(s.Subnet); err == nil {
			pf = pf.Masked()
			if ipns != nil && !prefixInsideAny(pf, nsPrefixes) {
				b.Errorf(RuleCrossVPCSubnetInNamespace, p.Field("subnet"), "subnet outside its IPv4Namespace",
					"subnet %s of VPC %q is not inside any subnet of IPv4Namespace %q (%s)", pf, name, ipns.Metadata.Name, strings.Join(ipns.Spec.Subnets, ", "))
			}
			if trie != nil {
				n := 0
				trie.overlaps(pf, func(other subnetOwner) bool {
					if other.vpc == name || v.deferred(fabric.KindVPC, other.vpc) {
						return true
					}
					n++
					b.Errorf(RuleCrossVPCSubnetOverlap, p.Field("subnet"), "subnet overlaps another VPC's subnet",
						"subnet %s (VPC %q, subnet %q) overlaps subnet %s (VPC %q, subnet %q) in IPv4Namespace %q",
						pf, name, sn, other.prefix, other.vpc, other.subnet, o.Spec.IPv4Namespace)
					return n < maxOverlapReports
				})
			}
		}
		if s.VLAN != 0 {
			if vlanns != nil && !vlanInFabricRanges(s.VLAN, vlanns.Spec.Ranges) {
				b.Errorf(RuleCrossVPCVLANInNamespace, p.Field("vlan"), "VLAN outside its VLANNamespace",
					"VLAN %d of VPC %q is not in any range of VLANNamespace %q (%s)", s.VLAN, name, vlanns.Metadata.Name, fmtFabricRanges(vlanns.Spec.Ranges))
			}
			reported := 0
			for _, other := range vlans[s.VLAN] {
				if other.vpc == name || reported >= maxOverlapReports || v.deferred(fabric.KindVPC, other.vpc) {
					continue
				}
				reported++
				b.Errorf(RuleCrossVPCVLANReuse, p.Field("vlan"), "VLAN already used by another VPC",
					"VLAN %d (VPC %q, subnet %q) is also used by VPC %q, subnet %q in VLANNamespace %q",
					s.VLAN, name, sn, other.vpc, other.subnet, o.Spec.VLANNamespace)
			}
		}
		if s.DHCP != nil && s.DHCP.RelayVPC != "" && v.get(fabric.KindVPC, s.DHCP.RelayVPC) == nil {
			b.Errorf(RuleCrossVPCRelayVPCExists, p.Field("dhcp").Field("relayVPC"), "relay VPC not found",
				"VPC %q relays DHCP via VPC %q, which does not exist%s", name, s.DHCP.RelayVPC, v.suggest(fabric.KindVPC, s.DHCP.RelayVPC, name))
		}
	}
}

// subnetHint says, for a subnet the VPC lacks, which of its subnets is meant and which it has.
func subnetHint(vpc *fabric.VPC, sub string) string {
	return existingList("subnets", sortedKeys(vpc.Spec.Subnets)) + didYouMean(sub, maps.Keys(vpc.Spec.Subnets))
}

func vlanInFabricRanges(vlan uint16, rs []fabric.VLANRange) bool {
	for _, r := range rs {
		if vlan >= r.From && vlan <= r.To {
			return true
		}
	}
	return false
}

func fmtFabricRanges(rs []fabric.VLANRange) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%d-%d", r.From, r.To)
	}
	return strings.Join(parts, ", ")
}

func crossAttachment(b *diag.Builder, v *View, o *fabric.VPCAttachment) {
	name := o.Metadata.Name
	vpcName, subName := fabric.VPCSubnetName(o.Spec.Subnet)
	vpc, _ := v.get(fabric.KindVPC, vpcName).(*fabric.VPC)
	var sub *fabric.VPCSubnet
	if vpc == nil {
		b.Errorf(RuleCrossAttVPCExists, diag.F("spec", "subnet"), "VPC not found",
			"VPCAttachment %q attaches VPC %q, which does not exist%s", name, vpcName, v.suggest(fabric.KindVPC, vpcName))
	} else if sub = vpc.Spec.Subnets[subName]; sub == nil {
		b.Errorf(RuleCrossAttSubnetExists, diag.F("spec", "subnet"), "VPC subnet not found",
			"VPC %q has no subnet %q%s", vpcName, subName, subnetHint(vpc, subName))
	}
	conn, _ := v.get(fabric.KindConnection, o.Spec.Connection).(*fabric.Connection)
	if conn == nil {
		b.Errorf(RuleCrossAttConnectionExists, diag.F("spec", "connection"), "connection not found",
			"VPCAttachment %q uses Connection %q, which does not exist%s", name, o.Spec.Connection, v.suggest(fabric.KindConnection, o.Spec.Connection))
	} else {
		lt := linkType(conn)
		switch lt {
		case fabric.LinkUnbundled, fabric.LinkBundled, fabric.LinkESLAG, fabric.LinkMCLAG:
		default:
			b.Errorf(RuleCrossAttConnectionType, diag.F("spec", "connection"), "connection type cannot carry VPCs",
				"Connection %q is of type %q; VPCs attach only to unbundled, bundled, eslag or mclag connections", conn.Metadata.Name, lt)
		}
		if vpc != nil {
			for _, swName := range connSwitches(connEndpoints(conn)) {
				sw, _ := v.get(fabric.KindSwitch, swName).(*fabric.Switch)
				if sw == nil {
					continue
				}
				if !containsString(sw.Spec.VLANNamespaces, vpc.Spec.VLANNamespace) {
					b.Errorf(RuleCrossAttVLANNamespace, diag.F("spec", "connection"), "switch lacks the VPC's VLANNamespace",
						"Switch %q of Connection %q does not list VLANNamespace %q of VPC %q", swName, conn.Metadata.Name, vpc.Spec.VLANNamespace, vpcName)
				}
				if sub != nil && sub.HostBGP && sw.Spec.Redundancy != nil && sw.Spec.Redundancy.Type == RedundancyMCLAG {
					b.Errorf(RuleCrossAttHostBGP, diag.F("spec", "connection"), "hostBGP subnet on an MCLAG switch",
						"subnet %q of VPC %q uses hostBGP, which is not supported on MCLAG switch %q", subName, vpcName, swName)
				}
			}
			if sub != nil && sub.HostBGP && lt != fabric.LinkUnbundled {
				b.Errorf(RuleCrossAttHostBGP, diag.F("spec", "connection"), "hostBGP subnet needs an unbundled connection",
					"subnet %q of VPC %q uses hostBGP; Connection %q is %q, not unbundled", subName, vpcName, conn.Metadata.Name, lt)
			}
			if lt == fabric.LinkESLAG && vpc.Spec.Mode != "" && vpc.Spec.Mode != "l2vni" {
				b.Errorf(RuleCrossAttESLAGL2VNI, diag.F("spec", "connection"), "ESLAG connection needs an l2vni VPC",
					"Connection %q is ESLAG but VPC %q is in mode %q; ESLAG is supported only for l2vni VPCs", conn.Metadata.Name, vpcName, vpc.Spec.Mode)
			}
		}
	}
	for _, other := range v.referrers(idxAttByConnSubnet, o.Spec.Connection+"|"+vpcName+"/"+subName) {
		if other != name && !v.deferred(fabric.KindVPCAttachment, other) {
			b.Errorf(RuleCrossAttDuplicate, diag.F("spec", "subnet"), "subnet already attached to this connection",
				"VPCAttachment %q and VPCAttachment %q both attach %s/%s to Connection %q", name, other, vpcName, subName, o.Spec.Connection)
		}
	}
	if o.Spec.NativeVLAN {
		for _, other := range v.referrers(idxAttNative, o.Spec.Connection) {
			if other != name && !v.deferred(fabric.KindVPCAttachment, other) {
				b.Errorf(RuleCrossAttNativeVLAN, diag.F("spec", "nativeVLAN"), "connection already has a native VLAN",
					"VPCAttachment %q and VPCAttachment %q both set nativeVLAN on Connection %q", name, other, o.Spec.Connection)
			}
		}
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func crossPeering(b *diag.Builder, v *View, o *fabric.VPCPeering) {
	var first *fabric.VPC
	for i, permit := range o.Spec.Permit {
		for _, vpcName := range sortedKeys(permit) {
			p := diag.F("spec", "permit").Index(i).Key(vpcName)
			vpc, _ := v.get(fabric.KindVPC, vpcName).(*fabric.VPC)
			if vpc == nil {
				b.Errorf(RuleCrossPeeringVPCExists, p, "VPC not found", "VPCPeering %q peers VPC %q, which does not exist%s", o.Metadata.Name, vpcName, v.suggest(fabric.KindVPC, vpcName))
				continue
			}
			for j, sn := range permit[vpcName].Subnets {
				if vpc.Spec.Subnets[sn] == nil {
					b.Errorf(RuleCrossPeeringSubnetExists, p.Field("subnets").Index(j), "VPC subnet not found", "VPC %q has no subnet %q%s", vpcName, sn, subnetHint(vpc, sn))
				}
			}
			if first == nil {
				first = vpc
				continue
			}
			if vpc.Spec.IPv4Namespace != first.Spec.IPv4Namespace || vpc.Spec.VLANNamespace != first.Spec.VLANNamespace {
				b.Errorf(RuleCrossPeeringSameNamespace, p, "peered VPCs are in different namespaces",
					"VPC %q (IPv4Namespace %q, VLANNamespace %q) and VPC %q (IPv4Namespace %q, VLANNamespace %q) must share their namespaces",
					vpcName, vpc.Spec.IPv4Namespace, vpc.Spec.VLANNamespace, first.Metadata.Name, first.Spec.IPv4Namespace, first.Spec.VLANNamespace)
			}
		}
	}
}

func crossExtPeering(b *diag.Builder, v *View, o *fabric.ExternalPeering) {
	pm := o.Spec.Permit
	if pm == nil {
		return
	}
	var ext *fabric.External
	if pm.External != nil {
		ext, _ = v.get(fabric.KindExternal, pm.External.Name).(*fabric.External)
		if ext == nil {
			b.Errorf(RuleCrossExtPeerExternalExists, diag.F("spec", "permit", "external", "name"), "External not found",
				"ExternalPeering %q peers External %q, which does not exist%s", o.Metadata.Name, pm.External.Name, v.suggest(fabric.KindExternal, pm.External.Name))
		}
	}
	if pm.VPC == nil {
		return
	}
	vpc, _ := v.get(fabric.KindVPC, pm.VPC.Name).(*fabric.VPC)
	if vpc == nil {
		b.Errorf(RuleCrossExtPeerVPCExists, diag.F("spec", "permit", "vpc", "name"), "VPC not found",
			"ExternalPeering %q peers VPC %q, which does not exist%s", o.Metadata.Name, pm.VPC.Name, v.suggest(fabric.KindVPC, pm.VPC.Name))
		return
	}
	for j, sn := range pm.VPC.Subnets {
		if vpc.Spec.Subnets[sn] == nil {
			b.Errorf(RuleCrossExtPeerSubnetExists, diag.F("spec", "permit", "vpc", "subnets").Index(j), "VPC subnet not found",
				"VPC %q has no subnet %q%s", vpc.Metadata.Name, sn, subnetHint(vpc, sn))
		}
	}
	if ext != nil && ext.Spec.IPv4Namespace != vpc.Spec.IPv4Namespace {
		b.Errorf(RuleCrossExtPeerSameNamespace, diag.F("spec", "permit"), "VPC and External are in different IPv4Namespaces",
			"VPC %q is in IPv4Namespace %q but External %q is in %q", vpc.Metadata.Name, vpc.Spec.IPv4Namespace, ext.Metadata.Name, ext.Spec.IPv4Namespace)
	}
}

func crossExtAttachment(b *diag.Builder, v *View, o *fabric.ExternalAttachment) {
	if ext, _ := v.get(fabric.KindExternal, o.Spec.External).(*fabric.External); ext == nil {
		b.Errorf(RuleCrossExtAttExternalExists, diag.F("spec", "external"), "External not found",
			"ExternalAttachment %q uses External %q, which does not exist%s", o.Metadata.Name, o.Spec.External, v.suggest(fabric.KindExternal, o.Spec.External))
	} else {
		checkExtAttMode(b, o, ext)
	}
	vlan, vlanPath := extAttVLAN(o)
	for _, name := range v.referrers(idxExtAttByConn, o.Spec.Connection) {
		other, _ := v.get(fabric.KindExternalAttachment, name).(*fabric.ExternalAttachment)
		if other == nil || name == o.Metadata.Name || v.deferred(fabric.KindExternalAttachment, name) {
			continue
		}
		if ov, _ := extAttVLAN(other); ov == vlan {
			b.Errorf(RuleCrossExtAttVLANUnique, vlanPath, "VLAN already used on this connection",
				"ExternalAttachment %q and ExternalAttachment %q both use %s on Connection %q; the attachments of one connection need distinct VLANs",
				o.Metadata.Name, name, vlanText(vlan), o.Spec.Connection)
		}
	}
	conn, _ := v.get(fabric.KindConnection, o.Spec.Connection).(*fabric.Connection)
	if conn == nil {
		b.Errorf(RuleCrossExtAttConnectionExists, diag.F("spec", "connection"), "connection not found",
			"ExternalAttachment %q uses Connection %q, which does not exist%s", o.Metadata.Name, o.Spec.Connection, v.suggest(fabric.KindConnection, o.Spec.Connection))
	} else if lt := linkType(conn); lt != fabric.LinkExternal {
		b.Errorf(RuleCrossExtAttConnectionType, diag.F("spec", "connection"), "connection is not an external connection",
			"Connection %q is of type %q; ExternalAttachments need an external connection", conn.Metadata.Name, lt)
	}
}

func crossConnection(b *diag.Builder, v *View, o *fabric.Connection) {
	name := o.Metadata.Name
	eps := connEndpoints(o)
	warnedProfile := map[string]bool{}
	for i := range eps {
		e := &eps[i]
		if e.device == "" {
			continue
		}
		switch {
		case e.other: // a gateway: not a fabric object
		case e.server:
			if v.get(fabric.KindServer, e.device) == nil {
				b.Errorf(RuleCrossConnServerExists, e.path(), "server not found", "Connection %q uses Server %q, which does not exist%s", name, e.device, v.suggest(fabric.KindServer, e.device))
			}
		default:
			sw, _ := v.get(fabric.KindSwitch, e.device).(*fabric.Switch)
			if sw == nil {
				b.Errorf(RuleCrossConnSwitchExists, e.path(), "switch not found", "Connection %q uses Switch %q, which does not exist%s", name, e.device, v.suggest(fabric.KindSwitch, e.device))
			} else if prof, _ := v.get(fabric.KindSwitchProfile, sw.Spec.Profile).(*fabric.SwitchProfile); prof == nil {
				if !warnedProfile[e.device] {
					warnedProfile[e.device] = true
					b.Warnf(RuleCrossConnPortProfile, e.path(), "switch profile unknown; ports not checked",
						"Switch %q uses SwitchProfile %q, which is not known; supply the profile to check its ports", e.device, sw.Spec.Profile)
				}
			} else if ok, why := profilePortValid(prof, e.port); !ok {
				b.Errorf(RuleCrossConnPortProfile, e.path(), "port not valid for the switch profile",
					"port %q of Switch %q: %s (SwitchProfile %q)", e.port, e.device, why, prof.Metadata.Name)
			}
		}
		// A port (of a switch, a server or a gateway) belongs to one connection only.
		base, _ := basePort(e.port)
		for _, u := range v.ports[portKey{e.device, base}] {
			if u.conn != name && portsClash(u.port, e.port) && !v.deferred(fabric.KindConnection, u.conn) {
				b.Errorf(RuleCrossConnPortInUse, e.path(), "port already used by another connection",
					"port %s/%s of Connection %q clashes with %s/%s of Connection %q", e.device, e.port, name, e.device, u.port, u.conn)
			}
		}
	}
	for _, l := range connLinkIPs(o) {
		for _, other := range v.linkIPs[l.addr] {
			if other.conn != name && !v.deferred(fabric.KindConnection, other.conn) {
				b.Errorf(RuleCrossConnLinkIPUnique, l.path(), "link IP already used by another connection",
					"%s is the %s IP of %s link #%d of Connection %q and the %s IP of %s link #%d of Connection %q; link IPs are unique across the fabric",
					l.addr, l.side, l.typ, l.idx, name, other.side, other.typ, other.idx, other.conn)
				break
			}
		}
	}
	lt := linkType(o)
	if lt == fabric.LinkESLAG || lt == fabric.LinkMCLAG || lt == fabric.LinkMCLAGDomain {
		want, rule := RedundancyESLAG, RuleCrossConnESLAGGroup
		if lt != fabric.LinkESLAG {
			want, rule = RedundancyMCLAG, RuleCrossConnMCLAGGroup
		}
		group, groupOf := "", ""
		for _, swName := range connSwitches(eps) {
			sw, _ := v.get(fabric.KindSwitch, swName).(*fabric.Switch)
			if sw == nil {
				continue
			}
			r := sw.Spec.Redundancy
			if r == nil || r.Type != want || r.Group == "" {
				b.Errorf(rule, firstPortOf(eps, swName), "switch is not in a "+want+" redundancy group",
					"Switch %q of %s Connection %q has no %s redundancy group", swName, lt, name, want)
				continue
			}
			if group == "" {
				group, groupOf = r.Group, swName
			} else if r.Group != group {
				b.Errorf(rule, firstPortOf(eps, swName), "switches are in different redundancy groups",
					"Switch %q is in redundancy group %q but Switch %q is in %q; all switches of Connection %q must share one", swName, r.Group, groupOf, group, name)
			}
		}
	}
	if se := o.Spec.StaticExternal; se != nil && se.WithinVPC != "" && v.get(fabric.KindVPC, se.WithinVPC) == nil {
		b.Errorf(RuleCrossConnWithinVPCExists, diag.F("spec", fabric.LinkStaticExternal, "withinVPC"), "VPC not found",
			"Connection %q is within VPC %q, which does not exist%s", name, se.WithinVPC, v.suggest(fabric.KindVPC, se.WithinVPC))
	}
}

// profilePortValid reports whether port (e.g. "E1/4" or the breakout lane "E1/4/1") exists in the profile.
func profilePortValid(p *fabric.SwitchProfile, port string) (bool, string) {
	base, lane := basePort(port)
	pp, ok := p.Spec.Ports[base]
	if !ok {
		return false, "no such port" + portSummary(p) + didYouMean(base, func(yield func(string) bool) {
			for n, pp := range p.Spec.Ports {
				if !pp.Management && strings.EqualFold(n, base) && !yield(n) {
					return
				}
			}
		})
	}
	if pp.Management {
		return false, "management port"
	}
	if !lane {
		return true, ""
	}
	pprof, ok := p.Spec.PortProfiles[pp.Profile]
	if pp.Profile == "" || !ok || pprof.Breakout == nil {
		return false, fmt.Sprintf("port %s does not support breakout", base)
	}
	n, err := strconv.Atoi(port[len(base)+1:])
	maxLanes := 0
	for _, m := range pprof.Breakout.Supported {
		maxLanes = max(maxLanes, len(m.Offsets))
	}
	if err != nil || n < 1 || n > maxLanes {
		return false, fmt.Sprintf("port %s has breakout lanes 1-%d", base, maxLanes)
	}
	return true, ""
}

// portSummary lists the profile's ports other than management ports, numbered ports in ranges
// ("; the profile has ports E1/1-E1/48"), for a port it lacks.
func portSummary(p *fabric.SwitchProfile) string {
	nums := map[string][]int{}
	var other []string
	for n, pp := range p.Spec.Ports {
		if pp.Management {
			continue
		}
		i := len(n)
		for i > 0 && n[i-1] >= '0' && n[i-1] <= '9' {
			i--
		}
		if k, err := strconv.Atoi(n[i:]); err == nil && i < len(n) {
			nums[n[:i]] = append(nums[n[:i]], k)
		} else {
			other = append(other, n)
		}
	}
	var parts []string
	for _, prefix := range sortedKeys(nums) {
		ks := nums[prefix]
		sort.Ints(ks)
		for i := 0; i < len(ks); {
			j := i
			for j+1 < len(ks) && ks[j+1] == ks[j]+1 {
				j++
			}
			if j == i {
				parts = append(parts, fmt.Sprintf("%s%d", prefix, ks[i]))
			} else {
				parts = append(parts, fmt.Sprintf("%s%d-%s%d", prefix, ks[i], prefix, ks[j]))
			}
			i = j + 1
		}
	}
	sort.Strings(other)
	parts = append(parts, other...)
	if len(parts) == 0 {
		return "; the profile has no ports"
	}
	if len(parts) > maxListed {
		parts = append(parts[:maxListed:maxListed], fmt.Sprintf("and %d more", len(parts)-maxListed))
	}
	return "; the profile has ports " + strings.Join(parts, ", ")
}

func crossSwitch(b *diag.Builder, v *View, o *fabric.Switch) {
	name, s := o.Metadata.Name, &o.Spec
	if s.Profile != "" && v.get(fabric.KindSwitchProfile, s.Profile) == nil {
		b.Errorf(RuleCrossSwitchProfileExists, diag.F("spec", "profile"), "SwitchProfile not found",
			"Switch %q uses SwitchProfile %q, which does not exist%s", name, s.Profile, v.suggest(fabric.KindSwitchProfile, s.Profile))
	}
	for i, g := range s.Groups {
		if v.get(fabric.KindSwitchGroup, g) == nil {
			b.Errorf(RuleCrossSwitchGroupExists, diag.F("spec", "groups").Index(i), "SwitchGroup not found",
				"Switch %q is in SwitchGroup %q, which does not exist%s", name, g, v.suggest(fabric.KindSwitchGroup, g))
		}
	}
	if r := s.Redundancy; r != nil && r.Group != "" && v.get(fabric.KindSwitchGroup, r.Group) == nil {
		b.Errorf(RuleCrossSwitchRedGroupExists, diag.F("spec", "redundancy", "group"), "SwitchGroup not found",
			"Switch %q uses redundancy group %q, which is not an existing SwitchGroup%s", name, r.Group, v.suggest(fabric.KindSwitchGroup, r.Group))
	}
	for i, ns := range s.VLANNamespaces {
		if v.get(fabric.KindVLANNamespace, ns) == nil {
			b.Errorf(RuleCrossSwitchVLANNSExists, diag.F("spec", "vlanNamespaces").Index(i), "VLANNamespace not found",
				"Switch %q lists VLANNamespace %q, which does not exist%s", name, ns, v.suggest(fabric.KindVLANNamespace, ns))
		}
	}
	crossSwitchVLANNamespaces(b, v, o)
	for _, f := range [...]struct{ field, val string }{{"ip", s.IP}, {"protocolIP", s.ProtocolIP}, {"vtepIP", s.VTEPIP}} {
		a, ok := parseIP(f.val)
		if !ok {
			continue
		}
		for _, other := range v.ips[a] {
			if other.sw == name || v.deferred(fabric.KindSwitch, other.sw) {
				continue
			}
			if f.field == "vtepIP" && other.field == "vtepIP" && sameMCLAGGroup(v, s, other.sw) {
				continue // MCLAG peers share their VTEP
			}
			b.Errorf(RuleCrossSwitchIPUnique, diag.F("spec", f.field), "IP address already used by another switch",
				"%s %s of Switch %q is also %s of Switch %q", f.field, a, name, other.field, other.sw)
		}
	}
	if isLeaf(s.Role) && s.ASN != 0 {
		for _, other := range v.asns[s.ASN] {
			if other != name && !sameMCLAGGroup(v, s, other) && !v.deferred(fabric.KindSwitch, other) {
				b.Errorf(RuleCrossSwitchASNUnique, diag.F("spec", "asn"), "leaf ASN already used by another switch",
					"ASN %d of Switch %q is also the ASN of Switch %q", s.ASN, name, other)
			}
		}
	}
}

// crossSwitchVLANNamespaces reports VLAN namespaces of a switch whose ranges overlap (a namespace listed
// twice overlaps itself): the switch takes VLANs from all of them, so the fabric requires them disjoint.
// The finding sits on the later of the two list entries.
func crossSwitchVLANNamespaces(b *diag.Builder, v *View, o *fabric.Switch) {
	list := o.Spec.VLANNamespaces
	for j := 1; j < len(list); j++ {
		nsJ, _ := v.get(fabric.KindVLANNamespace, list[j]).(*fabric.VLANNamespace)
		for i := 0; i < j; i++ {
			p := diag.F("spec", "vlanNamespaces").Index(j)
			if list[i] == list[j] {
				b.Errorf(RuleCrossSwitchVLANNSOverlap, p, "VLANNamespace listed twice",
					"Switch %q lists VLANNamespace %q twice; its ranges would overlap themselves", o.Metadata.Name, list[j])
				break
			}
			nsI, _ := v.get(fabric.KindVLANNamespace, list[i]).(*fabric.VLANNamespace)
			if nsI == nil || nsJ == nil {
				continue
			}
			if ri, rj, ok := overlappingRanges(nsI.Spec.Ranges, nsJ.Spec.Ranges); ok {
				b.Errorf(RuleCrossSwitchVLANNSOverlap, p, "VLAN namespaces of the switch overlap",
					"Switch %q lists VLANNamespaces %q and %q, whose ranges %d-%d and %d-%d overlap; the VLAN namespaces of a switch must not share VLANs",
					o.Metadata.Name, list[i], list[j], ri.From, ri.To, rj.From, rj.To)
				break
			}
		}
	}
}

// overlappingRanges returns the first pair of ranges of a and b that share a VLAN.
func overlappingRanges(a, b []fabric.VLANRange) (fabric.VLANRange, fabric.VLANRange, bool) {
	for _, x := range a {
		for _, y := range b {
			if x.From <= y.To && y.From <= x.To {
				return x, y, true
			}
		}
	}
	return fabric.VLANRange{}, fabric.VLANRange{}, false
}

// firstPortOf returns the path of the first port of the connection on switch sw (the connection's spec
// when none is found).
func firstPortOf(eps []endpoint, sw string) diag.Path {
	for i := range eps {
		if !eps[i].server && !eps[i].other && eps[i].device == sw {
			return eps[i].path()
		}
	}
	return diag.F("spec")
}

// extAttStatic reports whether an ExternalAttachment is static (else it is a BGP attachment).
func extAttStatic(a *fabric.ExternalAttachment) bool { return a.Spec.Static != nil }

// extAttVLAN returns the VLAN an ExternalAttachment uses on its connection (0: untagged) and the path of
// the field that sets it.
func extAttVLAN(a *fabric.ExternalAttachment) (uint16, diag.Path) {
	if a.Spec.Static != nil {
		return a.Spec.Static.VLAN, diag.F("spec", "static", "vlan")
	}
	return a.Spec.Switch.VLAN, diag.F("spec", "switch", "vlan")
}

func vlanText(vlan uint16) string {
	if vlan == 0 {
		return "no VLAN (untagged)"
	}
	return fmt.Sprintf("VLAN %d", vlan)
}

// checkExtAttMode reports an ExternalAttachment whose mode differs from its External's: a BGP attachment
// (switch.ip, neighbor) needs a BGP External, a static attachment (static) a static External (one with
// static prefixes). b is a builder for the attachment.
func checkExtAttMode(b *diag.Builder, a *fabric.ExternalAttachment, ext *fabric.External) {
	extStatic := ext.Spec.Static != nil
	switch {
	case extAttStatic(a) && !extStatic:
		b.Errorf(RuleCrossExtAttMode, diag.F("spec", "static"), "static attachment of a BGP External",
			"ExternalAttachment %q is static but External %q is a BGP External (no static prefixes); attach it with switch.ip and neighbor, or make the External static",
			a.Metadata.Name, ext.Metadata.Name)
	case !extAttStatic(a) && extStatic:
		b.Errorf(RuleCrossExtAttMode, diag.F("spec", "switch", "ip"), "BGP attachment of a static External",
			"ExternalAttachment %q is a BGP attachment (switch.ip, neighbor) but External %q is static; attach it with static, or make the External a BGP External",
			a.Metadata.Name, ext.Metadata.Name)
	}
}

// crossExternalAttachmentModes checks, when an External is validated, the attachments planned earlier in
// this run that point at it. The finding is about the attachment (Kind, Name and Path are the
// attachment's), whichever of the two was planned last: planned after the External, the attachment finds
// it itself (crossExtAttachment). Attachments as read from the fabric are not checked here: they may
// still be re-planned later in the run (Terraform plans an External before the attachments that refer to
// it), and are then checked against this External.
func crossExternalAttachmentModes(b *diag.Builder, v *View, ext *fabric.External) {
	for _, name := range v.referrers(idxExtAttByExt, ext.Metadata.Name) {
		a, _ := v.getPlanned(fabric.KindExternalAttachment, name).(*fabric.ExternalAttachment)
		if a == nil {
			continue
		}
		ab := &diag.Builder{Stage: b.Stage, Kind: fabric.KindExternalAttachment, Name: name}
		checkExtAttMode(ab, a, ext)
		b.Out = append(b.Out, ab.Out...)
	}
}

// sameMCLAGGroup reports whether the other switch is in the same MCLAG redundancy group as s.
func sameMCLAGGroup(v *View, s *fabric.SwitchSpec, other string) bool {
	if s.Redundancy == nil || s.Redundancy.Type != RedundancyMCLAG || s.Redundancy.Group == "" {
		return false
	}
	o, _ := v.get(fabric.KindSwitch, other).(*fabric.Switch)
	return o != nil && o.Spec.Redundancy != nil && o.Spec.Redundancy.Type == RedundancyMCLAG && o.Spec.Redundancy.Group == s.Redundancy.Group
}

// ValidateDelete checks that the object of kind and name can be deleted: nothing else in the view refers
// to it. Objects deleted in the same run must be removed from the view first.
func ValidateDelete(kind, name string, v *View) diag.Diagnostics {
	return validateDelete(kind, name, v, nil)
}

// DeleteBlockers returns the delete-protection findings of ValidateDelete and the objects that cause them.
func DeleteBlockers(kind, name string, v *View) (diag.Diagnostics, []Reference) {
	var out []Reference
	ds := validateDelete(kind, name, v, &out)
	return ds, out
}

func validateDelete(kind, name string, v *View, blockers *[]Reference) diag.Diagnostics {
	if v == nil {
		return nil
	}
	b := &diag.Builder{Stage: diag.StageCross, Kind: kind, Name: name}
	v.mu.RLock()
	defer v.mu.RUnlock()
	type use struct{ idx, what string }
	var rule string
	var uses []use
	switch kind {
	case fabric.KindVPC:
		rule = RuleDeleteVPCInUse
		uses = []use{{idxAttByVPC, "VPCAttachment"}, {idxPeerByVPC, "VPCPeering"}, {idxExtPeerByVPC, "ExternalPeering"},
			{idxConnByWithinVPC, "Connection"}, {idxVPCByRelay, "VPC (DHCP relay)"}}
	case fabric.KindIPv4Namespace:
		rule = RuleDeleteIPv4NSInUse
		uses = []use{{idxVPCByIPv4NS, "VPC"}, {idxExtByIPv4NS, "External"}}
	case fabric.KindVLANNamespace:
		rule = RuleDeleteVLANNSInUse
		uses = []use{{idxVPCByVLANNS, "VPC"}, {idxSwitchByVLANNS, "Switch"}}
	case fabric.KindSwitch:
		rule = RuleDeleteSwitchInUse
		uses = []use{{idxConnBySwitch, "Connection"}}
	case fabric.KindServer:
		rule = RuleDeleteServerInUse
		uses = []use{{idxConnByServer, "Connection"}}
	case fabric.KindConnection:
		rule = RuleDeleteConnectionInUse
		uses = []use{{idxAttByConn, "VPCAttachment"}, {idxExtAttByConn, "ExternalAttachment"}}
	case fabric.KindExternal:
		rule = RuleDeleteExternalInUse
		uses = []use{{idxExtAttByExt, "ExternalAttachment"}, {idxExtPeerByExt, "ExternalPeering"}}
	case fabric.KindSwitchGroup:
		rule = RuleDeleteSwitchGroupInUse
		uses = []use{{idxSwitchByGroup, "Switch"}, {idxSwitchByRedGrp, "Switch (redundancy group)"}}
	case fabric.KindSwitchProfile:
		rule = RuleDeleteSwitchProfileInUse
		uses = []use{{idxSwitchByProfile, "Switch"}}
	default:
		return nil
	}
	var found []string
	total := 0
	for _, u := range uses {
		for _, r := range v.referrers(u.idx, name) {
			if u.idx == idxVPCByRelay && r == name {
				continue
			}
			rk, _, _ := strings.Cut(u.idx, ".")
			if v.deferred(rk, r) {
				continue // this owner's: destroyed by this plan, or planned later and checked then
			}
			if blockers != nil {
				*blockers = append(*blockers, Reference{rk, r})
			}
			total++
			if len(found) < 10 {
				found = append(found, fmt.Sprintf("%s %q", u.what, r))
			}
		}
	}
	if total == 0 {
		return nil
	}
	sort.Strings(found)
	more := ""
	if total > len(found) {
		more = fmt.Sprintf(" and %d more", total-len(found))
	}
	b.Errorf(rule, diag.Root(), kind+" is in use and cannot be deleted",
		"%s %q is still used by %s%s; delete or change those first", kind, name, strings.Join(found, ", "), more)
	return b.Out
}

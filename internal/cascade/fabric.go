package cascade

import (
	"net/netip"
	"strings"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// Fabric-stage rule identifiers.
const (
	RuleFabricConfigInvalid          = "fabric.config-invalid"
	RuleFabricVPCSubnetReserved      = "fabric.vpc.subnet-reserved"
	RuleFabricVPCVLANReserved        = "fabric.vpc.vlan-reserved"
	RuleFabricVLANNSRangeReserved    = "fabric.vlannamespace.range-reserved"
	RuleFabricVPCDHCPMTU             = "fabric.vpc.dhcp-mtu"
	RuleFabricSwitchManagementIP     = "fabric.switch.management-ip"
	RuleFabricSwitchProtocolIP       = "fabric.switch.protocol-ip"
	RuleFabricSwitchVTEPIP           = "fabric.switch.vtep-ip"
	RuleFabricSwitchLeafASN          = "fabric.switch.leaf-asn"
	RuleFabricSwitchSpineASN         = "fabric.switch.spine-asn"
	RuleFabricConnectionLinkIP       = "fabric.connection.link-ip"
	RuleFabricVPCPeeringDisabled     = "fabric.vpcpeering.disabled"
	RuleFabricStaticExternalReserved = "fabric.connection.static-external-reserved"
	RuleFabricIPv4NSSubnetReserved   = "fabric.ipv4namespace.subnet-reserved"
	RuleFabricConnectionMTU          = "fabric.connection.server-mtu"
)

// Switch roles.
const (
	RoleSpine       = "spine"
	RoleServerLeaf  = "server-leaf"
	RoleBorderLeaf  = "border-leaf"
	RoleMixedLeaf   = "mixed-leaf"
	RoleVirtualEdge = "virtual-edge"
)

func isLeaf(role string) bool {
	return role == RoleServerLeaf || role == RoleBorderLeaf || role == RoleMixedLeaf
}

// ValidateFabric checks one defaulted object against the fabric configuration. A nil config checks
// nothing (the stage is skipped).
func ValidateFabric(obj fabric.Object, cfg *FabricConfig) diag.Diagnostics {
	if cfg == nil || obj == nil {
		return nil
	}
	pc, err := cfg.parse()
	return validateFabric(obj, cfg, pc, err)
}

// validateFabric is ValidateFabric with the configuration already parsed (pc, err from cfg.parse).
func validateFabric(obj fabric.Object, cfg *FabricConfig, pc *parsedConfig, err error) diag.Diagnostics {
	if cfg == nil || obj == nil {
		return nil
	}
	b := &diag.Builder{Stage: diag.StageFabric, Kind: obj.GetKind(), Name: obj.Meta().Name}
	if err != nil {
		b.Errorf(RuleFabricConfigInvalid, diag.Root(), "invalid fabric configuration", "%v", err)
		return b.Out
	}
	switch o := obj.(type) {
	case *fabric.VPC:
		fabricVPC(b, cfg, pc, o)
	case *fabric.VLANNamespace:
		for i, r := range o.Spec.Ranges {
			vr := VLANRange{From: r.From, To: r.To}
			if rr, what, ok := reservedVLANRange(cfg, vr); ok {
				b.Errorf(RuleFabricVLANNSRangeReserved, diag.F("spec", "ranges").Index(i), "VLAN range overlaps a reserved VLAN range",
					"range %s overlaps the %s %s of the fabric configuration", vr, what, rr)
			}
		}
	case *fabric.IPv4Namespace:
		for i, sub := range o.Spec.Subnets {
			pf, err := netip.ParsePrefix(sub)
			if err != nil {
				continue
			}
			if r, ok := overlapsReserved(pc, pf.Masked()); ok {
				b.Errorf(RuleFabricIPv4NSSubnetReserved, diag.F("spec", "subnets").Index(i), "subnet overlaps a reserved subnet",
					"subnet %s overlaps %s, reserved by the fabric configuration (reservedSubnets)", pf.Masked(), r)
			}
		}
	case *fabric.Switch:
		fabricSwitch(b, cfg, pc, o)
	case *fabric.Connection:
		fabricConnection(b, cfg, pc, o)
	case *fabric.VPCPeering:
		if cfg.VPCPeeringDisabled {
			b.Errorf(RuleFabricVPCPeeringDisabled, diag.F("spec"), "VPC peering is disabled",
				"the fabric configuration sets vpcPeeringDisabled; VPCPeering objects are rejected")
		}
	}
	return b.Out
}

func fabricVPC(b *diag.Builder, cfg *FabricConfig, pc *parsedConfig, o *fabric.VPC) {
	mtu := cfg.ServerFacingMTU()
	for _, name := range sortedKeys(o.Spec.Subnets) {
		sn := o.Spec.Subnets[name]
		if sn == nil {
			continue
		}
		p := diag.F("spec", "subnets").Key(name)
		if pf, err := netip.ParsePrefix(sn.Subnet); err == nil {
			pf = pf.Masked()
			for _, r := range pc.reserved {
				if r.Overlaps(pf) {
					b.Errorf(RuleFabricVPCSubnetReserved, p.Field("subnet"), "subnet overlaps a reserved subnet",
						"subnet %s overlaps %s, reserved by the fabric configuration (reservedSubnets)", pf, r)
					break
				}
			}
		}
		if sn.VLAN != 0 {
			if rr, what, ok := reservedVLAN(cfg, sn.VLAN); ok {
				b.Errorf(RuleFabricVPCVLANReserved, p.Field("vlan"), "VLAN is reserved by the fabric",
					"VLAN %d lies in the %s %s of the fabric configuration", sn.VLAN, what, rr)
			}
		}
		if sn.DHCP != nil && sn.DHCP.Options != nil && sn.DHCP.Options.InterfaceMTU > mtu {
			b.Errorf(RuleFabricVPCDHCPMTU, p.Field("dhcp").Field("options").Field("interfaceMTU"), "DHCP interface MTU too large",
				"interfaceMTU %d exceeds fabricMTU %d minus serverFacingMTUOffset %d = %d",
				sn.DHCP.Options.InterfaceMTU, cfg.FabricMTU, cfg.ServerFacingMTUOffset, mtu)
		}
	}
}

func reservedVLAN(cfg *FabricConfig, v uint16) (VLANRange, string, bool) {
	for _, r := range cfg.VPCIRBVLANRanges {
		if r.Contains(v) {
			return r, "VPC IRB VLAN range (vpcIRBVLANRange)", true
		}
	}
	for _, r := range cfg.TH5WorkaroundVLANRange {
		if r.Contains(v) {
			return r, "TH5 workaround VLAN range (th5WorkaroundVLANRange)", true
		}
	}
	return VLANRange{}, "", false
}

func reservedVLANRange(cfg *FabricConfig, vr VLANRange) (VLANRange, string, bool) {
	for _, r := range cfg.VPCIRBVLANRanges {
		if r.Overlaps(vr) {
			return r, "VPC IRB VLAN range (vpcIRBVLANRange)", true
		}
	}
	for _, r := range cfg.TH5WorkaroundVLANRange {
		if r.Overlaps(vr) {
			return r, "TH5 workaround VLAN range (th5WorkaroundVLANRange)", true
		}
	}
	return VLANRange{}, "", false
}

// parseIP parses "a.b.c.d" or "a.b.c.d/n" and returns the address.
func parseIP(s string) (netip.Addr, bool) {
	if s == "" {
		return netip.Addr{}, false
	}
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Addr{}, false
		}
		return p.Addr(), true
	}
	a, err := netip.ParseAddr(s)
	return a, err == nil
}

func fabricSwitch(b *diag.Builder, cfg *FabricConfig, pc *parsedConfig, o *fabric.Switch) {
	s := &o.Spec
	if a, ok := parseIP(s.IP); ok {
		p := diag.F("spec", "ip")
		switch {
		case !pc.management.Contains(a):
			b.Errorf(RuleFabricSwitchManagementIP, p, "management IP outside the management subnet",
				"%s is not in managementSubnet %s", a, pc.management)
		case pc.mgmtDHCP.IsValid() && a.Compare(pc.mgmtDHCP) >= 0:
			b.Errorf(RuleFabricSwitchManagementIP, p, "management IP in the DHCP range",
				"%s must be below managementDHCPStart %s", a, pc.mgmtDHCP)
		case pc.controlVIP.IsValid() && a == pc.controlVIP:
			b.Errorf(RuleFabricSwitchManagementIP, p, "management IP is the control VIP",
				"%s is the controlVIP of the fabric configuration", a)
		}
	}
	if a, ok := parseIP(s.ProtocolIP); ok && !pc.protocol.Contains(a) {
		b.Errorf(RuleFabricSwitchProtocolIP, diag.F("spec", "protocolIP"), "protocol IP outside the protocol subnet",
			"%s is not in protocolSubnet %s", a, pc.protocol)
	}
	if cfg.FabricMode == "" || cfg.FabricMode == FabricModeSpineLeaf {
		if a, ok := parseIP(s.VTEPIP); ok && !pc.vtep.Contains(a) {
			b.Errorf(RuleFabricSwitchVTEPIP, diag.F("spec", "vtepIP"), "VTEP IP outside the VTEP subnet",
				"%s is not in vtepSubnet %s", a, pc.vtep)
		}
	}
	switch {
	case s.Role == RoleSpine && s.ASN != cfg.SpineASN:
		b.Errorf(RuleFabricSwitchSpineASN, diag.F("spec", "asn"), "spine ASN differs from the fabric's spine ASN",
			"spines use spineASN %d, got %d", cfg.SpineASN, s.ASN)
	case isLeaf(s.Role) && (s.ASN < cfg.LeafASNStart || s.ASN > cfg.LeafASNEnd):
		b.Errorf(RuleFabricSwitchLeafASN, diag.F("spec", "asn"), "leaf ASN outside the leaf ASN range",
			"ASN %d is not in leafASNStart..leafASNEnd %d-%d", s.ASN, cfg.LeafASNStart, cfg.LeafASNEnd)
	}
}

func fabricConnection(b *diag.Builder, cfg *FabricConfig, pc *parsedConfig, o *fabric.Connection) {
	s := &o.Spec
	// Server-facing links carry at most the fabric MTU minus the server-facing offset (0 leaves the
	// MTU unset, i.e. the switch default).
	maxMTU := cfg.ServerFacingMTU()
	checkMTU := func(typ string, mtu uint16) {
		if mtu > maxMTU {
			b.Errorf(RuleFabricConnectionMTU, diag.F("spec", typ, "mtu"), "server-facing MTU too large",
				"%s mtu %d exceeds fabricMTU %d minus serverFacingMTUOffset %d = %d", typ, mtu, cfg.FabricMTU, cfg.ServerFacingMTUOffset, maxMTU)
		}
	}
	if s.Unbundled != nil {
		checkMTU(fabric.LinkUnbundled, s.Unbundled.MTU)
	}
	if s.Bundled != nil {
		checkMTU(fabric.LinkBundled, s.Bundled.MTU)
	}
	if s.ESLAG != nil {
		checkMTU(fabric.LinkESLAG, s.ESLAG.MTU)
	}
	if s.MCLAG != nil {
		checkMTU(fabric.LinkMCLAG, s.MCLAG.MTU)
	}
	check := func(ip string, p diag.Path) {
		a, ok := parseIP(ip)
		if ok && !pc.fabricSubnet.Contains(a) {
			b.Errorf(RuleFabricConnectionLinkIP, p, "link IP outside the fabric subnet",
				"%s is not in fabricSubnet %s", ip, pc.fabricSubnet)
		}
	}
	if s.Fabric != nil {
		for i, l := range s.Fabric.Links {
			p := diag.F("spec", "fabric", "links").Index(i)
			check(l.Spine.IP, p.Field("spine").Field("ip"))
			check(l.Leaf.IP, p.Field("leaf").Field("ip"))
		}
	}
	if s.Mesh != nil {
		for i, l := range s.Mesh.Links {
			p := diag.F("spec", "mesh", "links").Index(i)
			check(l.Leaf1.IP, p.Field("leaf1").Field("ip"))
			check(l.Leaf2.IP, p.Field("leaf2").Field("ip"))
		}
	}
	if s.Gateway != nil {
		for i, l := range s.Gateway.Links {
			p := diag.F("spec", "gateway", "links").Index(i)
			check(l.Switch.IP, p.Field("switch").Field("ip"))
			check(l.Gateway.IP, p.Field("gateway").Field("ip"))
		}
	}
	if se := s.StaticExternal; se != nil {
		for i, sub := range se.Link.Switch.Subnets {
			pf, err := netip.ParsePrefix(sub)
			if err != nil {
				continue
			}
			if pf.Bits() == 0 {
				// The default route (alone, as the spec stage requires) is not a subnet of the fabric's
				// address space: the fabric leaves it out of the reserved-subnet check.
				continue
			}
			pf = pf.Masked()
			for _, r := range pc.reserved {
				if r.Overlaps(pf) {
					b.Errorf(RuleFabricStaticExternalReserved, diag.F("spec", "staticExternal", "link", "switch", "subnets").Index(i),
						"static external subnet overlaps a reserved subnet", "subnet %s overlaps %s, reserved by the fabric configuration", pf, r)
					break
				}
			}
		}
	}
}

func overlapsReserved(pc *parsedConfig, p netip.Prefix) (netip.Prefix, bool) {
	for _, r := range pc.reserved {
		if r.Overlaps(p) {
			return r, true
		}
	}
	return netip.Prefix{}, false
}

package fabric

import (
	"cmp"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric/netx"
)

// Defaults the fabric applies.
const (
	DefaultNamespace        = "default"
	DefaultIPv4Namespace    = "default"
	DefaultVLANNamespace    = "default"
	DefaultSubnetName       = "default"
	DefaultDHCPInterfaceMTU = 9036
	DefaultDHCPLeaseSeconds = 3600
	// Switch linkFlapErrDisable defaults (CRD `default:` values).
	DefaultLinkFlapThreshold    = 3
	DefaultLinkFlapSampling     = 30
	DefaultLinkFlapRecovery     = 300
	switchSpeedPrefix           = "SPEED_"
	maxDHCPDefaultingPrefixBits = 30
)

// Default mutates o in place the way the fabric's admission defaulting does,
// so the provider can predict what the cluster returns. It is idempotent.
//
// Metadata labels the fabric adds (e.g. vpc/ipv4ns list labels) are NOT
// predicted: the provider must treat fabric-managed labels as computed.
//
// Rules (source: fabric v1beta1 Default() methods, RULES-NOTES, CRD defaults):
//   - all kinds: metadata.namespace "" -> "default".
//   - VPC: see defaultVPC.
//   - VPCAttachment: bare "vpc" subnet -> "vpc/default" ("vpc/" stays as is).
//   - External: ipv4Namespace "" -> "default".
//   - IPv4Namespace: subnets sorted (string order, sort.Strings).
//   - ExternalPeering: permit, permit.vpc, permit.external nil -> {} (value
//     structs in the fabric, always serialised); permit.vpc.subnets sorted;
//     permit.external.prefixes sorted by prefix string.
//   - VLANNamespace: see defaultVLANNamespace.
//   - Switch: see defaultSwitch.
//   - Other kinds: namespace only.
//
// Not done because the fabric code read does not do it: sorting VPC permit
// lists, VPCPeering subnets, Connection links or ExternalAttachment ACL
// statements. Unconfirmed (kept from the provider brief): Switch boot.mac
// normalisation. Labels: see above.
func Default(o Object) {
	if o == nil {
		return
	}
	if m := o.Meta(); m.Namespace == "" {
		m.Namespace = DefaultNamespace
	}
	switch t := o.(type) {
	case *VPC:
		defaultVPC(t)
	case *VPCAttachment:
		if v, _, hasSlash := strings.Cut(t.Spec.Subnet, "/"); v != "" && !hasSlash {
			t.Spec.Subnet = v + "/" + DefaultSubnetName
		}
	case *External:
		if t.Spec.IPv4Namespace == "" {
			t.Spec.IPv4Namespace = DefaultIPv4Namespace
		}
	case *IPv4Namespace:
		sort.Strings(t.Spec.Subnets)
	case *ExternalPeering:
		defaultExternalPeering(t)
	case *VLANNamespace:
		defaultVLANNamespace(t)
	case *Switch:
		defaultSwitch(t)
	}
}

// VPCSubnetName splits a VPCAttachment subnet reference "vpc/subnet"; a
// missing or empty subnet part means "default".
func VPCSubnetName(s string) (vpc, subnet string) {
	vpc, subnet, _ = strings.Cut(s, "/")
	if subnet == "" {
		subnet = DefaultSubnetName
	}
	return vpc, subnet
}

// defaultVPC mirrors VPC.Default():
//   - ipv4Namespace / vlanNamespace "" -> "default";
//   - subnet.dhcp nil -> {} (the fabric's DHCP field is a value struct, so the
//     cluster always returns `dhcp: {}`; samples serialised from the fabric types show it);
//   - per subnet whose CIDR parses: gateway "" and !hostBGP -> first host;
//     prefixes longer than /30 get no further DHCP defaulting;
//   - dhcp.enable false: dhcp.range and dhcp.options dropped (static leases kept,
//     the fabric rejects them);
//   - dhcp.enable true: range created if absent; start "" -> second host of the
//     subnet (the address after the DEFAULT gateway, as the fabric computes it
//     from the CIDR alone; with a custom gateway the start does not follow it);
//     end "" -> broadcast address (RULES-NOTES);
//   - dhcp.options are only filled when present, never created: an options
//     object with every field empty is dropped; otherwise interfaceMTU 0 -> 9036,
//     leaseTimeSeconds 0 -> 3600, dnsServers/timeServers sorted, advertisedRoutes
//     sorted by (destination, gateway);
//   - static lease keys normalised to lowercase colon MAC form (dhcp enabled only;
//     unparsable keys are left for validation).
func defaultVPC(v *VPC) {
	if v.Spec.IPv4Namespace == "" {
		v.Spec.IPv4Namespace = DefaultIPv4Namespace
	}
	if v.Spec.VLANNamespace == "" {
		v.Spec.VLANNamespace = DefaultVLANNamespace
	}
	for _, sub := range v.Spec.Subnets {
		if sub == nil {
			continue
		}
		if sub.DHCP == nil {
			sub.DHCP = &VPCDHCP{}
		}
		p, err := netip.ParsePrefix(sub.Subnet)
		if err != nil || !p.Addr().Is4() {
			continue
		}
		p = p.Masked()
		if sub.Gateway == "" && !sub.HostBGP {
			sub.Gateway = netx.FirstHost(p).String()
		}
		if p.Bits() > maxDHCPDefaultingPrefixBits {
			continue
		}
		d := sub.DHCP
		if !d.Enable {
			d.Range, d.Options = nil, nil
			continue
		}
		if d.Range == nil {
			d.Range = &VPCDHCPRange{}
		}
		if d.Range.Start == "" {
			d.Range.Start = netx.FirstHost(p).Next().String()
		}
		if d.Range.End == "" {
			d.Range.End = netx.Broadcast(p).String()
		}
		if opt := d.Options; opt != nil {
			if opt.PXEURL == "" && len(opt.DNSServers) == 0 && len(opt.TimeServers) == 0 &&
				opt.InterfaceMTU == 0 && opt.LeaseTimeSeconds == 0 && !opt.DisableDefaultRoute &&
				len(opt.AdvertisedRoutes) == 0 {
				d.Options = nil
			} else {
				if opt.InterfaceMTU == 0 {
					opt.InterfaceMTU = DefaultDHCPInterfaceMTU
				}
				if opt.LeaseTimeSeconds == 0 {
					opt.LeaseTimeSeconds = DefaultDHCPLeaseSeconds
				}
				sort.Strings(opt.DNSServers)
				sort.Strings(opt.TimeServers)
				slices.SortStableFunc(opt.AdvertisedRoutes, func(a, b VPCDHCPRoute) int {
					return cmp.Or(cmp.Compare(a.Destination, b.Destination), cmp.Compare(a.Gateway, b.Gateway))
				})
			}
		}
		for mac, st := range d.Static {
			norm, err := netx.NormalizeMAC(mac)
			if err != nil || norm == mac {
				continue
			}
			delete(d.Static, mac)
			d.Static[norm] = st
		}
	}
}

func defaultExternalPeering(p *ExternalPeering) {
	if p.Spec.Permit == nil {
		p.Spec.Permit = &ExternalPeeringPermit{}
	}
	if p.Spec.Permit.VPC == nil {
		p.Spec.Permit.VPC = &ExternalPeeringVPC{}
	}
	if p.Spec.Permit.External == nil {
		p.Spec.Permit.External = &ExternalPeeringExternal{}
	}
	sort.Strings(p.Spec.Permit.VPC.Subnets)
	slices.SortStableFunc(p.Spec.Permit.External.Prefixes, func(a, b ExternalPeeringPrefix) int {
		return cmp.Compare(a.Prefix, b.Prefix)
	})
}

// defaultVLANNamespace mirrors the fabric's NormalizedVLANRanges use: each
// range's `to` 0 -> `from`; if any range is then invalid (from < 1, from > to,
// to > 4094) ALL ranges are emptied (RULES-NOTES: accepted by the fabric, the
// provider should reject at plan); otherwise ranges are sorted by (from, to)
// in place (not merged).
func defaultVLANNamespace(ns *VLANNamespace) {
	r := ns.Spec.Ranges
	for i := range r {
		if r[i].To == 0 {
			r[i].To = r[i].From
		}
		if r[i].From > r[i].To || r[i].From < 1 || r[i].From > 4094 || r[i].To > 4094 {
			ns.Spec.Ranges = nil
			return
		}
	}
	slices.SortFunc(r, func(a, b VLANRange) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
}

// defaultSwitch mirrors Switch.Default():
//   - portSpeeds and portGroupSpeeds values lose a "SPEED_" prefix;
//   - vlanNamespaces empty -> ["default"];
//   - redundancy.group is appended to groups when missing;
//   - linkFlapErrDisable, when present: flapThreshold 3, samplingInterval 30,
//     recoveryInterval 300 when unset (CRD defaults);
//   - groups and vlanNamespaces sorted;
//   - boot.mac normalised to lowercase colon form (per the provider brief; NOT
//     seen in the fabric's Switch.Default() that was read — unconfirmed);
//   - boot, ecmp, redundancy nil -> {} (value structs in the fabric, always
//     serialised; samples from the fabric types show `ecmp: {}`/`redundancy: {}`).
func defaultSwitch(sw *Switch) {
	s := &sw.Spec
	for k, v := range s.PortSpeeds {
		s.PortSpeeds[k] = strings.TrimPrefix(v, switchSpeedPrefix)
	}
	for k, v := range s.PortGroupSpeeds {
		s.PortGroupSpeeds[k] = strings.TrimPrefix(v, switchSpeedPrefix)
	}
	if len(s.VLANNamespaces) == 0 {
		s.VLANNamespaces = []string{DefaultVLANNamespace}
	}
	if s.Boot == nil {
		s.Boot = &SwitchBoot{}
	}
	if s.ECMP == nil {
		s.ECMP = &SwitchECMP{}
	}
	if s.Redundancy == nil {
		s.Redundancy = &SwitchRedundancy{}
	}
	if g := s.Redundancy.Group; g != "" && !slices.Contains(s.Groups, g) {
		s.Groups = append(s.Groups, g)
	}
	if lf := s.LinkFlapErrDisable; lf != nil {
		if lf.FlapThreshold == nil {
			lf.FlapThreshold = new(int32(DefaultLinkFlapThreshold))
		}
		if lf.SamplingInterval == nil {
			lf.SamplingInterval = new(int32(DefaultLinkFlapSampling))
		}
		if lf.RecoveryInterval == nil {
			lf.RecoveryInterval = new(int32(DefaultLinkFlapRecovery))
		}
	}
	if s.Boot.MAC != "" {
		if m, err := netx.NormalizeMAC(s.Boot.MAC); err == nil {
			s.Boot.MAC = m
		}
	}
	sort.Strings(s.Groups)
	sort.Strings(s.VLANNamespaces)
}

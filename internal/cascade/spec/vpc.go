package spec

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric/netx"
)

// VPC limits enforced by the fabric.
const (
	maxVPCSubnets = 20
	minVLAN       = 1
	maxVLAN       = 4094
	minDHCPMTU    = 96
	maxDHCPMTU    = 9036
	maxSubnetBits = 30
)

func subnetPath(name string) diag.Path { return diag.F("spec", "subnets").Key(name) }

func dhcpPath(name string) diag.Path { return subnetPath(name).Field("dhcp") }

// subnetFacts is what later rules need to know about one parsed subnet.
type subnetFacts struct {
	prefix    netip.Prefix
	prefixOK  bool
	gateway   netip.Addr
	gatewayOK bool
}

func validateVPC(b *diag.Builder, o *fabric.VPC) {
	s := &o.Spec
	if strings.HasPrefix(o.Metadata.Name, "ext.") {
		b.Errorf("vpc.name.ext-prefix", diag.F("metadata", "name"), "VPC name must not start with \"ext.\"",
			"VPC name %q starts with \"ext.\", which the fabric reserves for externals. Rename the VPC.", o.Metadata.Name)
	}
	if s.Mode != "" && s.Mode != "l3vni" {
		b.Errorf("vpc.mode", diag.F("spec", "mode"), "unsupported VPC mode",
			"mode %q is not supported: use \"\" (L2VNI, the default) or \"l3vni\"; the fabric rejects other modes such as \"l3flat\".", s.Mode)
	}
	if s.IPv4Namespace == "" {
		b.Errorf("vpc.ipv4-namespace.required", diag.F("spec", "ipv4Namespace"), "ipv4Namespace is required",
			"a VPC allocates its subnets from an IPv4Namespace; set ipv4Namespace (the fabric's default is \"default\").")
	}
	if s.VLANNamespace == "" {
		b.Errorf("vpc.vlan-namespace.required", diag.F("spec", "vlanNamespace"), "vlanNamespace is required",
			"a VPC takes its subnet VLANs from a VLANNamespace; set vlanNamespace (the fabric's default is \"default\").")
	}
	if n := len(s.Subnets); n < 1 || n > maxVPCSubnets {
		b.Errorf("vpc.subnets.count", diag.F("spec", "subnets"), "a VPC needs 1 to 20 subnets",
			"the VPC has %d subnets; the fabric requires at least 1 and at most %d. Add or remove subnets.", n, maxVPCSubnets)
	}

	// Subnet names in sorted order so findings are deterministic.
	var nameBuf [maxVPCSubnets]string
	names := nameBuf[:0]
	for name := range s.Subnets {
		names = append(names, name)
	}
	slices.Sort(names)

	var spanBuf [maxVPCSubnets]span
	spans := spanBuf[:0]
	type vlanUse struct {
		vlan uint16
		idx  int
	}
	var vlanBuf [maxVPCSubnets]vlanUse
	vlans := vlanBuf[:0]

	for i, name := range names {
		sub := s.Subnets[name]
		if sub == nil {
			sub = &fabric.VPCSubnet{}
		}
		f := validateSubnet(b, name, sub)
		if f.prefixOK {
			lo, hi := bounds(f.prefix)
			spans = append(spans, span{lo: lo, hi: hi, idx: i})
		}
		if !sub.HostBGP && sub.VLAN != 0 {
			vlans = append(vlans, vlanUse{sub.VLAN, i})
		}
	}

	slices.SortFunc(vlans, func(a, b vlanUse) int {
		if c := cmp.Compare(a.vlan, b.vlan); c != 0 {
			return c
		}
		return cmp.Compare(a.idx, b.idx)
	})
	for i := 1; i < len(vlans); i++ {
		if vlans[i].vlan == vlans[i-1].vlan {
			b.Errorf("vpc.subnet.vlan-duplicate", subnetPath(names[vlans[i].idx]).Field("vlan"), "VLAN is used by another subnet of the VPC",
				"subnets %q and %q both use VLAN %d; every subnet of a VPC needs its own VLAN. Pick a different VLAN.", names[vlans[i-1].idx], names[vlans[i].idx], vlans[i].vlan)
		}
	}
	for _, p := range overlapPairs(spans) {
		b.Errorf("vpc.subnet.overlap", subnetPath(names[p[1]]).Field("subnet"), "subnet overlaps another subnet of the VPC",
			"subnet %q (%s) overlaps subnet %q (%s); the subnets of a VPC must not overlap. Change one of the CIDRs.",
			names[p[1]], s.Subnets[names[p[1]]].Subnet, names[p[0]], s.Subnets[names[p[0]]].Subnet)
	}

	validatePermits(b, s)
	validateStaticRoutes(b, s)
}

func validateSubnet(b *diag.Builder, name string, sub *fabric.VPCSubnet) subnetFacts {
	var f subnetFacts
	switch p, ok := parsePrefix4(sub.Subnet); {
	case sub.Subnet == "":
		b.Errorf("vpc.subnet.cidr", subnetPath(name).Field("subnet"), "subnet CIDR is required",
			"subnet %q has no CIDR; set subnet to an IPv4 CIDR such as 10.0.1.0/24.", name)
	case !ok:
		b.Errorf("vpc.subnet.cidr", subnetPath(name).Field("subnet"), "subnet is not an IPv4 CIDR",
			"subnet %q: %q is not an IPv4 CIDR; write it like 10.0.1.0/24.", name, sub.Subnet)
	default:
		f.prefix, f.prefixOK = p, true
		if !isCanonical(p) {
			b.Errorf("vpc.subnet.canonical", subnetPath(name).Field("subnet"), "subnet CIDR is not canonical",
				"subnet %q: %s has host bits set; the fabric expects the network address. Use %s.", name, sub.Subnet, p.Masked())
		}
		if p.Bits() > maxSubnetBits {
			b.Errorf("vpc.subnet.prefix-length", subnetPath(name).Field("subnet"), "subnet prefix is longer than /30",
				"subnet %q: %s has prefix length %d; the fabric requires /30 or shorter so the subnet has room for a gateway and hosts.", name, sub.Subnet, p.Bits())
		}
	}

	d := sub.DHCP
	if sub.HostBGP {
		if d != nil && d.Enable {
			b.Errorf("vpc.subnet.hostbgp-dhcp", dhcpPath(name).Field("enable"), "DHCP cannot be enabled on a hostBGP subnet",
				"subnet %q uses hostBGP, where hosts announce their own addresses; the fabric rejects DHCP on such subnets. Disable DHCP.", name)
		}
	} else {
		switch gw, ok := parseAddr4(sub.Gateway); {
		case !ok:
			b.Errorf("vpc.subnet.gateway-ip", subnetPath(name).Field("gateway"), "gateway is not an IPv4 address",
				"subnet %q: gateway %q is not an IPv4 address; set it to an address inside the subnet (by default the first one).", name, sub.Gateway)
		default:
			f.gateway, f.gatewayOK = gw, true
			if f.prefixOK && !f.prefix.Contains(gw) {
				b.Errorf("vpc.subnet.gateway-inside", subnetPath(name).Field("gateway"), "gateway is outside the subnet",
					"subnet %q: gateway %s is not inside %s; the fabric requires the gateway to be an address of the subnet.", name, sub.Gateway, sub.Subnet)
			}
		}
		switch {
		case sub.VLAN == 0:
			b.Errorf("vpc.subnet.vlan-required", subnetPath(name).Field("vlan"), "VLAN is required",
				"subnet %q is not a hostBGP subnet, so it needs a VLAN (1-4094) to attach servers.", name)
		case sub.VLAN > maxVLAN:
			b.Errorf("vpc.subnet.vlan-range", subnetPath(name).Field("vlan"), "VLAN is out of range",
				"subnet %q: VLAN %d is not in 1-4094.", name, sub.VLAN)
		}
	}
	if d != nil {
		validateDHCP(b, name, sub, d, f)
	}
	return f
}

func validateDHCP(b *diag.Builder, name string, sub *fabric.VPCSubnet, d *fabric.VPCDHCP, f subnetFacts) {
	if d.Relay != "" {
		if d.Enable {
			b.Errorf("vpc.subnet.dhcp.relay-exclusive", dhcpPath(name).Field("relay"), "DHCP relay and DHCP server are exclusive",
				"subnet %q enables the fabric's DHCP server and a DHCP relay at once; the fabric allows only one. Disable dhcp.enable or remove dhcp.relay.", name)
		}
		if _, ok := parsePrefix4(d.Relay); !ok {
			b.Errorf("vpc.subnet.dhcp.relay-prefix", dhcpPath(name).Field("relay"), "DHCP relay is not an IPv4 prefix",
				"subnet %q: relay %q must be an IPv4 prefix such as 10.99.0.10/32.", name, d.Relay)
		}
	} else if d.RelayVPC != "" {
		b.Errorf("vpc.subnet.dhcp.relay-vpc", dhcpPath(name).Field("relayVPC"), "relayVPC needs a DHCP relay",
			"subnet %q sets relayVPC %q but no relay; set dhcp.relay or remove relayVPC.", name, d.RelayVPC)
	}

	if !d.Enable {
		if len(d.Static) > 0 {
			b.Errorf("vpc.subnet.dhcp.static-without-dhcp", dhcpPath(name).Field("static"), "static leases need DHCP enabled",
				"subnet %q has static DHCP leases but DHCP is disabled; the fabric rejects this. Enable DHCP or remove the static leases.", name)
		}
		if d.Range != nil && (d.Range.Start != "" || d.Range.End != "") {
			b.Warnf("vpc.subnet.dhcp.ignored-when-disabled", dhcpPath(name).Field("range"), "DHCP range is ignored while DHCP is disabled",
				"subnet %q sets a DHCP range but DHCP is disabled; the fabric drops it. Enable DHCP or remove the range.", name)
		}
		if d.Options != nil {
			b.Warnf("vpc.subnet.dhcp.ignored-when-disabled", dhcpPath(name).Field("options"), "DHCP options are ignored while DHCP is disabled",
				"subnet %q sets DHCP options but DHCP is disabled; the fabric drops them. Enable DHCP or remove the options.", name)
		}
		return
	}

	r := d.Range
	if r == nil || r.Start == "" || r.End == "" {
		p := dhcpPath(name).Field("range") // the finding sits on the missing end, or on the range when both are missing
		switch {
		case r != nil && r.Start != "":
			p = p.Field("end")
		case r != nil && r.End != "":
			p = p.Field("start")
		}
		b.Errorf("vpc.subnet.dhcp.range-required", p, "DHCP range start and end are required",
			"subnet %q enables DHCP without a complete range; set dhcp.range.start and dhcp.range.end (the fabric defaults them from the subnet).", name)
	}
	var start, end netip.Addr
	var startOK, endOK bool
	if r != nil {
		start, startOK = checkRangeEnd(b, name, "start", r.Start, f)
		end, endOK = checkRangeEnd(b, name, "end", r.End, f)
	}
	if startOK && endOK && !start.Less(end) {
		b.Errorf("vpc.subnet.dhcp.range-order", dhcpPath(name).Field("range"), "DHCP range start is not before its end",
			"subnet %q: range start %s must come before end %s. Swap or correct them.", name, r.Start, r.End)
	}

	if o := d.Options; o != nil {
		op := func() diag.Path { return dhcpPath(name).Field("options") }
		for i, s := range o.DNSServers {
			if _, ok := parseAddr4(s); !ok {
				b.Errorf("vpc.subnet.dhcp.dns-ip", op().Field("dnsServers").Index(i), "DNS server is not an IPv4 address",
					"subnet %q: DNS server %q is not an IPv4 address.", name, s)
			}
		}
		for i, s := range o.TimeServers {
			if _, ok := parseAddr4(s); !ok {
				b.Errorf("vpc.subnet.dhcp.ntp-ip", op().Field("timeServers").Index(i), "time server is not an IPv4 address",
					"subnet %q: time server %q is not an IPv4 address.", name, s)
			}
		}
		if o.InterfaceMTU < minDHCPMTU || o.InterfaceMTU > maxDHCPMTU {
			b.Errorf("vpc.subnet.dhcp.mtu", op().Field("interfaceMTU"), "interface MTU is out of range",
				"subnet %q: interfaceMTU %d is not in %d-%d, the range the fabric accepts.", name, o.InterfaceMTU, minDHCPMTU, maxDHCPMTU)
		}
		if o.LeaseTimeSeconds < 1 {
			b.Errorf("vpc.subnet.dhcp.lease", op().Field("leaseTimeSeconds"), "lease time must be at least 1 second",
				"subnet %q: leaseTimeSeconds is %d; set it to 1 or more (0 is defaulted to 3600).", name, o.LeaseTimeSeconds)
		}
		for i, rt := range o.AdvertisedRoutes {
			if _, ok := parsePrefix4(rt.Destination); !ok {
				b.Errorf("vpc.subnet.dhcp.route-destination", op().Field("advertisedRoutes").Index(i).Field("destination"), "advertised route destination is not an IPv4 CIDR",
					"subnet %q: advertised route destination %q must be an IPv4 CIDR such as 10.20.0.0/16.", name, rt.Destination)
			}
			gw, ok := parseAddr4(rt.Gateway)
			switch {
			case !ok:
				b.Errorf("vpc.subnet.dhcp.route-gateway", op().Field("advertisedRoutes").Index(i).Field("gateway"), "advertised route gateway is not an IPv4 address",
					"subnet %q: advertised route gateway %q must be an IPv4 address inside the subnet.", name, rt.Gateway)
			case f.prefixOK && !f.prefix.Contains(gw):
				b.Errorf("vpc.subnet.dhcp.route-gateway", op().Field("advertisedRoutes").Index(i).Field("gateway"), "advertised route gateway is outside the subnet",
					"subnet %q: advertised route gateway %s is not inside %s; clients can only reach gateways on their own subnet.", name, rt.Gateway, sub.Subnet)
			}
		}
	}

	if len(d.Static) > 0 {
		validateStaticLeases(b, name, d.Static, f)
	}
}

// checkRangeEnd checks one end ("start" or "end") of a DHCP range.
func checkRangeEnd(b *diag.Builder, name, which, value string, f subnetFacts) (netip.Addr, bool) {
	if value == "" {
		return netip.Addr{}, false
	}
	path := func() diag.Path { return dhcpPath(name).Field("range").Field(which) }
	a, ok := parseAddr4(value)
	switch {
	case !ok:
		b.Errorf("vpc.subnet.dhcp.range-ip", path(), "DHCP range "+which+" is not an IPv4 address",
			"subnet %q: range %s %q is not an IPv4 address.", name, which, value)
		return a, false
	case f.prefixOK && !f.prefix.Contains(a):
		b.Errorf("vpc.subnet.dhcp.range-inside", path(), "DHCP range "+which+" is outside the subnet",
			"subnet %q: range %s %s is not inside %s; the DHCP range must lie within the subnet.", name, which, value, f.prefix)
	case f.prefixOK && a == f.prefix.Masked().Addr():
		b.Errorf("vpc.subnet.dhcp.range-network", path(), "DHCP range "+which+" is the network address",
			"subnet %q: range %s %s is the subnet's network address, which cannot be leased. Start the range after the gateway.", name, which, value)
	case f.gatewayOK && a == f.gateway:
		b.Errorf("vpc.subnet.dhcp.range-gateway", path(), "DHCP range "+which+" is the gateway address",
			"subnet %q: range %s %s is the gateway, which cannot be leased. Move the range away from the gateway.", name, which, value)
	}
	return a, true
}

func validateStaticLeases(b *diag.Builder, name string, static map[string]fabric.VPCDHCPStatic, f subnetFacts) {
	macs := make([]string, 0, len(static))
	for mac := range static {
		macs = append(macs, mac)
	}
	slices.Sort(macs)
	type lease struct {
		ip  netip.Addr
		mac string
	}
	leases := make([]lease, 0, len(macs))
	for _, mac := range macs {
		ipStr := static[mac].IP
		path := func() diag.Path { return dhcpPath(name).Field("static").Key(mac) }
		if !isMAC(mac) {
			b.Errorf("vpc.subnet.dhcp.static-mac", path(), "static lease key is not a MAC address",
				"subnet %q: static lease key %q must be a MAC address such as 0c:20:12:fe:01:00.", name, mac)
		}
		ip, ok := parseAddr4(ipStr)
		if !ok {
			b.Errorf("vpc.subnet.dhcp.static-ip", path().Field("ip"), "static lease IP is not an IPv4 address",
				"subnet %q: static lease for %s has IP %q, which is not an IPv4 address.", name, mac, ipStr)
			continue
		}
		switch {
		case f.prefixOK && !f.prefix.Contains(ip):
			b.Errorf("vpc.subnet.dhcp.static-inside", path().Field("ip"), "static lease IP is outside the subnet",
				"subnet %q: static IP %s for %s is not inside %s.", name, ipStr, mac, f.prefix)
		case f.prefixOK && ip == f.prefix.Masked().Addr():
			b.Errorf("vpc.subnet.dhcp.static-reserved", path().Field("ip"), "static lease IP is the network address",
				"subnet %q: static IP %s for %s is the subnet's network address; pick a host address.", name, ipStr, mac)
		case f.gatewayOK && ip == f.gateway:
			b.Errorf("vpc.subnet.dhcp.static-reserved", path().Field("ip"), "static lease IP is the gateway address",
				"subnet %q: static IP %s for %s is the gateway; pick another host address.", name, ipStr, mac)
		case f.prefixOK && ip == netx.Broadcast(f.prefix):
			b.Errorf("vpc.subnet.dhcp.static-reserved", path().Field("ip"), "static lease IP is the broadcast address",
				"subnet %q: static IP %s for %s is the subnet's broadcast address; pick a host address.", name, ipStr, mac)
		}
		leases = append(leases, lease{ip, mac})
	}
	slices.SortStableFunc(leases, func(a, b lease) int { return a.ip.Compare(b.ip) })
	for i := 1; i < len(leases); i++ {
		if leases[i].ip == leases[i-1].ip {
			b.Errorf("vpc.subnet.dhcp.static-unique", dhcpPath(name).Field("static").Key(leases[i].mac).Field("ip"), "static lease IP is assigned twice",
				"subnet %q: IP %s is assigned to both %s and %s; each static IP must belong to one MAC.", name, leases[i].ip, leases[i-1].mac, leases[i].mac)
		}
	}
}

func validatePermits(b *diag.Builder, s *fabric.VPCSpec) {
	for i, permit := range s.Permit {
		if len(permit) < 2 {
			b.Errorf("vpc.permit.size", diag.F("spec", "permit").Index(i), "permit policy needs at least 2 subnets",
				"permit policy #%d lists %d subnet(s); a policy allows traffic between subnets, so list at least 2.", i, len(permit))
		}
		for j, sn := range permit {
			if _, ok := s.Subnets[sn]; !ok {
				b.Errorf("vpc.permit.subnet-unknown", diag.F("spec", "permit").Index(i).Index(j), "permit policy names an unknown subnet",
					"permit policy #%d names subnet %q, which is not a subnet of this VPC.", i, sn)
			}
			for k := 0; k < j; k++ {
				if permit[k] == sn {
					b.Errorf("vpc.permit.duplicate", diag.F("spec", "permit").Index(i).Index(j), "permit policy lists a subnet twice",
						"permit policy #%d lists subnet %q more than once; remove the duplicate.", i, sn)
					break
				}
			}
		}
	}
}

func validateStaticRoutes(b *diag.Builder, s *fabric.VPCSpec) {
	for i, rt := range s.StaticRoutes {
		path := func() diag.Path { return diag.F("spec", "staticRoutes").Index(i) }
		p, ok := parsePrefix4(rt.Prefix)
		switch {
		case !ok:
			b.Errorf("vpc.static-route.prefix", path().Field("prefix"), "static route prefix is not an IPv4 CIDR",
				"static route #%d: prefix %q must be an IPv4 CIDR such as 10.50.0.0/16.", i, rt.Prefix)
		case !isCanonical(p):
			b.Errorf("vpc.static-route.canonical", path().Field("prefix"), "static route prefix is not canonical",
				"static route #%d: %s has host bits set (inconsistent IP address and mask); use %s.", i, rt.Prefix, p.Masked())
		}
		if len(rt.NextHops) == 0 {
			b.Errorf("vpc.static-route.next-hops", path().Field("nextHops"), "static route needs at least one next hop",
				"static route #%d has no next hops; add at least one next-hop IP.", i)
		}
		for j, nh := range rt.NextHops {
			if _, ok := parseAddr4(nh); !ok {
				b.Errorf("vpc.static-route.next-hop-ip", path().Field("nextHops").Index(j), "next hop is not an IPv4 address",
					"static route #%d: next hop %q is not an IPv4 address.", i, nh)
			}
		}
	}
}

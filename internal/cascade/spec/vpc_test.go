package spec

import (
	"fmt"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// baseVPC is a valid VPC exercising most fields.
func baseVPC() *fabric.VPC {
	return &fabric.VPC{
		Kind:     fabric.KindVPC,
		Metadata: meta("vpc-1"),
		Spec: fabric.VPCSpec{
			Subnets: map[string]*fabric.VPCSubnet{
				"default": {
					Subnet: "10.0.1.0/24", Gateway: "10.0.1.1", VLAN: 1001,
					DHCP: &fabric.VPCDHCP{
						Enable: true,
						Range:  &fabric.VPCDHCPRange{Start: "10.0.1.10", End: "10.0.1.99"},
						Options: &fabric.VPCDHCPOptions{
							InterfaceMTU: 9036, LeaseTimeSeconds: 3600,
							DNSServers: []string{"1.1.1.1"}, TimeServers: []string{"10.0.1.5"},
							AdvertisedRoutes: []fabric.VPCDHCPRoute{{Destination: "10.50.0.0/16", Gateway: "10.0.1.2"}},
						},
						Static: map[string]fabric.VPCDHCPStatic{"0c:20:12:fe:01:00": {IP: "10.0.1.200"}},
					},
				},
				"backend": {Subnet: "10.0.2.0/24", VLAN: 1002, Isolated: new(true)},
				"bgp":     {Subnet: "10.0.3.0/24", HostBGP: true},
			},
			Permit:       [][]string{{"default", "backend"}},
			StaticRoutes: []fabric.VPCStaticRoute{{Prefix: "10.60.0.0/16", NextHops: []string{"10.0.1.3"}}},
		},
	}
}

func vpcWith(f func(v *fabric.VPC)) func() fabric.Object {
	return func() fabric.Object {
		v := baseVPC()
		f(v)
		return v
	}
}

func def(v *fabric.VPC) *fabric.VPCSubnet { return v.Spec.Subnets["default"] }

const dp = `spec.subnets["default"].dhcp`

func TestVPCRules(t *testing.T) {
	runCases(t, []tcase{
		{name: "vpc.name.ext-prefix accepts ext inside", rule: "vpc.name.ext-prefix", obj: vpcWith(func(v *fabric.VPC) { v.Metadata.Name = "my-ext" }), ok: true},
		{name: "vpc.name.ext-prefix rejects", rule: "vpc.name.ext-prefix", obj: vpcWith(func(v *fabric.VPC) { v.Metadata.Name = "ext.v1" }), path: "metadata.name", msg: "ext."},
		{name: "meta.name.length rejects long vpc", rule: RuleNameLength, obj: vpcWith(func(v *fabric.VPC) { v.Metadata.Name = "vpc-long-name" }), path: "metadata.name", msg: "vpc-long-name"},
		{name: "vpc.mode accepts l3vni", rule: "vpc.mode", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Mode = "l3vni" }), ok: true},
		{name: "vpc.mode rejects l3flat", rule: "vpc.mode", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Mode = "l3flat" }), path: "spec.mode", msg: "l3flat"},
		{name: "vpc.ipv4-namespace.required defaulted", rule: "vpc.ipv4-namespace.required", obj: vpcWith(func(v *fabric.VPC) {}), ok: true},
		{name: "vpc.ipv4-namespace.required raw", rule: "vpc.ipv4-namespace.required", raw: true, obj: vpcWith(func(v *fabric.VPC) { v.Spec.VLANNamespace = "default" }), path: "spec.ipv4Namespace", msg: "ipv4Namespace"},
		{name: "vpc.vlan-namespace.required defaulted", rule: "vpc.vlan-namespace.required", obj: vpcWith(func(v *fabric.VPC) {}), ok: true},
		{name: "vpc.vlan-namespace.required raw", rule: "vpc.vlan-namespace.required", raw: true, obj: vpcWith(func(v *fabric.VPC) { v.Spec.IPv4Namespace = "default" }), path: "spec.vlanNamespace", msg: "vlanNamespace"},
		{name: "vpc.subnets.count rejects none", rule: "vpc.subnets.count", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Subnets = nil; v.Spec.Permit = nil }), path: "spec.subnets", msg: "has 0 subnets"},
		{name: "vpc.subnets.count accepts 20", rule: "vpc.subnets.count", obj: vpcWith(func(v *fabric.VPC) { manySubnets(v, 20) }), ok: true},
		{name: "vpc.subnets.count rejects 21", rule: "vpc.subnets.count", obj: vpcWith(func(v *fabric.VPC) { manySubnets(v, 21) }), path: "spec.subnets", msg: "has 21 subnets"},

		{name: "vpc.subnet.cidr rejects garbage", rule: "vpc.subnet.cidr", obj: vpcWith(func(v *fabric.VPC) { def(v).Subnet = "10.0.1/24" }), path: `spec.subnets["default"].subnet`, msg: "not an IPv4 CIDR"},
		{name: "vpc.subnet.cidr rejects missing", rule: "vpc.subnet.cidr", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Subnets["backend"].Subnet = "" }), path: `spec.subnets["backend"].subnet`, msg: "required"},
		{name: "vpc.subnet.cidr rejects ipv6", rule: "vpc.subnet.cidr", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Subnets["backend"].Subnet = "fd00::/64" }), path: `spec.subnets["backend"].subnet`, msg: "fd00::/64"},
		{name: "vpc.subnet.cidr accepts base", rule: "vpc.subnet.cidr", obj: vpcWith(func(v *fabric.VPC) {}), ok: true},
		{name: "vpc.subnet.canonical rejects host bits", rule: "vpc.subnet.canonical", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Subnets["backend"].Subnet = "10.0.2.5/24" }), path: `spec.subnets["backend"].subnet`, msg: "10.0.2.0/24"},
		{name: "vpc.subnet.canonical accepts /30", rule: "vpc.subnet.canonical", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Subnets["backend"].Subnet = "10.0.2.4/30" }), ok: true},
		{name: "vpc.subnet.prefix-length rejects /31", rule: "vpc.subnet.prefix-length", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Subnets["backend"].Subnet = "10.0.2.4/31" }), path: `spec.subnets["backend"].subnet`, msg: "/30 or shorter"},
		{name: "vpc.subnet.prefix-length accepts /30", rule: "vpc.subnet.prefix-length", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Subnets["backend"].Subnet = "10.0.2.0/30" }), ok: true},
		{name: "vpc.subnet.hostbgp-dhcp rejects", rule: "vpc.subnet.hostbgp-dhcp", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Subnets["bgp"].DHCP = &fabric.VPCDHCP{Enable: true} }), path: `spec.subnets["bgp"].dhcp.enable`, msg: "hostBGP"},
		{name: "vpc.subnet.hostbgp-dhcp accepts hostBGP without vlan or dhcp", rule: "vpc.subnet.hostbgp-dhcp", obj: vpcWith(func(v *fabric.VPC) {}), ok: true},
		{name: "vpc.subnet.gateway-ip rejects", rule: "vpc.subnet.gateway-ip", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Subnets["backend"].Gateway = "10.0.2" }), path: `spec.subnets["backend"].gateway`, msg: "not an IPv4 address"},
		{name: "vpc.subnet.gateway-ip accepts defaulted gateway", rule: "vpc.subnet.gateway-ip", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Subnets["backend"].Gateway = "" }), ok: true},
		{name: "vpc.subnet.gateway-inside rejects", rule: "vpc.subnet.gateway-inside", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Subnets["backend"].Gateway = "10.0.3.1" }), path: `spec.subnets["backend"].gateway`, msg: "not inside 10.0.2.0/24"},
		{name: "vpc.subnet.gateway-inside accepts custom gateway", rule: "vpc.subnet.gateway-inside", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Subnets["backend"].Gateway = "10.0.2.254" }), ok: true},
		{name: "vpc.subnet.vlan-required rejects", rule: "vpc.subnet.vlan-required", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Subnets["backend"].VLAN = 0 }), path: `spec.subnets["backend"].vlan`, msg: "needs a VLAN"},
		{name: "vpc.subnet.vlan-required accepts vlan 1", rule: "vpc.subnet.vlan-required", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Subnets["backend"].VLAN = 1 }), ok: true},
		{name: "vpc.subnet.vlan-range rejects 4095", rule: "vpc.subnet.vlan-range", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Subnets["backend"].VLAN = 4095 }), path: `spec.subnets["backend"].vlan`, msg: "4095"},
		{name: "vpc.subnet.vlan-range accepts 4094", rule: "vpc.subnet.vlan-range", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Subnets["backend"].VLAN = 4094 }), ok: true},
		{name: "vpc.subnet.vlan-duplicate rejects", rule: "vpc.subnet.vlan-duplicate", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Subnets["default"].VLAN = 1002 }), path: `spec.subnets["default"].vlan`, msg: `"backend" and "default" both use VLAN 1002`},
		{name: "vpc.subnet.vlan-duplicate ignores hostBGP vlan", rule: "vpc.subnet.vlan-duplicate", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Subnets["bgp"].VLAN = 1001 }), ok: true},
		{name: "vpc.subnet.overlap rejects contained", rule: "vpc.subnet.overlap", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Subnets["bgp"].Subnet = "10.0.0.0/16" }), path: `spec.subnets["default"].subnet`, msg: `overlaps subnet "bgp"`},
		{name: "vpc.subnet.overlap rejects equal", rule: "vpc.subnet.overlap", obj: vpcWith(func(v *fabric.VPC) {
			v.Spec.Subnets["backend"].Subnet = "10.0.1.0/24"
		}), path: `spec.subnets["default"].subnet`, msg: `overlaps subnet "backend"`},
		{name: "vpc.subnet.overlap accepts adjacent", rule: "vpc.subnet.overlap", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Subnets["bgp"].Subnet = "10.0.0.0/24" }), ok: true},

		{name: "vpc.subnet.dhcp.relay-exclusive rejects", rule: "vpc.subnet.dhcp.relay-exclusive", obj: vpcWith(func(v *fabric.VPC) { def(v).DHCP.Relay = "10.99.0.1/32" }), path: dp + ".relay", msg: "only one"},
		{name: "vpc.subnet.dhcp.relay-exclusive accepts relay alone", rule: "vpc.subnet.dhcp.relay-exclusive", obj: vpcWith(func(v *fabric.VPC) {
			v.Spec.Subnets["backend"].DHCP = &fabric.VPCDHCP{Relay: "10.99.0.1/32", RelayVPC: "vpc-2"}
		}), ok: true},
		{name: "vpc.subnet.dhcp.relay-prefix rejects bare IP", rule: "vpc.subnet.dhcp.relay-prefix", obj: vpcWith(func(v *fabric.VPC) {
			v.Spec.Subnets["backend"].DHCP = &fabric.VPCDHCP{Relay: "10.99.0.1"}
		}), path: `spec.subnets["backend"].dhcp.relay`, msg: "IPv4 prefix"},
		{name: "vpc.subnet.dhcp.relay-prefix accepts prefix", rule: "vpc.subnet.dhcp.relay-prefix", obj: vpcWith(func(v *fabric.VPC) {
			v.Spec.Subnets["backend"].DHCP = &fabric.VPCDHCP{Relay: "10.99.0.0/24"}
		}), ok: true},
		{name: "vpc.subnet.dhcp.relay-vpc rejects", rule: "vpc.subnet.dhcp.relay-vpc", obj: vpcWith(func(v *fabric.VPC) {
			v.Spec.Subnets["backend"].DHCP = &fabric.VPCDHCP{RelayVPC: "vpc-2"}
		}), path: `spec.subnets["backend"].dhcp.relayVPC`, msg: "no relay"},
		{name: "vpc.subnet.dhcp.relay-vpc accepts with relay", rule: "vpc.subnet.dhcp.relay-vpc", obj: vpcWith(func(v *fabric.VPC) {
			v.Spec.Subnets["backend"].DHCP = &fabric.VPCDHCP{Relay: "10.99.0.1/32", RelayVPC: "vpc-2"}
		}), ok: true},
		{name: "vpc.subnet.dhcp.static-without-dhcp rejects", rule: "vpc.subnet.dhcp.static-without-dhcp", obj: vpcWith(func(v *fabric.VPC) { def(v).DHCP.Enable = false }), path: dp + ".static", msg: "DHCP is disabled"},
		{name: "vpc.subnet.dhcp.static-without-dhcp accepts range and options dropped", rule: "vpc.subnet.dhcp.static-without-dhcp", obj: vpcWith(func(v *fabric.VPC) {
			def(v).DHCP.Enable = false
			def(v).DHCP.Static = nil
		}), ok: true},
		{name: "vpc.subnet.dhcp.range-required rejects raw", rule: "vpc.subnet.dhcp.range-required", raw: true, obj: vpcWith(func(v *fabric.VPC) {
			v.Spec.IPv4Namespace, v.Spec.VLANNamespace = "default", "default"
			def(v).DHCP.Range = nil
		}), path: dp + ".range", msg: "complete range"},
		{name: "vpc.subnet.dhcp.range-required rejects raw missing end on the end", rule: "vpc.subnet.dhcp.range-required", raw: true, obj: vpcWith(func(v *fabric.VPC) {
			v.Spec.IPv4Namespace, v.Spec.VLANNamespace = "default", "default"
			def(v).DHCP.Range.End = ""
		}), path: dp + ".range.end", msg: "complete range"},
		{name: "vpc.subnet.dhcp.range-required rejects raw missing start on the start", rule: "vpc.subnet.dhcp.range-required", raw: true, obj: vpcWith(func(v *fabric.VPC) {
			v.Spec.IPv4Namespace, v.Spec.VLANNamespace = "default", "default"
			def(v).DHCP.Range.Start = ""
		}), path: dp + ".range.start", msg: "complete range"},
		{name: "vpc.subnet.dhcp.range-required accepts defaulted", rule: "vpc.subnet.dhcp.range-required", obj: vpcWith(func(v *fabric.VPC) { def(v).DHCP.Range = nil }), ok: true},
		{name: "vpc.subnet.dhcp.range-ip rejects", rule: "vpc.subnet.dhcp.range-ip", obj: vpcWith(func(v *fabric.VPC) { def(v).DHCP.Range.Start = "10.0.1.x" }), path: dp + ".range.start", msg: "not an IPv4 address"},
		{name: "vpc.subnet.dhcp.range-ip accepts", rule: "vpc.subnet.dhcp.range-ip", obj: vpcWith(func(v *fabric.VPC) { def(v).DHCP.Range.Start = "10.0.1.2" }), ok: true},
		{name: "vpc.subnet.dhcp.range-inside rejects end", rule: "vpc.subnet.dhcp.range-inside", obj: vpcWith(func(v *fabric.VPC) { def(v).DHCP.Range.End = "10.0.2.10" }), path: dp + ".range.end", msg: "not inside 10.0.1.0/24"},
		{name: "vpc.subnet.dhcp.range-inside accepts broadcast end", rule: "vpc.subnet.dhcp.range-inside", obj: vpcWith(func(v *fabric.VPC) { def(v).DHCP.Range.End = "10.0.1.255" }), ok: true},
		{name: "vpc.subnet.dhcp.range-network rejects start", rule: "vpc.subnet.dhcp.range-network", obj: vpcWith(func(v *fabric.VPC) { def(v).DHCP.Range.Start = "10.0.1.0" }), path: dp + ".range.start", msg: "network address"},
		{name: "vpc.subnet.dhcp.range-network accepts", rule: "vpc.subnet.dhcp.range-network", obj: vpcWith(func(v *fabric.VPC) { def(v).DHCP.Range.Start = "10.0.1.2" }), ok: true},
		{name: "vpc.subnet.dhcp.range-gateway rejects start", rule: "vpc.subnet.dhcp.range-gateway", obj: vpcWith(func(v *fabric.VPC) { def(v).DHCP.Range.Start = "10.0.1.1" }), path: dp + ".range.start", msg: "gateway"},
		{name: "vpc.subnet.dhcp.range-gateway rejects end at custom gateway", rule: "vpc.subnet.dhcp.range-gateway", obj: vpcWith(func(v *fabric.VPC) {
			def(v).Gateway = "10.0.1.254"
			def(v).DHCP.Range.End = "10.0.1.254"
		}), path: dp + ".range.end", msg: "gateway"},
		{name: "vpc.subnet.dhcp.range-gateway accepts range before custom gateway", rule: "vpc.subnet.dhcp.range-gateway", obj: vpcWith(func(v *fabric.VPC) {
			def(v).Gateway = "10.0.1.254"
			def(v).DHCP.Range.Start = "10.0.1.1"
			def(v).DHCP.Range.End = "10.0.1.253"
		}), ok: true},
		{name: "vpc.subnet.dhcp.range-order rejects reversed", rule: "vpc.subnet.dhcp.range-order", obj: vpcWith(func(v *fabric.VPC) { def(v).DHCP.Range.Start = "10.0.1.150" }), path: dp + ".range", msg: "before end"},
		{name: "vpc.subnet.dhcp.range-order rejects equal", rule: "vpc.subnet.dhcp.range-order", obj: vpcWith(func(v *fabric.VPC) { def(v).DHCP.Range.Start = "10.0.1.99" }), path: dp + ".range", msg: "10.0.1.99"},
		{name: "vpc.subnet.dhcp.range-order accepts", rule: "vpc.subnet.dhcp.range-order", obj: vpcWith(func(v *fabric.VPC) { def(v).DHCP.Range.Start = "10.0.1.98" }), ok: true},
		{name: "vpc.subnet.dhcp.dns-ip rejects", rule: "vpc.subnet.dhcp.dns-ip", obj: vpcWith(func(v *fabric.VPC) { def(v).DHCP.Options.DNSServers = []string{"1.1.1.1", "dns.example"} }), path: dp + ".options.dnsServers[1]", msg: "dns.example"},
		{name: "vpc.subnet.dhcp.dns-ip accepts", rule: "vpc.subnet.dhcp.dns-ip", obj: vpcWith(func(v *fabric.VPC) { def(v).DHCP.Options.DNSServers = []string{"8.8.8.8", "1.1.1.1"} }), ok: true},
		{name: "vpc.subnet.dhcp.ntp-ip rejects", rule: "vpc.subnet.dhcp.ntp-ip", obj: vpcWith(func(v *fabric.VPC) { def(v).DHCP.Options.TimeServers = []string{"ntp"} }), path: dp + ".options.timeServers[0]", msg: "time server"},
		{name: "vpc.subnet.dhcp.ntp-ip accepts", rule: "vpc.subnet.dhcp.ntp-ip", obj: vpcWith(func(v *fabric.VPC) { def(v).DHCP.Options.TimeServers = []string{"10.0.0.1"} }), ok: true},
		{name: "vpc.subnet.dhcp.mtu rejects 95", rule: "vpc.subnet.dhcp.mtu", obj: vpcWith(func(v *fabric.VPC) { def(v).DHCP.Options.InterfaceMTU = 95 }), path: dp + ".options.interfaceMTU", msg: "96-9036"},
		{name: "vpc.subnet.dhcp.mtu rejects 9037", rule: "vpc.subnet.dhcp.mtu", obj: vpcWith(func(v *fabric.VPC) { def(v).DHCP.Options.InterfaceMTU = 9037 }), path: dp + ".options.interfaceMTU", msg: "9037"},
		{name: "vpc.subnet.dhcp.mtu accepts 96", rule: "vpc.subnet.dhcp.mtu", obj: vpcWith(func(v *fabric.VPC) { def(v).DHCP.Options.InterfaceMTU = 96 }), ok: true},
		{name: "vpc.subnet.dhcp.lease rejects 0 raw", rule: "vpc.subnet.dhcp.lease", raw: true, obj: vpcWith(func(v *fabric.VPC) {
			v.Spec.IPv4Namespace, v.Spec.VLANNamespace = "default", "default"
			def(v).DHCP.Options.LeaseTimeSeconds = 0
		}), path: dp + ".options.leaseTimeSeconds", msg: "at least 1"},
		{name: "vpc.subnet.dhcp.lease accepts 0 defaulted to 3600", rule: "vpc.subnet.dhcp.lease", obj: vpcWith(func(v *fabric.VPC) { def(v).DHCP.Options.LeaseTimeSeconds = 0 }), ok: true},
		{name: "vpc.subnet.dhcp.route-destination rejects", rule: "vpc.subnet.dhcp.route-destination", obj: vpcWith(func(v *fabric.VPC) {
			def(v).DHCP.Options.AdvertisedRoutes = []fabric.VPCDHCPRoute{{Destination: "10.50.0.0", Gateway: "10.0.1.2"}}
		}), path: dp + ".options.advertisedRoutes[0].destination", msg: "IPv4 CIDR"},
		{name: "vpc.subnet.dhcp.route-destination accepts default route", rule: "vpc.subnet.dhcp.route-destination", obj: vpcWith(func(v *fabric.VPC) {
			def(v).DHCP.Options.AdvertisedRoutes = []fabric.VPCDHCPRoute{{Destination: "0.0.0.0/0", Gateway: "10.0.1.2"}}
		}), ok: true},
		{name: "vpc.subnet.dhcp.route-gateway rejects outside", rule: "vpc.subnet.dhcp.route-gateway", obj: vpcWith(func(v *fabric.VPC) {
			def(v).DHCP.Options.AdvertisedRoutes = []fabric.VPCDHCPRoute{{Destination: "10.50.0.0/16", Gateway: "10.0.9.2"}}
		}), path: dp + ".options.advertisedRoutes[0].gateway", msg: "not inside"},
		{name: "vpc.subnet.dhcp.route-gateway rejects missing", rule: "vpc.subnet.dhcp.route-gateway", obj: vpcWith(func(v *fabric.VPC) {
			def(v).DHCP.Options.AdvertisedRoutes = []fabric.VPCDHCPRoute{{Destination: "10.50.0.0/16"}}
		}), path: dp + ".options.advertisedRoutes[0].gateway", msg: "not an IPv4 address"},
		{name: "vpc.subnet.dhcp.route-gateway accepts", rule: "vpc.subnet.dhcp.route-gateway", obj: vpcWith(func(v *fabric.VPC) {}), ok: true},
		{name: "vpc.subnet.dhcp.static-mac rejects", rule: "vpc.subnet.dhcp.static-mac", obj: vpcWith(func(v *fabric.VPC) {
			def(v).DHCP.Static = map[string]fabric.VPCDHCPStatic{"server-1": {IP: "10.0.1.200"}}
		}), path: dp + `.static["server-1"]`, msg: "MAC address"},
		{name: "vpc.subnet.dhcp.static-mac accepts dash form", rule: "vpc.subnet.dhcp.static-mac", obj: vpcWith(func(v *fabric.VPC) {
			def(v).DHCP.Static = map[string]fabric.VPCDHCPStatic{"0C-20-12-FE-01-00": {IP: "10.0.1.200"}}
		}), ok: true},
		{name: "vpc.subnet.dhcp.static-ip rejects", rule: "vpc.subnet.dhcp.static-ip", obj: vpcWith(func(v *fabric.VPC) {
			def(v).DHCP.Static = map[string]fabric.VPCDHCPStatic{"0c:20:12:fe:01:00": {IP: ""}}
		}), path: dp + `.static["0c:20:12:fe:01:00"].ip`, msg: "not an IPv4 address"},
		{name: "vpc.subnet.dhcp.static-ip accepts", rule: "vpc.subnet.dhcp.static-ip", obj: vpcWith(func(v *fabric.VPC) {}), ok: true},
		{name: "vpc.subnet.dhcp.static-inside rejects", rule: "vpc.subnet.dhcp.static-inside", obj: vpcWith(func(v *fabric.VPC) {
			def(v).DHCP.Static = map[string]fabric.VPCDHCPStatic{"0c:20:12:fe:01:00": {IP: "10.0.2.200"}}
		}), path: dp + `.static["0c:20:12:fe:01:00"].ip`, msg: "not inside"},
		{name: "vpc.subnet.dhcp.static-inside accepts inside range", rule: "vpc.subnet.dhcp.static-inside", obj: vpcWith(func(v *fabric.VPC) {
			def(v).DHCP.Static = map[string]fabric.VPCDHCPStatic{"0c:20:12:fe:01:00": {IP: "10.0.1.20"}}
		}), ok: true},
		{name: "vpc.subnet.dhcp.static-reserved rejects network", rule: "vpc.subnet.dhcp.static-reserved", obj: staticIP("10.0.1.0"), path: dp + `.static["0c:20:12:fe:01:00"].ip`, msg: "network address"},
		{name: "vpc.subnet.dhcp.static-reserved rejects gateway", rule: "vpc.subnet.dhcp.static-reserved", obj: staticIP("10.0.1.1"), path: dp + `.static["0c:20:12:fe:01:00"].ip`, msg: "gateway"},
		{name: "vpc.subnet.dhcp.static-reserved rejects broadcast", rule: "vpc.subnet.dhcp.static-reserved", obj: staticIP("10.0.1.255"), path: dp + `.static["0c:20:12:fe:01:00"].ip`, msg: "broadcast"},
		{name: "vpc.subnet.dhcp.static-reserved accepts last host", rule: "vpc.subnet.dhcp.static-reserved", obj: staticIP("10.0.1.254"), ok: true},
		{name: "vpc.subnet.dhcp.static-unique rejects", rule: "vpc.subnet.dhcp.static-unique", obj: vpcWith(func(v *fabric.VPC) {
			def(v).DHCP.Static = map[string]fabric.VPCDHCPStatic{"0c:20:12:fe:01:00": {IP: "10.0.1.200"}, "0c:20:12:fe:01:01": {IP: "10.0.1.200"}}
		}), path: dp + `.static["0c:20:12:fe:01:01"].ip`, msg: "0c:20:12:fe:01:00 and 0c:20:12:fe:01:01"},
		{name: "vpc.subnet.dhcp.static-unique accepts distinct", rule: "vpc.subnet.dhcp.static-unique", obj: vpcWith(func(v *fabric.VPC) {
			def(v).DHCP.Static = map[string]fabric.VPCDHCPStatic{"0c:20:12:fe:01:00": {IP: "10.0.1.200"}, "0c:20:12:fe:01:01": {IP: "10.0.1.201"}}
		}), ok: true},

		{name: "vpc.permit.size rejects single", rule: "vpc.permit.size", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Permit = [][]string{{"default"}} }), path: "spec.permit[0]", msg: "at least 2"},
		{name: "vpc.permit.size accepts three", rule: "vpc.permit.size", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Permit = [][]string{{"default", "backend", "bgp"}} }), ok: true},
		{name: "vpc.permit.subnet-unknown rejects", rule: "vpc.permit.subnet-unknown", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Permit = [][]string{{"default", "nope"}} }), path: "spec.permit[0][1]", msg: `"nope"`},
		{name: "vpc.permit.subnet-unknown accepts", rule: "vpc.permit.subnet-unknown", obj: vpcWith(func(v *fabric.VPC) {}), ok: true},
		{name: "vpc.permit.duplicate rejects", rule: "vpc.permit.duplicate", obj: vpcWith(func(v *fabric.VPC) { v.Spec.Permit = [][]string{{"default", "backend", "default"}} }), path: "spec.permit[0][2]", msg: "more than once"},
		{name: "vpc.permit.duplicate accepts two policies sharing a subnet", rule: "vpc.permit.duplicate", obj: vpcWith(func(v *fabric.VPC) {
			v.Spec.Permit = [][]string{{"default", "backend"}, {"default", "bgp"}}
		}), ok: true},
		{name: "vpc.static-route.prefix rejects", rule: "vpc.static-route.prefix", obj: vpcWith(func(v *fabric.VPC) { v.Spec.StaticRoutes[0].Prefix = "" }), path: "spec.staticRoutes[0].prefix", msg: "IPv4 CIDR"},
		{name: "vpc.static-route.prefix accepts", rule: "vpc.static-route.prefix", obj: vpcWith(func(v *fabric.VPC) {}), ok: true},
		{name: "vpc.static-route.canonical rejects", rule: "vpc.static-route.canonical", obj: vpcWith(func(v *fabric.VPC) { v.Spec.StaticRoutes[0].Prefix = "10.60.1.0/16" }), path: "spec.staticRoutes[0].prefix", msg: "10.60.0.0/16"},
		{name: "vpc.static-route.canonical accepts host route", rule: "vpc.static-route.canonical", obj: vpcWith(func(v *fabric.VPC) { v.Spec.StaticRoutes[0].Prefix = "10.60.1.7/32" }), ok: true},
		{name: "vpc.static-route.next-hops rejects", rule: "vpc.static-route.next-hops", obj: vpcWith(func(v *fabric.VPC) { v.Spec.StaticRoutes[0].NextHops = nil }), path: "spec.staticRoutes[0].nextHops", msg: "at least one"},
		{name: "vpc.static-route.next-hops accepts two", rule: "vpc.static-route.next-hops", obj: vpcWith(func(v *fabric.VPC) { v.Spec.StaticRoutes[0].NextHops = []string{"10.0.1.3", "10.0.1.4"} }), ok: true},
		{name: "vpc.static-route.next-hop-ip rejects", rule: "vpc.static-route.next-hop-ip", obj: vpcWith(func(v *fabric.VPC) { v.Spec.StaticRoutes[0].NextHops = []string{"10.0.1.3/32"} }), path: "spec.staticRoutes[0].nextHops[0]", msg: "10.0.1.3/32"},
		{name: "vpc.static-route.next-hop-ip accepts", rule: "vpc.static-route.next-hop-ip", obj: vpcWith(func(v *fabric.VPC) {}), ok: true},
	})
}

func staticIP(ip string) func() fabric.Object {
	return vpcWith(func(v *fabric.VPC) {
		def(v).DHCP.Static = map[string]fabric.VPCDHCPStatic{"0c:20:12:fe:01:00": {IP: ip}}
	})
}

// manySubnets replaces the subnets of v with n valid, non-overlapping ones.
func manySubnets(v *fabric.VPC, n int) {
	v.Spec.Subnets = map[string]*fabric.VPCSubnet{}
	v.Spec.Permit = nil
	v.Spec.StaticRoutes = nil
	for i := range n {
		v.Spec.Subnets[fmt.Sprintf("s%d", i)] = &fabric.VPCSubnet{Subnet: fmt.Sprintf("10.1.%d.0/24", i), VLAN: uint16(100 + i)}
	}
}

// TestVPCDisabledDHCPWarnsOnRawInput checks range/options with DHCP off are a warning (the fabric
// drops them at defaulting), not an error, and that defaulting removes them.
func TestVPCDisabledDHCPWarnsOnRawInput(t *testing.T) {
	v := baseVPC()
	v.Spec.IPv4Namespace, v.Spec.VLANNamespace = "default", "default"
	v.Spec.Subnets["backend"].Gateway = "10.0.2.1"
	def(v).DHCP.Enable = false
	def(v).DHCP.Static = nil
	ds := Validate(v)
	if ds.HasError() {
		t.Fatalf("unexpected errors:\n%s", dump(ds))
	}
	warned := map[string]bool{}
	for _, d := range ds {
		if d.Rule == "vpc.subnet.dhcp.ignored-when-disabled" {
			warned[d.Path.String()] = true
		}
	}
	if !warned[dp+".range"] || !warned[dp+".options"] || len(ds) != 2 {
		t.Fatalf("want two warnings for range and options, got:\n%s", dump(ds))
	}
	fabric.Default(v)
	if ds := Validate(v); len(ds) != 0 {
		t.Fatalf("after defaulting want no findings, got:\n%s", dump(ds))
	}
}

// TestVPCFindingsAreDeterministic checks several findings come out in the same order every time
// (subnets are a map).
func TestVPCFindingsAreDeterministic(t *testing.T) {
	mk := func() *fabric.VPC {
		v := baseVPC()
		for _, s := range v.Spec.Subnets {
			s.Subnet = "10.0.1.0/24"
			s.VLAN = 7
			s.HostBGP = false
		}
		fabric.Default(v)
		return v
	}
	first := dump(Validate(mk()))
	for range 20 {
		if got := dump(Validate(mk())); got != first {
			t.Fatalf("order changed:\n%s\nvs\n%s", first, got)
		}
	}
}

func FuzzValidateVPC(f *testing.F) {
	f.Add("10.0.1.0/24", "10.0.1.1", "10.0.1.10", "10.0.1.99", uint16(1001))
	f.Add("10.0.1.0/31", "", "", "", uint16(0))
	f.Add("0.0.0.0/0", "255.255.255.255", "0.0.0.0", "x", uint16(4095))
	f.Add("fd00::/64", "fd00::1", "fd00::2", "fd00::ff", uint16(1))
	f.Add("10.0.1.5/24", "10.0.1.1%eth0", "::ffff:10.0.1.2", "10.0.1.255", uint16(65535))
	f.Fuzz(func(t *testing.T, subnet, gateway, start, end string, vlan uint16) {
		v := &fabric.VPC{Metadata: meta("vpc-1"), Spec: fabric.VPCSpec{Subnets: map[string]*fabric.VPCSubnet{
			"a": {Subnet: subnet, Gateway: gateway, VLAN: vlan, DHCP: &fabric.VPCDHCP{
				Enable: true, Range: &fabric.VPCDHCPRange{Start: start, End: end},
				Static: map[string]fabric.VPCDHCPStatic{start: {IP: end}},
			}},
			"b": {Subnet: gateway, Gateway: start, DHCP: &fabric.VPCDHCP{Relay: subnet, RelayVPC: end}},
			"c": nil,
		}, StaticRoutes: []fabric.VPCStaticRoute{{Prefix: subnet, NextHops: []string{gateway}}}}}
		_ = Validate(v) // raw input must not panic
		fabric.Default(v)
		ds := Validate(v)
		for _, d := range ds {
			if d.Rule == "" || d.Summary == "" || len(d.Path) == 0 {
				t.Fatalf("malformed diagnostic %+v", d)
			}
		}
	})
}

func BenchmarkValidateVPC(b *testing.B) {
	v := baseVPC()
	def(v).DHCP.Static = nil // static leases are checked with a map-sized buffer; keep the hot path
	fabric.Default(v)
	if ds := Validate(v); len(ds) != 0 {
		b.Fatalf("base VPC has findings:\n%s", dump(ds))
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = Validate(v)
	}
}

// TestValidateVPCAllocations pins the hot path: a valid VPC validates with at most one allocation
// (the Builder).
func TestValidateVPCAllocations(t *testing.T) {
	v := baseVPC()
	def(v).DHCP.Static = nil
	fabric.Default(v)
	if n := testing.AllocsPerRun(100, func() { _ = Validate(v) }); n > 1 {
		t.Fatalf("Validate(valid VPC) allocates %v times, want <= 1", n)
	}
}

package cascade

import (
	"fmt"
	"strings"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

func vpcYAML(subnet string, vlan int, extra string) string {
	return fmt.Sprintf(`kind: VPC
metadata:
  name: vpc-t
spec:
  subnets:
    default:
      subnet: %s
      vlan: %d
%s`, subnet, vlan, extra)
}

func switchYAML(name, role string, asn int, ip, protoIP, vtepIP string) string {
	y := fmt.Sprintf(`kind: Switch
metadata:
  name: %s
spec:
  role: %s
  profile: vs
  asn: %d
  ip: %s
  protocolIP: %s
  vlanNamespaces: [default]
`, name, role, asn, ip, protoIP)
	if vtepIP != "" {
		y += "  vtepIP: " + vtepIP + "\n"
	}
	return y
}

func fabricLinkYAML(spineIP, leafIP string) string {
	return fmt.Sprintf(`kind: Connection
metadata:
  name: spine-1--fabric--leaf-1
spec:
  fabric:
    links:
      - spine: {ip: %s, port: spine-1/E1/1}
        leaf: {ip: %s, port: leaf-1/E1/1}
`, spineIP, leafIP)
}

func meshLinkYAML(ip1, ip2 string) string {
	return fmt.Sprintf(`kind: Connection
metadata:
  name: leaf-1--mesh--leaf-2
spec:
  mesh:
    links:
      - leaf1: {ip: %s, port: leaf-1/E1/1}
        leaf2: {ip: %s, port: leaf-2/E1/1}
`, ip1, ip2)
}

func staticExternalYAML(subnet string) string {
	return fmt.Sprintf(`kind: Connection
metadata:
  name: leaf-1--static-external
spec:
  staticExternal:
    link:
      switch:
        port: leaf-1/E1/5
        ip: 10.200.0.1/24
        nextHop: 10.200.0.2
        subnets: [%s]
`, subnet)
}

func serverConnYAML(typ string, mtu int) string {
	mtuLine := ""
	if mtu > 0 {
		mtuLine = fmt.Sprintf("    mtu: %d\n", mtu)
	}
	if typ == "unbundled" {
		return "kind: Connection\nmetadata: {name: c}\nspec:\n  unbundled:\n" + mtuLine + "    link: {server: {port: server-1/eth1}, switch: {port: leaf-1/E1/1}}\n"
	}
	return "kind: Connection\nmetadata: {name: c}\nspec:\n  " + typ + ":\n" + mtuLine + "    links:\n" +
		"      - {server: {port: server-1/eth1}, switch: {port: leaf-1/E1/1}}\n      - {server: {port: server-1/eth2}, switch: {port: leaf-2/E1/1}}\n"
}

func gatewayLinkYAML(switchIP, gwIP string) string {
	return fmt.Sprintf("kind: Connection\nmetadata: {name: gw}\nspec:\n  gateway:\n    links:\n      - {switch: {port: leaf-1/E1/7, ip: %s}, gateway: {port: gw-1/enp2s1, ip: %s}}\n", switchIP, gwIP)
}

const peeringYAML = `kind: VPCPeering
metadata:
  name: vpc-1--vpc-2
spec:
  permit:
    - vpc-1: {subnets: [default]}
      vpc-2: {subnets: [default]}
`

const leafIPs = "192.168.200.10/24"

func TestValidateFabricRules(t *testing.T) {
	cfg := testConfig(t)
	peeringOff := testConfig(t)
	peeringOff.VPCPeeringDisabled = true
	mtu := func(m int) string {
		return fmt.Sprintf("      dhcp:\n        enable: true\n        options:\n          interfaceMTU: %d\n", m)
	}
	cases := []struct {
		name   string
		yaml   string
		cfg    *FabricConfig
		rule   string
		path   string
		reject bool
	}{
		{"fabric.vpc.subnet-reserved/reject", vpcYAML("172.30.8.0/24", 1001, ""), cfg, RuleFabricVPCSubnetReserved, `spec.subnets["default"].subnet`, true},
		{"fabric.vpc.subnet-reserved/reject-containing", vpcYAML("172.16.0.0/12", 1001, ""), cfg, RuleFabricVPCSubnetReserved, `spec.subnets["default"].subnet`, true},
		{"fabric.vpc.subnet-reserved/accept", vpcYAML("10.10.1.0/24", 1001, ""), cfg, RuleFabricVPCSubnetReserved, "", false},
		{"fabric.vpc.vlan-reserved/reject-irb", vpcYAML("10.10.1.0/24", 3000, ""), cfg, RuleFabricVPCVLANReserved, `spec.subnets["default"].vlan`, true},
		{"fabric.vpc.vlan-reserved/reject-th5", vpcYAML("10.10.1.0/24", 3999, ""), cfg, RuleFabricVPCVLANReserved, `spec.subnets["default"].vlan`, true},
		{"fabric.vpc.vlan-reserved/accept", vpcYAML("10.10.1.0/24", 2999, ""), cfg, RuleFabricVPCVLANReserved, "", false},
		{"fabric.vlannamespace.range-reserved/reject", "kind: VLANNamespace\nmetadata: {name: ns}\nspec:\n  ranges:\n    - {from: 100, to: 200}\n    - {from: 2500, to: 3000}\n", cfg, RuleFabricVLANNSRangeReserved, "spec.ranges[1]", true},
		{"fabric.vlannamespace.range-reserved/reject-th5", "kind: VLANNamespace\nmetadata: {name: ns}\nspec:\n  ranges:\n    - {from: 3950, to: 4094}\n", cfg, RuleFabricVLANNSRangeReserved, "spec.ranges[0]", true},
		{"fabric.vlannamespace.range-reserved/accept", "kind: VLANNamespace\nmetadata: {name: ns}\nspec:\n  ranges:\n    - {from: 1000, to: 2999}\n    - {from: 4000, to: 4094}\n", cfg, RuleFabricVLANNSRangeReserved, "", false},
		{"fabric.vpc.dhcp-mtu/reject", vpcYAML("10.10.1.0/24", 1001, mtu(9100)), cfg, RuleFabricVPCDHCPMTU, `spec.subnets["default"].dhcp.options.interfaceMTU`, true},
		{"fabric.vpc.dhcp-mtu/accept-limit", vpcYAML("10.10.1.0/24", 1001, mtu(9036)), cfg, RuleFabricVPCDHCPMTU, "", false},
		{"fabric.switch.management-ip/reject-outside", switchYAML("leaf-1", "server-leaf", 65101, "10.0.0.5/24", "172.30.8.5/32", ""), cfg, RuleFabricSwitchManagementIP, "spec.ip", true},
		{"fabric.switch.management-ip/reject-dhcp-range", switchYAML("leaf-1", "server-leaf", 65101, "192.168.200.128/24", "172.30.8.5/32", ""), cfg, RuleFabricSwitchManagementIP, "spec.ip", true},
		{"fabric.switch.management-ip/reject-control-vip", switchYAML("leaf-1", "server-leaf", 65101, "192.168.200.1/24", "172.30.8.5/32", ""), cfg, RuleFabricSwitchManagementIP, "spec.ip", true},
		{"fabric.switch.management-ip/accept", switchYAML("leaf-1", "server-leaf", 65101, "192.168.200.127/24", "172.30.8.5/32", ""), cfg, RuleFabricSwitchManagementIP, "", false},
		{"fabric.switch.protocol-ip/reject", switchYAML("leaf-1", "server-leaf", 65101, leafIPs, "172.30.12.5/32", ""), cfg, RuleFabricSwitchProtocolIP, "spec.protocolIP", true},
		{"fabric.switch.protocol-ip/accept", switchYAML("leaf-1", "server-leaf", 65101, leafIPs, "172.30.11.255/32", ""), cfg, RuleFabricSwitchProtocolIP, "", false},
		{"fabric.switch.vtep-ip/reject", switchYAML("leaf-1", "server-leaf", 65101, leafIPs, "172.30.8.5/32", "172.30.8.6/32"), cfg, RuleFabricSwitchVTEPIP, "spec.vtepIP", true},
		{"fabric.switch.vtep-ip/accept", switchYAML("leaf-1", "server-leaf", 65101, leafIPs, "172.30.8.5/32", "172.30.12.6/32"), cfg, RuleFabricSwitchVTEPIP, "", false},
		{"fabric.switch.leaf-asn/reject-below", switchYAML("leaf-1", "server-leaf", 65100, leafIPs, "172.30.8.5/32", ""), cfg, RuleFabricSwitchLeafASN, "spec.asn", true},
		{"fabric.switch.leaf-asn/reject-border-above", switchYAML("leaf-1", "border-leaf", 70000, leafIPs, "172.30.8.5/32", ""), cfg, RuleFabricSwitchLeafASN, "spec.asn", true},
		{"fabric.switch.leaf-asn/accept", switchYAML("leaf-1", "server-leaf", 65535, leafIPs, "172.30.8.5/32", ""), cfg, RuleFabricSwitchLeafASN, "", false},
		{"fabric.switch.spine-asn/reject", switchYAML("spine-1", "spine", 65101, leafIPs, "172.30.8.5/32", ""), cfg, RuleFabricSwitchSpineASN, "spec.asn", true},
		{"fabric.switch.spine-asn/accept", switchYAML("spine-1", "spine", 65100, leafIPs, "172.30.8.5/32", ""), cfg, RuleFabricSwitchSpineASN, "", false},
		{"fabric.connection.link-ip/reject-fabric", fabricLinkYAML("172.30.128.0/31", "10.0.0.1/31"), cfg, RuleFabricConnectionLinkIP, "spec.fabric.links[0].leaf.ip", true},
		{"fabric.connection.link-ip/reject-mesh", meshLinkYAML("172.30.0.0/31", "172.30.128.1/31"), cfg, RuleFabricConnectionLinkIP, "spec.mesh.links[0].leaf1.ip", true},
		{"fabric.connection.link-ip/accept", fabricLinkYAML("172.30.128.0/31", "172.30.128.1/31"), cfg, RuleFabricConnectionLinkIP, "", false},
		{"fabric.vpcpeering.disabled/reject", peeringYAML, peeringOff, RuleFabricVPCPeeringDisabled, "spec", true},
		{"fabric.vpcpeering.disabled/accept", peeringYAML, cfg, RuleFabricVPCPeeringDisabled, "", false},
		{"fabric.connection.static-external-reserved/reject", staticExternalYAML("172.29.1.0/24"), cfg, RuleFabricStaticExternalReserved, "spec.staticExternal.link.switch.subnets[0]", true},
		{"fabric.ipv4namespace.subnet-reserved/reject", "kind: IPv4Namespace\nmetadata: {name: ns}\nspec:\n  subnets: [10.0.0.0/8, 172.16.0.0/12]\n", cfg, RuleFabricIPv4NSSubnetReserved, "spec.subnets[1]", true},
		{"fabric.ipv4namespace.subnet-reserved/accept", "kind: IPv4Namespace\nmetadata: {name: ns}\nspec:\n  subnets: [10.0.0.0/8]\n", cfg, RuleFabricIPv4NSSubnetReserved, "", false},
		{"fabric.connection.static-external-reserved/accept", staticExternalYAML("10.99.0.0/24"), cfg, RuleFabricStaticExternalReserved, "", false},
		{"fabric.connection.static-external-reserved/accept-default-route-alone", staticExternalYAML("0.0.0.0/0"), cfg, RuleFabricStaticExternalReserved, "", false},
		{"fabric.connection.static-external-reserved/reject-next-to-a-specific-subnet", staticExternalYAML("10.99.0.0/24, 172.28.0.0/24"), cfg, RuleFabricStaticExternalReserved, "spec.staticExternal.link.switch.subnets[1]", true},
		{"fabric.connection.link-ip/reject-gateway-switch", gatewayLinkYAML("10.0.0.0/31", "10.0.0.1/31"), cfg, RuleFabricConnectionLinkIP, "spec.gateway.links[0].switch.ip", true},
		{"fabric.connection.link-ip/reject-gateway-side", gatewayLinkYAML("172.30.255.254/31", "172.31.0.0/31"), cfg, RuleFabricConnectionLinkIP, "spec.gateway.links[0].gateway.ip", true},
		{"fabric.connection.link-ip/accept-gateway-at-subnet-end", gatewayLinkYAML("172.30.255.254/31", "172.30.255.255/31"), cfg, RuleFabricConnectionLinkIP, "", false},
		{"fabric.connection.server-mtu/reject-unbundled", serverConnYAML("unbundled", 9037), cfg, RuleFabricConnectionMTU, "spec.unbundled.mtu", true},
		{"fabric.connection.server-mtu/accept-unbundled-largest", serverConnYAML("unbundled", 9036), cfg, RuleFabricConnectionMTU, "", false},
		{"fabric.connection.server-mtu/accept-unset", serverConnYAML("unbundled", 0), cfg, RuleFabricConnectionMTU, "", false},
		{"fabric.connection.server-mtu/reject-bundled", serverConnYAML("bundled", 9100), cfg, RuleFabricConnectionMTU, "spec.bundled.mtu", true},
		{"fabric.connection.server-mtu/accept-bundled-largest", serverConnYAML("bundled", 9036), cfg, RuleFabricConnectionMTU, "", false},
		{"fabric.connection.server-mtu/reject-eslag", serverConnYAML("eslag", 9037), cfg, RuleFabricConnectionMTU, "spec.eslag.mtu", true},
		{"fabric.connection.server-mtu/accept-eslag-largest", serverConnYAML("eslag", 9036), cfg, RuleFabricConnectionMTU, "", false},
		{"fabric.connection.server-mtu/reject-mclag", serverConnYAML("mclag", 9037), cfg, RuleFabricConnectionMTU, "spec.mclag.mtu", true},
		{"fabric.connection.server-mtu/accept-mclag-largest", serverConnYAML("mclag", 9036), cfg, RuleFabricConnectionMTU, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj := decodeYAML(t, tc.yaml)
			ds := ValidateFabric(obj, tc.cfg)
			for _, d := range ds {
				if d.Stage != diag.StageFabric || d.Kind != obj.GetKind() || d.Name != obj.Meta().Name {
					t.Errorf("bad diagnostic header: %s", d)
				}
			}
			if got := hasRule(ds, tc.rule, tc.path); got != tc.reject {
				t.Fatalf("rule %s at %q: got %v, want %v; findings:%s", tc.rule, tc.path, got, tc.reject, dump(ds))
			}
			if !tc.reject && ds.HasError() {
				t.Fatalf("unexpected errors:%s", dump(ds))
			}
		})
	}
}

func TestValidateFabricInvalidOrNilConfig(t *testing.T) {
	obj := decodeYAML(t, vpcYAML("10.10.1.0/24", 1001, ""))
	if ds := ValidateFabric(obj, nil); ds != nil {
		t.Fatalf("nil config must skip the stage, got%s", dump(ds))
	}
	bad := DefaultFabricConfig()
	bad.ManagementSubnet = "not-a-cidr"
	ds := ValidateFabric(obj, bad)
	if !hasRule(ds, RuleFabricConfigInvalid, "") || !strings.Contains(ds[0].Detail, "managementSubnet") {
		t.Fatalf("want %s naming managementSubnet, got%s", RuleFabricConfigInvalid, dump(ds))
	}
}

func TestFabricConfig(t *testing.T) {
	c := testConfig(t)
	if c.ManagementSubnet != "192.168.200.0/24" || c.FabricMTU != 9100 || c.ServerFacingMTU() != 9036 ||
		len(c.VPCIRBVLANRanges) != 1 || c.VPCIRBVLANRanges[0] != (VLANRange{3000, 3899}) || len(c.ReservedSubnets) != 7 {
		t.Fatalf("parsed config: %+v", c)
	}
	d := DefaultFabricConfig()
	if d.ControlVIP != "172.30.0.1/32" || d.SpineASN != 65100 || d.LeafASNStart != 65101 || d.ManagementDHCPStart != "172.30.4.0" ||
		d.TH5WorkaroundVLANRange[0] != (VLANRange{3900, 3999}) || d.FabricSubnet != "172.30.128.0/17" {
		t.Fatalf("defaults: %+v", d)
	}
	for name, y := range map[string]string{
		"bad yaml":               "controlVIP: [",
		"bad cidr":               "managementSubnet: 10.0.0.0/33\nprotocolSubnet: 172.30.8.0/22\nvtepSubnet: 172.30.12.0/22\nfabricSubnet: 172.30.128.0/17\nfabricMTU: 9100\nspineASN: 65100\nleafASNStart: 65101\nleafASNEnd: 65200",
		"spine asn in leaf":      "managementSubnet: 10.0.0.0/24\nprotocolSubnet: 172.30.8.0/22\nvtepSubnet: 172.30.12.0/22\nfabricSubnet: 172.30.128.0/17\nfabricMTU: 9100\nspineASN: 65150\nleafASNStart: 65101\nleafASNEnd: 65200",
		"bad vlan range":         "managementSubnet: 10.0.0.0/24\nprotocolSubnet: 172.30.8.0/22\nvtepSubnet: 172.30.12.0/22\nfabricSubnet: 172.30.128.0/17\nfabricMTU: 9100\nspineASN: 65100\nleafASNStart: 65101\nleafASNEnd: 65200\nvpcIRBVLANRange: [{from: 3900, to: 3000}]",
		"dhcp start outside":     "managementSubnet: 10.0.0.0/24\nmanagementDHCPStart: 10.0.1.1\nprotocolSubnet: 172.30.8.0/22\nvtepSubnet: 172.30.12.0/22\nfabricSubnet: 172.30.128.0/17\nfabricMTU: 9100\nspineASN: 65100\nleafASNStart: 65101\nleafASNEnd: 65200",
		"unsupported mode":       "fabricMode: collapsed-core\nmanagementSubnet: 10.0.0.0/24\nprotocolSubnet: 172.30.8.0/22\nvtepSubnet: 172.30.12.0/22\nfabricSubnet: 172.30.128.0/17\nfabricMTU: 9100\nspineASN: 65100\nleafASNStart: 65101\nleafASNEnd: 65200",
		"mtu offset too large":   "managementSubnet: 10.0.0.0/24\nprotocolSubnet: 172.30.8.0/22\nvtepSubnet: 172.30.12.0/22\nfabricSubnet: 172.30.128.0/17\nfabricMTU: 100\nserverFacingMTUOffset: 100\nspineASN: 65100\nleafASNStart: 65101\nleafASNEnd: 65200",
		"missing leaf asn range": "managementSubnet: 10.0.0.0/24\nprotocolSubnet: 172.30.8.0/22\nvtepSubnet: 172.30.12.0/22\nfabricSubnet: 172.30.128.0/17\nfabricMTU: 9100\nspineASN: 65100",
	} {
		if _, err := ParseFabricConfig([]byte(y)); err == nil {
			t.Errorf("%s: want error", name)
		}
	}
}

// A static external connection routing the default route alone passes every stage; next to a specific
// subnet it is rejected by the spec stage, and a specific subnet is still checked against reserved ones.
func TestStaticExternalDefaultRouteEveryStage(t *testing.T) {
	conn := func(subnets string) fabric.Object {
		return decodeYAML(t, "kind: Connection\nmetadata: {name: s5248-01--static-external}\nspec:\n  staticExternal:\n    withinVPC: demo-vpc-1\n    link:\n"+
			"      switch: {port: s5248-01/E1/30, ip: 10.200.0.1/24, nextHop: 10.200.0.2, subnets: ["+subnets+"]}\n")
	}
	for subnets, want := range map[string]string{
		"0.0.0.0/0":               "",
		"0.0.0.0/0, 10.99.0.0/16": "connection.static-external.default-alone",
		"172.30.128.0/24":         RuleFabricStaticExternalReserved,
	} {
		o := conn(subnets)
		v := NewView(demoFabric(t)...)
		v.Upsert(o)
		ds := ValidateObject(o, v, testConfig(t), nil)
		if want == "" {
			if ds.HasError() {
				t.Errorf("%s:%s", subnets, dump(ds))
			}
			continue
		}
		if !hasRule(ds, want, "") {
			t.Errorf("%s: want %s:%s", subnets, want, dump(ds))
		}
	}
}

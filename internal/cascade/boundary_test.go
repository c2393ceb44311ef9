package cascade

import (
	"strconv"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// TestBoundaries runs the single-object stages (schema, spec, fabric) against the fabric's usual
// configuration (RULES-NOTES: fabricMTU 9100, serverFacingMTUOffset 64, vpcIRBVLANRange 3000-3899,
// th5WorkaroundVLANRange 3900-3999, managementDHCPStart 172.30.4.0, controlVIP 172.30.0.1, spineASN
// 65100) on values at the edge of each rule: the last valid value passes with no error at all, the first
// invalid one fails with the rule at its path.
func TestBoundaries(t *testing.T) {
	cfg := DefaultFabricConfig()
	leaf := func(asn int, ip string) string {
		return switchYAML("leaf-b", "server-leaf", asn, ip, "172.30.8.50/32", "172.30.12.50/32")
	}
	vpcDHCP := func(dhcp string) string {
		return "kind: VPC\nmetadata: {name: vpc-b}\nspec:\n  subnets:\n    default:\n      subnet: 10.10.1.0/24\n      vlan: 1001\n      dhcp: " + dhcp + "\n"
	}
	vlanNS := func(from, to int) string {
		return "kind: VLANNamespace\nmetadata: {name: vl-b}\nspec:\n  ranges: [{from: " + strconv.Itoa(from) + ", to: " + strconv.Itoa(to) + "}]\n"
	}
	cases := []struct {
		name, yaml string
		rule, path string // rule "" expects no error at all
	}{
		// static external routes: the default route alone is valid, with another subnet it is not
		{"static external 0.0.0.0/0 alone", staticExternalYAML("0.0.0.0/0"), "", ""},
		{"static external 0.0.0.0/0 with another subnet", staticExternalYAML("0.0.0.0/0, 10.99.0.0/16"), "connection.static-external.default-alone", "spec.staticExternal.link.switch.subnets[0]"},
		{"static External prefix 0.0.0.0/0", "kind: External\nmetadata: {name: ext-b}\nspec:\n  ipv4Namespace: default\n  static:\n    prefixes: [0.0.0.0/0]\n", "", ""},
		{"VPC static route 0.0.0.0/0", vpcYAML("10.10.1.0/24", 1001, "  staticRoutes:\n    - {prefix: 0.0.0.0/0, nextHops: [10.10.1.5]}\n"), "", ""},
		// DHCP: options and range partially given are valid (the defaults fill the rest)
		{"DHCP options partially given", vpcDHCP("{enable: true, options: {dnsServers: [1.1.1.1]}}"), "", ""},
		{"DHCP options only a lease time", vpcDHCP("{enable: true, options: {leaseTimeSeconds: 60}}"), "", ""},
		{"DHCP range only a start", vpcDHCP("{enable: true, range: {start: 10.10.1.10}}"), "", ""},
		{"DHCP range ends at the broadcast address", vpcDHCP("{enable: true, range: {start: 10.10.1.10, end: 10.10.1.255}}"), "", ""},
		{"DHCP range start after end", vpcDHCP("{enable: true, range: {start: 10.10.1.20, end: 10.10.1.10}}"), "vpc.subnet.dhcp.range-order", `spec.subnets["default"].dhcp.range`},
		// the largest server-facing MTU is fabricMTU - serverFacingMTUOffset = 9036
		{"DHCP interface MTU 9036", vpcDHCP("{enable: true, options: {interfaceMTU: 9036}}"), "", ""},
		{"DHCP interface MTU 9037", vpcDHCP("{enable: true, options: {interfaceMTU: 9037}}"), "vpc.subnet.dhcp.mtu", `spec.subnets["default"].dhcp.options.interfaceMTU`},
		{"unbundled MTU 9036", serverConnYAML("unbundled", 9036), "", ""},
		{"unbundled MTU 9037", serverConnYAML("unbundled", 9037), RuleFabricConnectionMTU, "spec.unbundled.mtu"},
		{"eslag MTU 9037", serverConnYAML("eslag", 9037), RuleFabricConnectionMTU, "spec.eslag.mtu"},
		// reserved VLANs: 3000-3999 (IRB, then TH5)
		{"VPC VLAN 2999", vpcYAML("10.10.1.0/24", 2999, ""), "", ""},
		{"VPC VLAN 3000", vpcYAML("10.10.1.0/24", 3000, ""), RuleFabricVPCVLANReserved, `spec.subnets["default"].vlan`},
		{"VPC VLAN 3999", vpcYAML("10.10.1.0/24", 3999, ""), RuleFabricVPCVLANReserved, `spec.subnets["default"].vlan`},
		{"VPC VLAN 4000", vpcYAML("10.10.1.0/24", 4000, ""), "", ""},
		{"VLANNamespace 1-2999", vlanNS(1, 2999), "", ""},
		{"VLANNamespace 2999-3000", vlanNS(2999, 3000), RuleFabricVLANNSRangeReserved, "spec.ranges[0]"},
		{"VLANNamespace 4000-4094", vlanNS(4000, 4094), "", ""},
		{"VLANNamespace 4000-4095", vlanNS(4000, 4095), "vlanns.range.bounds", "spec.ranges[0].to"},
		{"VLANNamespace 0-10", vlanNS(0, 10), "vlanns.range.bounds", "spec.ranges[0].from"},
		{"VLANNamespace 20-10", vlanNS(20, 10), "vlanns.range.bounds", "spec.ranges[0]"},
		// switch management IP: below managementDHCPStart, not the control VIP
		{"management IP just below the DHCP start", leaf(65101, "172.30.3.255/21"), "", ""},
		{"management IP at the DHCP start", leaf(65101, "172.30.4.0/21"), RuleFabricSwitchManagementIP, "spec.ip"},
		{"management IP is the control VIP", leaf(65101, "172.30.0.1/21"), RuleFabricSwitchManagementIP, "spec.ip"},
		// leaf ASNs: the spine ASN is outside the leaf range
		{"leaf ASN 65101", leaf(65101, "172.30.1.50/21"), "", ""},
		{"leaf ASN 65100 (the spine ASN)", leaf(65100, "172.30.1.50/21"), RuleFabricSwitchLeafASN, "spec.asn"},
		// communities: 0-65535 without leading zeros
		{"community 0:65535", "kind: External\nmetadata: {name: ext-b}\nspec:\n  ipv4Namespace: default\n  inboundCommunity: \"0:65535\"\n  outboundCommunity: \"65535:0\"\n", "", ""},
		{"community 01:1", "kind: External\nmetadata: {name: ext-b}\nspec:\n  ipv4Namespace: default\n  inboundCommunity: \"01:1\"\n  outboundCommunity: \"1:1\"\n", "external.community.format", "spec.inboundCommunity"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// As at plan: the schema stage sees the object as configured, the later stages the defaulted one.
			raw, err := fabric.Decode([]byte(c.yaml))
			if err != nil {
				t.Fatal(err)
			}
			u, err := fabric.ToUnstructured(raw[0])
			if err != nil {
				t.Fatal(err)
			}
			u["metadata"].(map[string]any)["namespace"] = "default"
			ds := ValidateSchema(raw[0].GetKind(), u)
			if !ds.HasError() {
				ds = append(ds, ValidateObject(decodeYAML(t, c.yaml), nil, cfg, nil)...)
			}
			if c.rule == "" {
				if errs := ds.Errors(); len(errs) > 0 {
					t.Fatalf("want no errors, got:%s", dump(errs))
				}
				return
			}
			for _, d := range ds {
				if d.Rule == c.rule && d.Severity == diag.Error {
					if d.Path.String() != c.path {
						t.Fatalf("%s at %q, want %q", c.rule, d.Path, c.path)
					}
					return
				}
			}
			t.Fatalf("want %s at %s, got:%s", c.rule, c.path, dump(ds))
		})
	}
	// The defaults fill partially given DHCP options.
	v := decodeYAML(t, vpcDHCP("{enable: true, options: {dnsServers: [1.1.1.1]}}")).(*fabric.VPC)
	if o := v.Spec.Subnets["default"].DHCP.Options; o == nil || o.InterfaceMTU != 9036 || o.LeaseTimeSeconds != 3600 {
		t.Errorf("defaulted options %+v", o)
	}
}

package cascade

import (
	"fmt"
	"strings"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// Extra objects the cross tests add to the demo fabric.
const (
	xExtConn = `kind: Connection
metadata: {name: ext-conn}
spec:
  external:
    link:
      switch: {port: s5248-01/E1/10}
`
	xOtherVLANNS = "kind: VLANNamespace\nmetadata: {name: other}\nspec:\n  ranges: [{from: 100, to: 200}]\n"
	xOtherIPv4NS = "kind: IPv4Namespace\nmetadata: {name: other}\nspec:\n  subnets: [10.50.0.0/16]\n"
	xOtherVPC    = `kind: VPC
metadata: {name: vpc-other}
spec:
  vlanNamespace: other
  ipv4Namespace: other
  subnets:
    default: {subnet: 10.50.1.0/24, vlan: 150}
`
	xHostBGPVPC = `kind: VPC
metadata: {name: vpc-bgp}
spec:
  subnets:
    default: {subnet: 10.10.160.0/24, hostBGP: true}
`
	xL3VPC = `kind: VPC
metadata: {name: vpc-l3}
spec:
  mode: l3vni
  subnets:
    default: {subnet: 10.10.170.0/24, vlan: 1170}
`
	xLeafX = `kind: Switch
metadata: {name: leaf-x}
spec: {role: server-leaf, profile: vs, asn: 65110, ip: 192.168.200.20/24, protocolIP: 172.30.8.20/32, vtepIP: 172.30.12.20/32, vlanNamespaces: [default]}
`
	xServerX     = "kind: Server\nmetadata: {name: server-x}\nspec: {}\n"
	xServerE     = "kind: Server\nmetadata: {name: server-e}\nspec: {}\n"
	xUnbundledX  = "kind: Connection\nmetadata: {name: server-x--unbundled--leaf-x}\nspec:\n  unbundled:\n    link:\n      server: {port: server-x/eth1}\n      switch: {port: leaf-x/E1/1}\n"
	xESLAGGroup  = "kind: SwitchGroup\nmetadata: {name: eslag-1}\nspec: {}\n"
	xESLAGSwitch = `kind: Switch
metadata: {name: eslag-%d}
spec: {role: server-leaf, profile: vs, asn: 6512%d, ip: 192.168.200.3%d/24, protocolIP: 172.30.8.3%d/32, vtepIP: 172.30.12.3%d/32, vlanNamespaces: [default], redundancy: {group: eslag-1, type: eslag}}
`
	xESLAGConn = `kind: Connection
metadata: {name: server-e--eslag}
spec:
  eslag:
    links:
      - {server: {port: server-e/eth1}, switch: {port: eslag-1/E1/1}}
      - {server: {port: server-e/eth2}, switch: {port: eslag-2/E1/1}}
`
	xBreakoutProfile = `kind: SwitchProfile
metadata: {name: bo}
spec:
  portProfiles:
    QSFP28-100G: {breakout: {default: 1x100G, supported: {1x100G: {offsets: ["0"]}, 4x25G: {offsets: ["0", "1", "2", "3"]}}}}
    SFP28-25G: {speed: {default: 25G, supported: [25G]}}
  ports:
    M1: {management: true, nos: Management0}
    E1/1: {nos: Ethernet0, profile: QSFP28-100G}
    E1/2: {nos: Ethernet4, profile: QSFP28-100G}
    E1/3: {nos: Ethernet8, profile: SFP28-25G}
`
	xBreakoutSwitch = `kind: Switch
metadata: {name: bo-1}
spec: {role: server-leaf, profile: bo, asn: 65140, ip: 192.168.200.40/24, protocolIP: 172.30.8.40/32, vtepIP: 172.30.12.40/32, vlanNamespaces: [default]}
`
	xBOServer  = "kind: Server\nmetadata: {name: server-b}\nspec: {}\n"
	xBOWhole   = "kind: Connection\nmetadata: {name: bo-whole}\nspec:\n  unbundled:\n    link:\n      server: {port: server-b/eth1}\n      switch: {port: bo-1/E1/1}\n"
	xBOLane1   = "kind: Connection\nmetadata: {name: bo-lane1}\nspec:\n  unbundled:\n    link:\n      server: {port: server-b/eth3}\n      switch: {port: bo-1/E1/2/1}\n"
	xMystery   = "kind: Switch\nmetadata: {name: leaf-m}\nspec: {role: server-leaf, profile: mystery, asn: 65150, ip: 192.168.200.50/24, protocolIP: 172.30.8.50/32, vlanNamespaces: [default]}\n"
	xExternalO = "kind: External\nmetadata: {name: ext-other}\nspec: {ipv4Namespace: other, inboundCommunity: \"65102:5000\", outboundCommunity: \"50000:50001\"}\n"
	xFreeVPC   = "kind: VPC\nmetadata: {name: vpc-free}\nspec:\n  subnets:\n    default: {subnet: 10.10.180.0/24, vlan: 1180}\n"
)

var xSpineAndFabric = []string{
	switchYAML("spine-1", "spine", 65100, "192.168.200.70/24", "172.30.8.70/32", ""),
	"kind: Connection\nmetadata: {name: spine-1--fabric--s5248-01}\nspec:\n  fabric:\n    links:\n      - {spine: {port: spine-1/E1/1, ip: 172.30.128.0/31}, leaf: {port: s5248-01/E1/48, ip: 172.30.128.1/31}}\n",
}

const (
	xOverlapVLANNS  = "kind: VLANNamespace\nmetadata: {name: ov}\nspec:\n  ranges: [{from: 200, to: 300}]\n"
	xAdjacentVLANNS = "kind: VLANNamespace\nmetadata: {name: adj}\nspec:\n  ranges: [{from: 201, to: 300}]\n"
	xStaticExternal = "kind: External\nmetadata: {name: ext-static}\nspec:\n  static: {prefixes: [10.99.0.0/16]}\n"
	xExtConn2       = "kind: Connection\nmetadata: {name: ext-conn-2}\nspec:\n  external:\n    link:\n      switch: {port: s5248-01/E1/11}\n"
)

func leafWithNamespaces(ns ...string) string {
	return strings.Replace(switchYAML("leaf-n", "server-leaf", 65160, "192.168.200.60/24", "172.30.8.60/32", "172.30.12.60/32"), "[default]", "["+strings.Join(ns, ", ")+"]", 1)
}

func serverUnbundled(name, serverPort, swPort string) string {
	return fmt.Sprintf("kind: Connection\nmetadata: {name: %s}\nspec:\n  unbundled:\n    link:\n      server: {port: %s}\n      switch: {port: %s}\n", name, serverPort, swPort)
}

func gatewayConn(name, swPort, gwPort, swIP, gwIP string) string {
	return fmt.Sprintf("kind: Connection\nmetadata: {name: %s}\nspec:\n  gateway:\n    links:\n      - {switch: {port: %s, ip: %s}, gateway: {port: %s, ip: %s}}\n", name, swPort, swIP, gwPort, gwIP)
}

func meshConn(ip1, ip2 string) string {
	link := "{leaf1: {port: s5248-01/E1/47}, leaf2: {port: s5248-02/E1/47}}"
	if ip1 != "" {
		link = fmt.Sprintf("{leaf1: {port: s5248-01/E1/47, ip: %s}, leaf2: {port: s5248-02/E1/47, ip: %s}}", ip1, ip2)
	}
	return "kind: Connection\nmetadata: {name: s5248-01--mesh--s5248-02}\nspec:\n  mesh:\n    links:\n      - " + link + "\n"
}

func bgpExtAttachment(name, ext, conn string, vlan int) string {
	return fmt.Sprintf("kind: ExternalAttachment\nmetadata: {name: %s}\nspec:\n  external: %s\n  connection: %s\n  switch: {ip: 10.200.0.1/24, vlan: %d}\n  neighbor: {ip: 10.200.0.2, asn: 65000}\n", name, ext, conn, vlan)
}

func staticExtAttachment(name, ext, conn string, vlan int) string {
	return fmt.Sprintf("kind: ExternalAttachment\nmetadata: {name: %s}\nspec:\n  external: %s\n  connection: %s\n  static: {remoteIP: 10.201.0.2, ip: 10.201.0.1/24, vlan: %d}\n", name, ext, conn, vlan)
}

func eslagSwitch(i int) string { return fmt.Sprintf(xESLAGSwitch, i, i, i, i, i) }

func unbundled(name, server, swPort string) string {
	return fmt.Sprintf("kind: Connection\nmetadata: {name: %s}\nspec:\n  unbundled:\n    link:\n      server: {port: %s/eth9}\n      switch: {port: %s}\n", name, server, swPort)
}

func attachment(name, conn, subnet string, native bool) string {
	return fmt.Sprintf("kind: VPCAttachment\nmetadata: {name: %s}\nspec: {connection: %s, subnet: %s, nativeVLAN: %v}\n", name, conn, subnet, native)
}

func extPeering(ext, vpc, subnet string) string {
	return fmt.Sprintf("kind: ExternalPeering\nmetadata: {name: ep-t}\nspec:\n  permit:\n    external: {name: %s, prefixes: [{prefix: 0.0.0.0/0}]}\n    vpc: {name: %s, subnets: [%s]}\n", ext, vpc, subnet)
}

func extAttachment(ext, conn string) string {
	return fmt.Sprintf("kind: ExternalAttachment\nmetadata: {name: ea-t}\nspec:\n  external: %s\n  connection: %s\n  switch: {ip: 10.200.0.1/24, vlan: 100}\n  neighbor: {ip: 10.200.0.2, asn: 65000}\n", ext, conn)
}

func peering(a, aSub, b, bSub string) string {
	return fmt.Sprintf("kind: VPCPeering\nmetadata: {name: peer-t}\nspec:\n  permit:\n    - %s: {subnets: [%s]}\n      %s: {subnets: [%s]}\n", a, aSub, b, bSub)
}

// crossView is the demo fabric plus extra objects.
func crossView(t testing.TB, extra ...string) *View {
	t.Helper()
	v := NewView(demoFabric(t)...)
	for _, y := range extra {
		v.Upsert(decodeYAML(t, y))
	}
	return v
}

type crossCase struct {
	name   string
	extra  []string
	target string
	rule   string
	path   string
	reject bool
	detail []string // substrings of the finding's Detail (reject cases)
	absent []string // substrings the finding's Detail must not hold (reject cases)
	warn   bool     // the finding is a warning
}

func runCrossCases(t *testing.T, cases []crossCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := crossView(t, tc.extra...)
			obj := decodeYAML(t, tc.target)
			v.Upsert(obj)
			ds := ValidateCross(obj, v)
			var found *diag.Diagnostic
			for i, d := range ds {
				if d.Rule == tc.rule && d.Path.String() == tc.path {
					found = &ds[i]
				}
				if d.Stage != diag.StageCross || d.Name != obj.Meta().Name || d.Kind != obj.GetKind() {
					t.Errorf("bad diagnostic header: %s", d)
				}
			}
			if !tc.reject {
				if hasRule(ds, tc.rule, "") || ds.HasError() {
					t.Fatalf("want no %s and no errors, got:%s", tc.rule, dump(ds))
				}
				return
			}
			if found == nil {
				t.Fatalf("want %s at %q, got:%s", tc.rule, tc.path, dump(ds))
			}
			if (found.Severity == diag.Warning) != tc.warn {
				t.Errorf("severity %s, want warning=%v", found.Severity, tc.warn)
			}
			for _, s := range tc.detail {
				if !strings.Contains(found.Detail, s) {
					t.Errorf("detail %q lacks %q", found.Detail, s)
				}
			}
			for _, s := range tc.absent {
				if strings.Contains(found.Detail, s) {
					t.Errorf("detail %q holds %q", found.Detail, s)
				}
			}
		})
	}
}

func TestValidateCrossVPC(t *testing.T) {
	sub := `spec.subnets["default"]`
	runCrossCases(t, []crossCase{
		{name: "cross.vpc.ipv4namespace-exists/reject", target: "kind: VPC\nmetadata: {name: v}\nspec:\n  ipv4Namespace: nope\n  subnets:\n    default: {subnet: 10.10.200.0/24, vlan: 1200}\n",
			rule: RuleCrossVPCIPv4NSExists, path: "spec.ipv4Namespace", reject: true, detail: []string{`"nope"`}},
		{name: "cross.vpc.ipv4namespace-exists/accept", target: vpcYAML("10.10.200.0/24", 1200, ""), rule: RuleCrossVPCIPv4NSExists},
		{name: "cross.vpc.vlannamespace-exists/reject", target: "kind: VPC\nmetadata: {name: v}\nspec:\n  vlanNamespace: nope\n  subnets:\n    default: {subnet: 10.10.200.0/24, vlan: 1200}\n",
			rule: RuleCrossVPCVLANNSExists, path: "spec.vlanNamespace", reject: true},
		{name: "cross.vpc.vlannamespace-exists/accept", target: vpcYAML("10.10.200.0/24", 1200, ""), rule: RuleCrossVPCVLANNSExists},
		{name: "cross.vpc.subnet-in-namespace/reject", target: vpcYAML("10.20.0.0/24", 1200, ""), rule: RuleCrossVPCSubnetInNamespace, path: sub + ".subnet", reject: true, detail: []string{"10.10.0.0/16"}},
		{name: "cross.vpc.subnet-in-namespace/reject-larger", target: vpcYAML("10.0.0.0/8", 1200, ""), rule: RuleCrossVPCSubnetInNamespace, path: sub + ".subnet", reject: true},
		{name: "cross.vpc.subnet-in-namespace/accept", target: vpcYAML("10.10.255.0/24", 1200, ""), rule: RuleCrossVPCSubnetInNamespace},
		{name: "cross.vpc.vlan-in-namespace/reject", target: vpcYAML("10.10.200.0/24", 999, ""), rule: RuleCrossVPCVLANInNamespace, path: sub + ".vlan", reject: true, detail: []string{"1000-2999"}},
		{name: "cross.vpc.vlan-in-namespace/accept", target: vpcYAML("10.10.200.0/24", 2999, ""), rule: RuleCrossVPCVLANInNamespace},
		{name: "cross.vpc.subnet-overlap/reject-contained", target: vpcYAML("10.10.101.128/25", 1200, ""), rule: RuleCrossVPCSubnetOverlap, path: sub + ".subnet", reject: true,
			detail: []string{`VPC "vpc-t"`, `VPC "demo-vpc-1"`, "10.10.101.0/24"}},
		{name: "cross.vpc.subnet-overlap/reject-containing", target: vpcYAML("10.10.0.0/17", 1200, ""), rule: RuleCrossVPCSubnetOverlap, path: sub + ".subnet", reject: true,
			detail: []string{`VPC "demo-vpc-`}},
		{name: "cross.vpc.subnet-overlap/accept-other-namespace", extra: []string{xOtherIPv4NS, xOtherVLANNS, xOtherVPC},
			target: "kind: VPC\nmetadata: {name: v}\nspec:\n  ipv4Namespace: other\n  vlanNamespace: other\n  subnets:\n    default: {subnet: 10.50.2.0/24, vlan: 151}\n", rule: RuleCrossVPCSubnetOverlap},
		{name: "cross.vpc.subnet-overlap/accept", target: vpcYAML("10.10.200.0/24", 1200, ""), rule: RuleCrossVPCSubnetOverlap},
		{name: "cross.vpc.vlan-reuse/reject", target: vpcYAML("10.10.200.0/24", 1101, ""), rule: RuleCrossVPCVLANReuse, path: sub + ".vlan", reject: true,
			detail: []string{`VPC "vpc-t"`, `VPC "demo-vpc-1"`}},
		{name: "cross.vpc.vlan-reuse/accept-other-namespace", extra: []string{xOtherIPv4NS, xOtherVLANNS},
			target: "kind: VPC\nmetadata: {name: v}\nspec:\n  ipv4Namespace: other\n  vlanNamespace: other\n  subnets:\n    default: {subnet: 10.50.2.0/24, vlan: 150}\n", rule: RuleCrossVPCVLANReuse},
		{name: "cross.vpc.relay-vpc-exists/reject", target: vpcYAML("10.10.200.0/24", 1200, "      dhcp: {enable: true, relayVPC: nope}\n"), rule: RuleCrossVPCRelayVPCExists, path: sub + ".dhcp.relayVPC", reject: true},
		{name: "cross.vpc.relay-vpc-exists/accept", target: vpcYAML("10.10.200.0/24", 1200, "      dhcp: {enable: true, relayVPC: demo-vpc-2}\n"), rule: RuleCrossVPCRelayVPCExists},
	})
}

func TestValidateCrossAttachmentAndPeering(t *testing.T) {
	eslag := []string{xESLAGGroup, eslagSwitch(1), eslagSwitch(2), xServerE, xESLAGConn}
	runCrossCases(t, []crossCase{
		{name: "cross.vpcattachment.vpc-exists/reject", target: attachment("a", "server-4--unbundled--s5248-02", "nope/default", false), rule: RuleCrossAttVPCExists, path: "spec.subnet", reject: true},
		{name: "cross.vpcattachment.vpc-exists/accept", target: attachment("a", "server-4--unbundled--s5248-02", "demo-vpc-3/subnet-2", false), rule: RuleCrossAttVPCExists},
		{name: "cross.vpcattachment.subnet-exists/reject", target: attachment("a", "server-4--unbundled--s5248-02", "demo-vpc-3/nope", false), rule: RuleCrossAttSubnetExists, path: "spec.subnet", reject: true},
		{name: "cross.vpcattachment.subnet-exists/accept-bare-vpc", target: attachment("a", "server-4--unbundled--s5248-02", "demo-vpc-1", false), rule: RuleCrossAttSubnetExists},
		{name: "cross.vpcattachment.connection-exists/reject", target: attachment("a", "nope", "demo-vpc-3/subnet-2", false), rule: RuleCrossAttConnectionExists, path: "spec.connection", reject: true},
		{name: "cross.vpcattachment.connection-type/reject", extra: []string{xExtConn}, target: attachment("a", "ext-conn", "demo-vpc-3/subnet-2", false), rule: RuleCrossAttConnectionType, path: "spec.connection", reject: true},
		{name: "cross.vpcattachment.connection-type/accept-eslag", extra: eslag, target: attachment("a", "server-e--eslag", "demo-vpc-3/subnet-2", false), rule: RuleCrossAttConnectionType},
		{name: "cross.vpcattachment.vlannamespace/reject", extra: []string{xOtherVLANNS, xOtherIPv4NS, xOtherVPC}, target: attachment("a", "server-4--unbundled--s5248-02", "vpc-other/default", false),
			rule: RuleCrossAttVLANNamespace, path: "spec.connection", reject: true, detail: []string{`Switch "s5248-02"`, `"other"`}},
		{name: "cross.vpcattachment.hostbgp/reject-bundled", extra: []string{xHostBGPVPC}, target: attachment("a", "server-3--bundled--s5248-01", "vpc-bgp/default", false), rule: RuleCrossAttHostBGP, path: "spec.connection", reject: true,
			detail: []string{"not unbundled"}},
		{name: "cross.vpcattachment.hostbgp/reject-mclag-switch", extra: []string{xHostBGPVPC}, target: attachment("a", "server-4--unbundled--s5248-02", "vpc-bgp/default", false), rule: RuleCrossAttHostBGP, path: "spec.connection", reject: true,
			detail: []string{`MCLAG switch "s5248-02"`}},
		{name: "cross.vpcattachment.hostbgp/accept", extra: []string{xHostBGPVPC, xLeafX, xServerX, xUnbundledX}, target: attachment("a", "server-x--unbundled--leaf-x", "vpc-bgp/default", false), rule: RuleCrossAttHostBGP},
		{name: "cross.vpcattachment.eslag-l2vni/reject", extra: append([]string{xL3VPC}, eslag...), target: attachment("a", "server-e--eslag", "vpc-l3/default", false), rule: RuleCrossAttESLAGL2VNI, path: "spec.connection", reject: true},
		{name: "cross.vpcattachment.eslag-l2vni/accept", extra: append([]string{xL3VPC}, eslag...), target: attachment("a", "server-e--eslag", "demo-vpc-1/default", false), rule: RuleCrossAttESLAGL2VNI},
		{name: "cross.vpcattachment.duplicate/reject", target: attachment("a", "server-1--mclag--s5248-01--s5248-02", "demo-vpc-1/default", false), rule: RuleCrossAttDuplicate, path: "spec.subnet", reject: true,
			detail: []string{`"a"`, `"demo-vpc-1--server-1--mclag--s5248-01--s5248-02"`}},
		{name: "cross.vpcattachment.duplicate/accept", target: attachment("a", "server-1--mclag--s5248-01--s5248-02", "demo-vpc-2/default", false), rule: RuleCrossAttDuplicate},
		{name: "cross.vpcattachment.native-vlan/reject", extra: []string{attachment("n1", "server-4--unbundled--s5248-02", "demo-vpc-3/subnet-2", true)},
			target: attachment("n2", "server-4--unbundled--s5248-02", "demo-vpc-3/subnet-1", true), rule: RuleCrossAttNativeVLAN, path: "spec.nativeVLAN", reject: true, detail: []string{`"n1"`, `"n2"`}},
		{name: "cross.vpcattachment.native-vlan/accept", extra: []string{attachment("n1", "server-4--unbundled--s5248-02", "demo-vpc-3/subnet-2", true)},
			target: attachment("n2", "server-4--unbundled--s5248-02", "demo-vpc-3/subnet-1", false), rule: RuleCrossAttNativeVLAN},
		{name: "cross.vpcpeering.vpc-exists/reject", target: peering("demo-vpc-1", "default", "nope", "default"), rule: RuleCrossPeeringVPCExists, path: `spec.permit[0]["nope"]`, reject: true},
		{name: "cross.vpcpeering.vpc-exists/accept", target: peering("demo-vpc-1", "default", "demo-vpc-3", "subnet-1"), rule: RuleCrossPeeringVPCExists},
		{name: "cross.vpcpeering.subnet-exists/reject", target: peering("demo-vpc-1", "nope", "demo-vpc-3", "subnet-1"), rule: RuleCrossPeeringSubnetExists, path: `spec.permit[0]["demo-vpc-1"].subnets[0]`, reject: true},
		{name: "cross.vpcpeering.same-namespace/reject", extra: []string{xOtherIPv4NS, xOtherVLANNS, xOtherVPC}, target: peering("demo-vpc-1", "default", "vpc-other", "default"),
			rule: RuleCrossPeeringSameNamespace, path: `spec.permit[0]["vpc-other"]`, reject: true, detail: []string{"demo-vpc-1", "vpc-other"}},
		{name: "cross.externalpeering.external-exists/reject", target: extPeering("nope", "demo-vpc-1", "default"), rule: RuleCrossExtPeerExternalExists, path: "spec.permit.external.name", reject: true},
		{name: "cross.externalpeering.external-exists/accept", target: extPeering("default", "demo-vpc-2", "default"), rule: RuleCrossExtPeerExternalExists},
		{name: "cross.externalpeering.vpc-exists/reject", target: extPeering("default", "nope", "default"), rule: RuleCrossExtPeerVPCExists, path: "spec.permit.vpc.name", reject: true},
		{name: "cross.externalpeering.subnet-exists/reject", target: extPeering("default", "demo-vpc-1", "nope"), rule: RuleCrossExtPeerSubnetExists, path: "spec.permit.vpc.subnets[0]", reject: true},
		{name: "cross.externalpeering.same-namespace/reject", extra: []string{xOtherIPv4NS, xExternalO}, target: extPeering("ext-other", "demo-vpc-1", "default"), rule: RuleCrossExtPeerSameNamespace, path: "spec.permit", reject: true},
		{name: "cross.externalattachment.external-exists/reject", extra: []string{xExtConn}, target: extAttachment("nope", "ext-conn"), rule: RuleCrossExtAttExternalExists, path: "spec.external", reject: true},
		{name: "cross.externalattachment.external-exists/accept", extra: []string{xExtConn}, target: extAttachment("default", "ext-conn"), rule: RuleCrossExtAttExternalExists},
		{name: "cross.externalattachment.connection-exists/reject", target: extAttachment("default", "nope"), rule: RuleCrossExtAttConnectionExists, path: "spec.connection", reject: true},
		{name: "cross.externalattachment.connection-type/reject", target: extAttachment("default", "server-4--unbundled--s5248-02"), rule: RuleCrossExtAttConnectionType, path: "spec.connection", reject: true},
		{name: "cross.externalattachment.mode/reject-static-attachment-of-bgp-external", extra: []string{xExtConn}, target: staticExtAttachment("ea-s", "default", "ext-conn", 100),
			rule: RuleCrossExtAttMode, path: "spec.static", reject: true, detail: []string{`"ea-s"`, `External "default"`}},
		{name: "cross.externalattachment.mode/reject-bgp-attachment-of-static-external", extra: []string{xExtConn, xStaticExternal}, target: extAttachment("ext-static", "ext-conn"),
			rule: RuleCrossExtAttMode, path: "spec.switch.ip", reject: true, detail: []string{`"ext-static"`}},
		{name: "cross.externalattachment.mode/accept-static-attachment-of-static-external", extra: []string{xExtConn, xStaticExternal}, target: staticExtAttachment("ea-s", "ext-static", "ext-conn", 100),
			rule: RuleCrossExtAttMode},
		{name: "cross.externalattachment.mode/accept-bgp-attachment-of-bgp-external", extra: []string{xExtConn}, target: extAttachment("default", "ext-conn"), rule: RuleCrossExtAttMode},
		{name: "cross.externalattachment.vlan-unique/reject-bgp", extra: []string{xExtConn, extAttachment("default", "ext-conn")}, target: bgpExtAttachment("ea-2", "default", "ext-conn", 100),
			rule: RuleCrossExtAttVLANUnique, path: "spec.switch.vlan", reject: true, detail: []string{`"ea-2"`, `"ea-t"`, "VLAN 100", `"ext-conn"`}},
		{name: "cross.externalattachment.vlan-unique/reject-static-vs-bgp", extra: []string{xExtConn, xStaticExternal, extAttachment("default", "ext-conn")}, target: staticExtAttachment("ea-s", "ext-static", "ext-conn", 100),
			rule: RuleCrossExtAttVLANUnique, path: "spec.static.vlan", reject: true, detail: []string{`"ea-t"`}},
		{name: "cross.externalattachment.vlan-unique/reject-both-untagged", extra: []string{xExtConn, bgpExtAttachment("ea-1", "default", "ext-conn", 0)}, target: bgpExtAttachment("ea-2", "default", "ext-conn", 0),
			rule: RuleCrossExtAttVLANUnique, path: "spec.switch.vlan", reject: true, detail: []string{"untagged"}},
		{name: "cross.externalattachment.vlan-unique/accept-next-vlan", extra: []string{xExtConn, extAttachment("default", "ext-conn")}, target: bgpExtAttachment("ea-2", "default", "ext-conn", 101),
			rule: RuleCrossExtAttVLANUnique},
		{name: "cross.externalattachment.vlan-unique/accept-untagged-next-to-tagged", extra: []string{xExtConn, extAttachment("default", "ext-conn")}, target: bgpExtAttachment("ea-2", "default", "ext-conn", 0),
			rule: RuleCrossExtAttVLANUnique},
		{name: "cross.externalattachment.vlan-unique/accept-same-vlan-other-connection", extra: []string{xExtConn, xExtConn2, extAttachment("default", "ext-conn")}, target: bgpExtAttachment("ea-2", "default", "ext-conn-2", 100),
			rule: RuleCrossExtAttVLANUnique},
		{name: "cross.external.ipv4namespace-exists/reject", target: "kind: External\nmetadata: {name: e}\nspec: {ipv4Namespace: nope, inboundCommunity: \"1:1\", outboundCommunity: \"1:2\"}\n",
			rule: RuleCrossExternalIPv4NSExists, path: "spec.ipv4Namespace", reject: true},
		{name: "cross.external.ipv4namespace-exists/accept", target: "kind: External\nmetadata: {name: e}\nspec: {inboundCommunity: \"1:1\", outboundCommunity: \"1:2\"}\n", rule: RuleCrossExternalIPv4NSExists},
	})
}

func TestValidateCrossWiring(t *testing.T) {
	eslag := []string{xESLAGGroup, eslagSwitch(1), eslagSwitch(2), xServerE}
	bo := []string{xBreakoutProfile, xBreakoutSwitch, xBOServer, xBOWhole, xBOLane1}
	swPath := "spec.unbundled.link.switch.port"
	runCrossCases(t, []crossCase{
		{name: "cross.connection.switch-exists/reject", target: unbundled("c", "server-4", "nope/E1/5"), rule: RuleCrossConnSwitchExists, path: swPath, reject: true},
		{name: "cross.connection.switch-exists/accept", target: unbundled("c", "server-4", "s5248-02/E1/5"), rule: RuleCrossConnSwitchExists},
		{name: "cross.connection.server-exists/reject", target: unbundled("c", "nope", "s5248-02/E1/5"), rule: RuleCrossConnServerExists, path: "spec.unbundled.link.server.port", reject: true},
		{name: "cross.connection.port-profile/reject-no-port", target: unbundled("c", "server-4", "s5248-02/E1/49"), rule: RuleCrossConnPortProfile, path: swPath, reject: true, detail: []string{`"vs"`}},
		{name: "cross.connection.port-profile/reject-management", target: unbundled("c", "server-4", "s5248-02/M1"), rule: RuleCrossConnPortProfile, path: swPath, reject: true},
		{name: "cross.connection.port-profile/reject-no-breakout", target: unbundled("c", "server-4", "s5248-02/E1/5/1"), rule: RuleCrossConnPortProfile, path: swPath, reject: true, detail: []string{"breakout"}},
		{name: "cross.connection.port-profile/reject-lane", extra: bo, target: unbundled("c", "server-b", "bo-1/E1/2/5"), rule: RuleCrossConnPortProfile, path: swPath, reject: true, detail: []string{"lanes 1-4"}},
		{name: "cross.connection.port-profile/accept-lane", extra: bo, target: unbundled("c", "server-b", "bo-1/E1/2/4"), rule: RuleCrossConnPortProfile},
		{name: "cross.connection.port-profile/warn-unknown-profile", extra: []string{xMystery}, target: unbundled("c", "server-4", "leaf-m/E1/5"), rule: RuleCrossConnPortProfile, path: swPath, reject: true, warn: true, detail: []string{`"mystery"`}},
		{name: "cross.connection.port-in-use/reject", target: unbundled("c", "server-1", "s5248-02/E1/4"), rule: RuleCrossConnPortInUse, path: swPath, reject: true,
			detail: []string{`"c"`, `"server-4--unbundled--s5248-02"`}},
		{name: "cross.connection.port-in-use/reject-first-lane-vs-whole", extra: bo, target: unbundled("c", "server-b", "bo-1/E1/1/1"), rule: RuleCrossConnPortInUse, path: swPath, reject: true, detail: []string{`"bo-whole"`, "bo-1/E1/1"}},
		{name: "cross.connection.port-in-use/accept-second-lane-next-to-whole", extra: bo, target: unbundled("c", "server-b", "bo-1/E1/1/2"), rule: RuleCrossConnPortInUse},
		{name: "cross.connection.port-in-use/reject-whole-vs-lane", extra: bo, target: unbundled("c", "server-b", "bo-1/E1/2"), rule: RuleCrossConnPortInUse, path: swPath, reject: true, detail: []string{`"bo-lane1"`}},
		{name: "cross.connection.port-in-use/accept-other-lane", extra: bo, target: unbundled("c", "server-b", "bo-1/E1/2/2"), rule: RuleCrossConnPortInUse},
		{name: "cross.connection.port-in-use/accept-other-switch", target: unbundled("c", "server-1", "s5248-01/E1/20"), rule: RuleCrossConnPortInUse},
		{name: "cross.connection.port-in-use/reject-server-port", target: serverUnbundled("c", "server-4/enp2s1", "s5248-01/E1/20"), rule: RuleCrossConnPortInUse, path: "spec.unbundled.link.server.port", reject: true,
			detail: []string{"server-4/enp2s1", `"server-4--unbundled--s5248-02"`}},
		{name: "cross.connection.port-in-use/reject-server-port-of-a-bundle", target: serverUnbundled("c", "server-3/enp2s2", "s5248-01/E1/20"), rule: RuleCrossConnPortInUse, path: "spec.unbundled.link.server.port", reject: true,
			detail: []string{`"server-3--bundled--s5248-01"`}},
		{name: "cross.connection.port-in-use/accept-other-server-port", target: serverUnbundled("c", "server-4/enp2s2", "s5248-01/E1/20"), rule: RuleCrossConnPortInUse},
		{name: "cross.connection.port-in-use/reject-gateway-port", extra: []string{gatewayConn("gw-a", "s5248-01/E1/40", "gw-1/enp2s1", "172.30.128.10/31", "172.30.128.11/31")},
			target: gatewayConn("gw-b", "s5248-01/E1/41", "gw-1/enp2s1", "172.30.128.12/31", "172.30.128.13/31"), rule: RuleCrossConnPortInUse, path: "spec.gateway.links[0].gateway.port", reject: true},
		{name: "cross.connection.link-ip-unique/reject-fabric-vs-mesh", extra: xSpineAndFabric,
			target: meshConn("172.30.128.1/31", "172.30.128.0/31"), rule: RuleCrossConnLinkIPUnique, path: "spec.mesh.links[0].leaf1.ip", reject: true,
			detail: []string{"172.30.128.1", `"spine-1--fabric--s5248-01"`, "leaf IP of fabric link #0"}},
		{name: "cross.connection.link-ip-unique/reject-gateway", extra: xSpineAndFabric,
			target: gatewayConn("gw-b", "s5248-01/E1/41", "gw-1/enp2s1", "172.30.128.0/31", "172.30.128.1/31"), rule: RuleCrossConnLinkIPUnique, path: "spec.gateway.links[0].switch.ip", reject: true},
		{name: "cross.connection.link-ip-unique/accept-next-31", extra: xSpineAndFabric,
			target: meshConn("172.30.128.2/31", "172.30.128.3/31"), rule: RuleCrossConnLinkIPUnique},
		{name: "cross.connection.link-ip-unique/accept-unnumbered", extra: xSpineAndFabric,
			target: meshConn("", ""), rule: RuleCrossConnLinkIPUnique},
		{name: "cross.connection.eslag-group/reject", extra: eslag, target: "kind: Connection\nmetadata: {name: c}\nspec:\n  eslag:\n    links:\n      - {server: {port: server-e/eth1}, switch: {port: eslag-1/E1/2}}\n      - {server: {port: server-e/eth2}, switch: {port: s5248-01/E1/20}}\n",
			rule: RuleCrossConnESLAGGroup, path: "spec.eslag.links[1].switch.port", reject: true, detail: []string{"s5248-01"}},
		{name: "cross.connection.eslag-group/accept", extra: eslag, target: xESLAGConn, rule: RuleCrossConnESLAGGroup},
		{name: "cross.connection.mclag-group/reject", extra: eslag, target: "kind: Connection\nmetadata: {name: c}\nspec:\n  mclag:\n    links:\n      - {server: {port: server-e/eth1}, switch: {port: eslag-1/E1/2}}\n      - {server: {port: server-e/eth2}, switch: {port: s5248-01/E1/20}}\n",
			rule: RuleCrossConnMCLAGGroup, path: "spec.mclag.links[0].switch.port", reject: true, detail: []string{"eslag-1"}},
		{name: "cross.connection.within-vpc-exists/reject", target: "kind: Connection\nmetadata: {name: c}\nspec:\n  staticExternal:\n    withinVPC: nope\n    link:\n      switch: {port: s5248-01/E1/30, ip: 10.200.0.1/24, nextHop: 10.200.0.2, subnets: [10.99.0.0/24]}\n",
			rule: RuleCrossConnWithinVPCExists, path: "spec.staticExternal.withinVPC", reject: true},
		{name: "cross.connection.within-vpc-exists/accept", target: "kind: Connection\nmetadata: {name: c}\nspec:\n  staticExternal:\n    withinVPC: demo-vpc-1\n    link:\n      switch: {port: s5248-01/E1/30, ip: 10.200.0.1/24, nextHop: 10.200.0.2, subnets: [10.99.0.0/24]}\n",
			rule: RuleCrossConnWithinVPCExists},
		{name: "cross.switch.profile-exists/reject", target: switchYAML("leaf-n", "server-leaf", 65160, "192.168.200.60/24", "172.30.8.60/32", "") + "  profile: nope\n", rule: RuleCrossSwitchProfileExists, path: "spec.profile", reject: true},
		{name: "cross.switch.profile-exists/accept", target: switchYAML("leaf-n", "server-leaf", 65160, "192.168.200.60/24", "172.30.8.60/32", ""), rule: RuleCrossSwitchProfileExists},
		{name: "cross.switch.group-exists/reject", target: switchYAML("leaf-n", "server-leaf", 65160, "192.168.200.60/24", "172.30.8.60/32", "") + "  groups: [nope]\n", rule: RuleCrossSwitchGroupExists, path: "spec.groups[0]", reject: true},
		{name: "cross.switch.group-exists/accept", target: switchYAML("leaf-n", "server-leaf", 65160, "192.168.200.60/24", "172.30.8.60/32", "") + "  groups: [mclag-1]\n", rule: RuleCrossSwitchGroupExists},
		{name: "cross.switch.redundancy-group-exists/reject", target: switchYAML("leaf-n", "server-leaf", 65160, "192.168.200.60/24", "172.30.8.60/32", "") + "  redundancy: {group: nope, type: eslag}\n", rule: RuleCrossSwitchRedGroupExists, path: "spec.redundancy.group", reject: true},
		{name: "cross.switch.redundancy-group-exists/accept", extra: []string{xESLAGGroup}, target: switchYAML("leaf-n", "server-leaf", 65160, "192.168.200.60/24", "172.30.8.60/32", "") + "  redundancy: {group: eslag-1, type: eslag}\n", rule: RuleCrossSwitchRedGroupExists},
		{name: "cross.switch.vlannamespace-exists/reject", target: strings.Replace(switchYAML("leaf-n", "server-leaf", 65160, "192.168.200.60/24", "172.30.8.60/32", ""), "[default]", "[default, nope]", 1), rule: RuleCrossSwitchVLANNSExists, path: "spec.vlanNamespaces[1]", reject: true},
		{name: "cross.switch.vlannamespaces-overlap/reject", extra: []string{xOtherVLANNS, xOverlapVLANNS}, target: leafWithNamespaces("default", "other", "ov"),
			rule: RuleCrossSwitchVLANNSOverlap, path: "spec.vlanNamespaces[2]", reject: true, detail: []string{`"other"`, `"ov"`, "100-200", "200-300"}},
		{name: "cross.switch.vlannamespaces-overlap/reject-listed-twice", target: leafWithNamespaces("default", "default"),
			rule: RuleCrossSwitchVLANNSOverlap, path: "spec.vlanNamespaces[1]", reject: true, detail: []string{"twice"}},
		{name: "cross.switch.vlannamespaces-overlap/accept-adjacent", extra: []string{xOtherVLANNS, xAdjacentVLANNS}, target: leafWithNamespaces("adj", "default", "other"),
			rule: RuleCrossSwitchVLANNSOverlap},
		{name: "cross.switch.ip-unique/reject-management", target: switchYAML("leaf-n", "server-leaf", 65160, "192.168.200.11/24", "172.30.8.60/32", ""), rule: RuleCrossSwitchIPUnique, path: "spec.ip", reject: true, detail: []string{`"leaf-n"`, `"s5248-01"`}},
		{name: "cross.switch.ip-unique/reject-protocol", target: switchYAML("leaf-n", "server-leaf", 65160, "192.168.200.60/24", "172.30.8.2/32", ""), rule: RuleCrossSwitchIPUnique, path: "spec.protocolIP", reject: true, detail: []string{`"s5248-02"`}},
		{name: "cross.switch.ip-unique/reject-vtep", target: switchYAML("leaf-n", "server-leaf", 65160, "192.168.200.60/24", "172.30.8.60/32", "172.30.12.1/32"), rule: RuleCrossSwitchIPUnique, path: "spec.vtepIP", reject: true},
		{name: "cross.switch.ip-unique/accept-mclag-shared-vtep", target: switchYAML("s5248-02", "server-leaf", 65101, "192.168.200.12/24", "172.30.8.2/32", "172.30.12.1/32") + "  redundancy: {group: mclag-1, type: mclag}\n", rule: RuleCrossSwitchIPUnique},
		{name: "cross.switch.asn-unique/reject", target: switchYAML("leaf-n", "server-leaf", 65101, "192.168.200.60/24", "172.30.8.60/32", ""), rule: RuleCrossSwitchASNUnique, path: "spec.asn", reject: true, detail: []string{`"leaf-n"`, `Switch "s5248-0`}},
		{name: "cross.switch.asn-unique/accept-mclag-pair", target: switchYAML("s5248-02", "server-leaf", 65101, "192.168.200.12/24", "172.30.8.2/32", "172.30.12.1/32") + "  redundancy: {group: mclag-1, type: mclag}\n", rule: RuleCrossSwitchASNUnique},
		{name: "cross.switch.asn-unique/accept-spines-share", extra: []string{switchYAML("spine-1", "spine", 65100, "192.168.200.70/24", "172.30.8.70/32", "")},
			target: switchYAML("spine-2", "spine", 65100, "192.168.200.71/24", "172.30.8.71/32", ""), rule: RuleCrossSwitchASNUnique},
	})
}

func TestOverlappingPlannedVPCsNameEachOther(t *testing.T) {
	a := decodeYAML(t, "kind: VPC\nmetadata: {name: new-a}\nspec:\n  subnets:\n    s1: {subnet: 10.10.40.0/24, vlan: 1400}\n")
	b := decodeYAML(t, "kind: VPC\nmetadata: {name: new-b}\nspec:\n  subnets:\n    s2: {subnet: 10.10.40.0/22, vlan: 1400}\n")
	objs := append(demoFabric(t), a, b)
	ds := Run(t.Context(), Input{Objects: objs, Config: testConfig(t)})
	for _, pair := range [][2]string{{"new-a", "new-b"}, {"new-b", "new-a"}} {
		for _, rule := range []string{RuleCrossVPCSubnetOverlap, RuleCrossVPCVLANReuse} {
			ok := false
			for _, d := range ds {
				if d.Rule == rule && d.Name == pair[0] && strings.Contains(d.Detail, `"`+pair[0]+`"`) && strings.Contains(d.Detail, `"`+pair[1]+`"`) {
					ok = true
				}
			}
			if !ok {
				t.Errorf("no %s finding on %s naming %s:%s", rule, pair[0], pair[1], dump(ds))
			}
		}
	}
	// Only the two new VPCs are findings.
	for _, d := range ds {
		if d.Name != "new-a" && d.Name != "new-b" && d.Severity == diag.Error {
			t.Errorf("unexpected finding %s", d)
		}
	}
}

func TestValidateDelete(t *testing.T) {
	cases := []struct {
		name       string
		extra      []string
		remove     [][2]string // removed from the view before the check
		kind, obj  string
		rule       string
		reject     bool
		detailWant []string
	}{
		{name: "delete.vpc.in-use/reject", kind: fabric.KindVPC, obj: "demo-vpc-1", rule: RuleDeleteVPCInUse, reject: true,
			detailWant: []string{`VPCAttachment "demo-vpc-1--server-1--mclag--s5248-01--s5248-02"`, `VPCPeering "demo-vpc-1--demo-vpc-2"`, `ExternalPeering "demo-vpc-1--default"`}},
		{name: "delete.vpc.in-use/accept", extra: []string{xFreeVPC}, kind: fabric.KindVPC, obj: "vpc-free", rule: RuleDeleteVPCInUse},
		{name: "delete.vpc.in-use/accept-after-removing-attachment", kind: fabric.KindVPC, obj: "demo-vpc-3", rule: RuleDeleteVPCInUse,
			remove: [][2]string{{fabric.KindVPCAttachment, "demo-vpc-3--server-3--bundled--s5248-01"}}},
		{name: "delete.ipv4namespace.in-use/reject", kind: fabric.KindIPv4Namespace, obj: "default", rule: RuleDeleteIPv4NSInUse, reject: true, detailWant: []string{`VPC "demo-vpc-1"`, `External "default"`}},
		{name: "delete.ipv4namespace.in-use/accept", extra: []string{xOtherIPv4NS}, kind: fabric.KindIPv4Namespace, obj: "other", rule: RuleDeleteIPv4NSInUse},
		{name: "delete.vlannamespace.in-use/reject", kind: fabric.KindVLANNamespace, obj: "default", rule: RuleDeleteVLANNSInUse, reject: true, detailWant: []string{`Switch "s5248-01"`}},
		{name: "delete.vlannamespace.in-use/accept", extra: []string{xOtherVLANNS}, kind: fabric.KindVLANNamespace, obj: "other", rule: RuleDeleteVLANNSInUse},
		{name: "delete.switch.in-use/reject", kind: fabric.KindSwitch, obj: "s5248-01", rule: RuleDeleteSwitchInUse, reject: true, detailWant: []string{`Connection "server-3--bundled--s5248-01"`}},
		{name: "delete.switch.in-use/accept", extra: []string{xLeafX}, kind: fabric.KindSwitch, obj: "leaf-x", rule: RuleDeleteSwitchInUse},
		{name: "delete.server.in-use/reject", kind: fabric.KindServer, obj: "server-1", rule: RuleDeleteServerInUse, reject: true},
		{name: "delete.server.in-use/accept", extra: []string{xServerX}, kind: fabric.KindServer, obj: "server-x", rule: RuleDeleteServerInUse},
		{name: "delete.connection.in-use/reject", kind: fabric.KindConnection, obj: "server-4--unbundled--s5248-02", rule: RuleDeleteConnectionInUse, reject: true},
		{name: "delete.connection.in-use/reject-external-attachment", extra: []string{xExtConn, extAttachment("default", "ext-conn")}, kind: fabric.KindConnection, obj: "ext-conn", rule: RuleDeleteConnectionInUse, reject: true, detailWant: []string{`ExternalAttachment "ea-t"`}},
		{name: "delete.connection.in-use/accept-after-removing-attachment", kind: fabric.KindConnection, obj: "server-4--unbundled--s5248-02", rule: RuleDeleteConnectionInUse,
			remove: [][2]string{{fabric.KindVPCAttachment, "demo-vpc-2--server-4--unbundled--s5248-02"}}},
		{name: "delete.external.in-use/reject", kind: fabric.KindExternal, obj: "default", rule: RuleDeleteExternalInUse, reject: true, detailWant: []string{`ExternalPeering "demo-vpc-1--default"`}},
		{name: "delete.external.in-use/accept-after-removing-peering", kind: fabric.KindExternal, obj: "default", rule: RuleDeleteExternalInUse,
			remove: [][2]string{{fabric.KindExternalPeering, "demo-vpc-1--default"}}},
		{name: "delete.switchgroup.in-use/reject", kind: fabric.KindSwitchGroup, obj: "mclag-1", rule: RuleDeleteSwitchGroupInUse, reject: true},
		{name: "delete.switchgroup.in-use/accept", extra: []string{xESLAGGroup}, kind: fabric.KindSwitchGroup, obj: "eslag-1", rule: RuleDeleteSwitchGroupInUse},
		{name: "delete.switchprofile.in-use/reject", kind: fabric.KindSwitchProfile, obj: "vs", rule: RuleDeleteSwitchProfileInUse, reject: true},
		{name: "delete.switchprofile.in-use/accept", kind: fabric.KindSwitchProfile, obj: "cumulus-vx", rule: RuleDeleteSwitchProfileInUse},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := crossView(t, tc.extra...)
			for _, r := range tc.remove {
				if v.Get(r[0], r[1]) == nil {
					t.Fatalf("%s/%s not in view", r[0], r[1])
				}
				v.Remove(r[0], r[1])
			}
			ds := ValidateDelete(tc.kind, tc.obj, v)
			if got := hasRule(ds, tc.rule, ""); got != tc.reject {
				t.Fatalf("rule %s: got %v want %v:%s", tc.rule, got, tc.reject, dump(ds))
			}
			for _, d := range ds {
				if d.Kind != tc.kind || d.Name != tc.obj {
					t.Errorf("bad header %s", d)
				}
				for _, s := range tc.detailWant {
					if !strings.Contains(d.Detail, s) {
						t.Errorf("detail %q lacks %q", d.Detail, s)
					}
				}
			}
		})
	}
}

// A partial view (the fabric could not be read whole) warns about missing references instead of failing,
// so that the stages after cross still run.
func TestPartialViewSoftensExistence(t *testing.T) {
	vpc := &fabric.VPC{Metadata: fabric.ObjectMeta{Name: "v1", Namespace: "default"}, Spec: fabric.VPCSpec{IPv4Namespace: "nope", VLANNamespace: "nope"}}
	v := NewView()
	if ds := ValidateCross(vpc, v); !ds.HasError() {
		t.Fatalf("a complete view must fail: %v", ds)
	}
	v = NewView()
	v.SetPartial("no backend holds whole objects")
	ds := ValidateCross(vpc, v)
	if ds.HasError() || len(ds) == 0 {
		t.Fatalf("want warnings only, got %v", ds)
	}
	for _, d := range ds {
		if !strings.Contains(d.Detail, "no backend holds whole objects") {
			t.Errorf("detail does not say why: %q", d.Detail)
		}
	}
}

// The mode finding is reported on the attachment whichever of the pair is planned last: planned after
// the External, the attachment finds it itself; planned before it, validating the External reports it on
// the attachment (Kind, Name and Path of the attachment). An attachment as read from the fabric is not
// reported from the External's side, since a later plan in the same run may still change it.
func TestExternalAttachmentModeEitherOrder(t *testing.T) {
	toStatic := "kind: External\nmetadata: {name: default}\nspec:\n  static: {prefixes: [10.99.0.0/16]}\n"
	wantOnAttachment := func(t *testing.T, ds diag.Diagnostics) {
		t.Helper()
		n := 0
		for _, d := range ds {
			if d.Rule == RuleCrossExtAttMode {
				n++
				if d.Kind != fabric.KindExternalAttachment || d.Name != "ea-t" || d.Path.String() != "spec.switch.ip" || d.Stage != diag.StageCross || d.Severity != diag.Error {
					t.Errorf("finding not on the attachment: %s", d)
				}
			}
		}
		if n != 1 {
			t.Fatalf("want one %s finding, got:%s", RuleCrossExtAttMode, dump(ds))
		}
	}
	t.Run("attachment planned last", func(t *testing.T) {
		v := crossView(t, xExtConn)
		v.Upsert(decodeYAML(t, toStatic))
		att := decodeYAML(t, extAttachment("default", "ext-conn"))
		v.Upsert(att)
		wantOnAttachment(t, ValidateCross(att, v))
	})
	t.Run("external planned last", func(t *testing.T) {
		v := crossView(t, xExtConn)
		v.Upsert(decodeYAML(t, extAttachment("default", "ext-conn"))) // planned while the External was still BGP
		ext := decodeYAML(t, toStatic)
		v.Upsert(ext)
		ds := ValidateCross(ext, v)
		wantOnAttachment(t, ds)
		// ValidateObject (what a plan calls) reports it too, and does not count it as the External's own
		// error: the External's later stages still run.
		pol := &Policy{RequiredLabels: []RequiredKeysRule{{Kind: fabric.KindExternal, Keys: []string{"team"}, Severity: SeverityWarning}}}
		got := ValidateObject(ext, v, testConfig(t), pol)
		wantOnAttachment(t, got)
		if !hasRule(got, RulePolicyRequiredLabel, "") {
			t.Errorf("the External's policy stage did not run:%s", dump(got))
		}
	})
	t.Run("attachment read from the fabric is left to its own plan", func(t *testing.T) {
		v := NewView(append(demoFabric(t), decodeYAML(t, xExtConn), decodeYAML(t, extAttachment("default", "ext-conn")))...)
		ext := decodeYAML(t, toStatic)
		v.Upsert(ext)
		if ds := ValidateCross(ext, v); hasRule(ds, RuleCrossExtAttMode, "") {
			t.Fatalf("an attachment not planned in this run was reported:%s", dump(ds))
		}
	})
	t.Run("one run reports it once", func(t *testing.T) {
		objs := append(demoFabric(t), decodeYAML(t, xExtConn), decodeYAML(t, extAttachment("default", "ext-conn")), decodeYAML(t, toStatic))
		// The demo fabric's External "default" is replaced by its static version; drop the original.
		var in []fabric.Object
		for _, o := range objs[:len(objs)-1] {
			if o.GetKind() == fabric.KindExternal && o.Meta().Name == "default" {
				continue
			}
			in = append(in, o)
		}
		in = append(in, objs[len(objs)-1])
		ds := Run(t.Context(), Input{Objects: in, Config: testConfig(t)})
		var mode diag.Diagnostics
		for _, d := range ds {
			if d.Rule == RuleCrossExtAttMode {
				mode = append(mode, d)
			}
		}
		wantOnAttachment(t, mode)
	})
}

// TestValidateCrossNotFoundHints checks the way forward a "referenced object not found" finding gives: the
// closest existing names of the kind ("did you mean", only close ones, at most 3) and, for a part of an
// object, what exists.
func TestValidateCrossNotFoundHints(t *testing.T) {
	const noHint = "did you mean"
	sw := "spec.unbundled.link.switch.port"
	sw16 := switchYAML("leaf-n", "server-leaf", 65160, "192.168.200.60/24", "172.30.8.60/32", "")
	runCrossCases(t, []crossCase{
		{name: "connection/close", target: attachment("a", "server-4--unbundled--s5248-0", "demo-vpc-3/subnet-2", false), rule: RuleCrossAttConnectionExists, path: "spec.connection", reject: true,
			detail: []string{`does not exist; did you mean "server-4--unbundled--s5248-02"?`}},
		{name: "connection/none-close", target: attachment("a", "nope", "demo-vpc-3/subnet-2", false), rule: RuleCrossAttConnectionExists, path: "spec.connection", reject: true,
			detail: []string{`Connection "nope", which does not exist`}, absent: []string{noHint}},
		{name: "vpc/at-most-three", target: attachment("a", "server-4--unbundled--s5248-02", "demo-vpc-4/default", false), rule: RuleCrossAttVPCExists, path: "spec.subnet", reject: true,
			detail: []string{`did you mean "demo-vpc-1", "demo-vpc-2" or "demo-vpc-3"?`}},
		{name: "subnet/close-and-existing", target: attachment("a", "server-4--unbundled--s5248-02", "demo-vpc-3/subnet-3", false), rule: RuleCrossAttSubnetExists, path: "spec.subnet", reject: true,
			detail: []string{`VPC "demo-vpc-3" has no subnet "subnet-3"; its subnets are "subnet-1" and "subnet-2"; did you mean "subnet-1" or "subnet-2"?`}},
		{name: "subnet/none-close", target: attachment("a", "server-4--unbundled--s5248-02", "demo-vpc-1/nope", false), rule: RuleCrossAttSubnetExists, path: "spec.subnet", reject: true,
			detail: []string{`its only subnet is "default"`}, absent: []string{noHint}},
		{name: "peering-subnet/existing", target: peering("demo-vpc-1", "defautl", "demo-vpc-3", "subnet-1"), rule: RuleCrossPeeringSubnetExists, path: `spec.permit[0]["demo-vpc-1"].subnets[0]`, reject: true,
			detail: []string{`its only subnet is "default"; did you mean "default"?`}},
		{name: "externalpeering-subnet/existing", target: extPeering("default", "demo-vpc-3", "subnet2"), rule: RuleCrossExtPeerSubnetExists, path: "spec.permit.vpc.subnets[0]", reject: true,
			detail: []string{`its subnets are "subnet-1" and "subnet-2"; did you mean "subnet-2"?`}},
		{name: "external/transposition", extra: []string{xExtConn}, target: extAttachment("defualt", "ext-conn"), rule: RuleCrossExtAttExternalExists, path: "spec.external", reject: true,
			detail: []string{`did you mean "default"?`}},
		{name: "switch/only-the-closest", target: unbundled("c", "server-4", "s5248-2/E1/5"), rule: RuleCrossConnSwitchExists, path: sw, reject: true,
			detail: []string{`did you mean "s5248-02"?`}, absent: []string{`"s5248-01"`}},
		{name: "server/close", target: unbundled("c", "server-44", "s5248-02/E1/5"), rule: RuleCrossConnServerExists, path: "spec.unbundled.link.server.port", reject: true,
			detail: []string{`did you mean "server-4"?`}},
		{name: "port/existing", target: unbundled("c", "server-4", "s5248-02/E1/49"), rule: RuleCrossConnPortProfile, path: sw, reject: true,
			detail: []string{"no such port; the profile has ports E1/1-E1/48"}, absent: []string{noHint}},
		{name: "port/case", target: unbundled("c", "server-4", "s5248-02/e1/5"), rule: RuleCrossConnPortProfile, path: sw, reject: true,
			detail: []string{`did you mean "E1/5"?`}},
		{name: "port-in-use/names-the-connection", target: unbundled("c", "server-1", "s5248-02/E1/4"), rule: RuleCrossConnPortInUse, path: sw, reject: true,
			detail: []string{`of Connection "`}},
		{name: "vlannamespace/case", target: leafWithNamespaces("Default"), rule: RuleCrossSwitchVLANNSExists, path: "spec.vlanNamespaces[0]", reject: true,
			detail: []string{`did you mean "default"?`}},
		{name: "switchgroup/close", target: sw16 + "  groups: [mclag-2]\n", rule: RuleCrossSwitchGroupExists, path: "spec.groups[0]", reject: true,
			detail: []string{`did you mean "mclag-1"?`}},
		{name: "switchgroup/none-close", target: sw16 + "  groups: [nope]\n", rule: RuleCrossSwitchGroupExists, path: "spec.groups[0]", reject: true, absent: []string{noHint}},
		{name: "relay-vpc/not-itself", target: "kind: VPC\nmetadata: {name: demo-vpc-9}\nspec:\n  subnets:\n    default: {subnet: 10.10.200.0/24, vlan: 1200, dhcp: {enable: true, relayVPC: demo-vpc-8}}\n",
			rule: RuleCrossVPCRelayVPCExists, path: `spec.subnets["default"].dhcp.relayVPC`, reject: true,
			detail: []string{`did you mean "demo-vpc-1", "demo-vpc-2" or "demo-vpc-3"?`}, absent: []string{`"demo-vpc-9"?`}},
	})
}

func TestClosestNames(t *testing.T) {
	names := func(ns ...string) func(func(string) bool) {
		return func(yield func(string) bool) {
			for _, n := range ns {
				if !yield(n) {
					return
				}
			}
		}
	}
	for _, tc := range []struct {
		name  string
		cands []string
		want  string
	}{
		{"nope", []string{"default", "demo-vpc-1"}, ""},
		{"", []string{"a"}, ""},
		{"defualt", []string{"default", "other"}, `"default"`},
		{"vpc-1", []string{"vpc-2", "vpc-3", "vpc-4", "vpc-5"}, `"vpc-2", "vpc-3" or "vpc-4"`},
		{"Leaf-1", []string{"leaf-1", "leaf-2"}, `"leaf-1"`},
		{"a", []string{"b", "ab"}, `"b" or "ab"`},
	} {
		got := ""
		if n := closestNames(tc.name, names(tc.cands...)); len(n) > 0 {
			got = quotedList(n, "or")
		}
		if got != tc.want {
			t.Errorf("closestNames(%q, %q) = %s, want %s", tc.name, tc.cands, got, tc.want)
		}
	}
}

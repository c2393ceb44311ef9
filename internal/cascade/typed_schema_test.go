package cascade

import (
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// Typed objects encoded by fabric.ToUnstructured (as Run does) must not trip the schema stage, e.g.
// through fields the Go types always emit.
func TestTypedObjectsOfEveryKindPassSchema(t *testing.T) {
	ys := []string{
		extAttachment("default", "ext-conn"),
		"kind: ExternalAttachment\nmetadata: {name: ea}\nspec:\n  external: e\n  connection: c\n  static: {remoteIP: 10.0.0.1, ip: 10.0.0.2/24, vlan: 10}\n  inboundACL:\n    statements:\n      - {seq: 1, action: permit, protocol: tcp, srcPrefix: any, dstPrefix: 10.0.0.0/8}\n",
		extPeering("default", "v", "default"),
		xExtConn, xESLAGConn, xBreakoutProfile, xMystery, xExternalO, peering("a", "default", "b", "default"),
		"kind: ServerProfile\nmetadata: {name: sp}\nspec:\n  nics: [{name: nic0, ports: [{name: port0}]}]\n",
		"kind: Connection\nmetadata: {name: gw}\nspec:\n  gateway:\n    links: [{switch: {port: s/E1/1, ip: 10.0.0.1/31}, gateway: {port: g/eth0, ip: 10.0.0.0/31}}]\n",
		"kind: Connection\nmetadata: {name: md}\nspec:\n  mclagDomain:\n    peerLinks: [{switch1: {port: a/E1/1}, switch2: {port: b/E1/1}}]\n    sessionLinks: [{switch1: {port: a/E1/2}, switch2: {port: b/E1/2}}]\n",
		"kind: Connection\nmetadata: {name: lb}\nspec:\n  vpcLoopback:\n    links: [{switch1: {port: a/E1/1}, switch2: {port: a/E1/2}}]\n",
		"kind: VPC\nmetadata: {name: full}\nspec:\n  subnets:\n    default:\n      subnet: 10.1.0.0/24\n      vlan: 100\n      dhcp:\n        enable: true\n        options: {dnsServers: [1.1.1.1], interfaceMTU: 1500, leaseTimeSeconds: 100, advertisedRoutes: [{destination: 10.2.0.0/16, gateway: 10.1.0.1}]}\n        static: {\"aa:bb:cc:dd:ee:ff\": {ip: 10.1.0.5}}\n  staticRoutes: [{prefix: 10.9.0.0/16, nextHops: [10.1.0.2]}]\n",
	}
	for _, y := range ys {
		o := decodeYAML(t, y)
		u, err := fabric.ToUnstructured(o)
		if err != nil {
			t.Fatal(err)
		}
		if ds := ValidateSchema(o.GetKind(), u); len(ds) != 0 {
			t.Errorf("%s:%s\n%v", o.GetKind(), dump(ds), u)
		}
	}
}

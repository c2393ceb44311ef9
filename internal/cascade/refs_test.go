package cascade

import (
	"reflect"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

func TestReferences(t *testing.T) {
	vpc := decodeYAML(t, "kind: VPC\nmetadata: {name: web}\nspec:\n  ipv4Namespace: ipns-a\n  vlanNamespace: vlns-a\n  subnets:\n    a: {subnet: 10.0.1.0/24, vlan: 1001, dhcp: {relayVPC: relay}}\n    b: {subnet: 10.0.2.0/24, vlan: 1002, dhcp: {relayVPC: relay}}\n")
	want := []Reference{{fabric.KindIPv4Namespace, "ipns-a"}, {fabric.KindVLANNamespace, "vlns-a"}, {fabric.KindVPC, "relay"}}
	if got := References(vpc); !reflect.DeepEqual(got, want) {
		t.Fatalf("VPC references %v, want %v", got, want)
	}
	att := decodeYAML(t, "kind: VPCAttachment\nmetadata: {name: att}\nspec: {subnet: web/a, connection: conn-1, nativeVLAN: true}\n")
	want = []Reference{{fabric.KindConnection, "conn-1"}, {fabric.KindVPC, "web"}}
	if got := References(att); !reflect.DeepEqual(got, want) {
		t.Fatalf("VPCAttachment references %v, want %v", got, want)
	}
	if got := References(decodeYAML(t, "kind: IPv4Namespace\nmetadata: {name: ns1}\nspec: {subnets: [10.0.0.0/16]}\n")); len(got) != 0 {
		t.Fatalf("IPv4Namespace references %v", got)
	}
}

func TestViewPlanned(t *testing.T) {
	read := decodeYAML(t, "kind: IPv4Namespace\nmetadata: {name: read}\nspec: {subnets: [10.0.0.0/16]}\n")
	v := NewView(read)
	if v.Planned(fabric.KindIPv4Namespace, "read") {
		t.Fatal("an object read from the fabric counts as planned")
	}
	v.Upsert(decodeYAML(t, "kind: IPv4Namespace\nmetadata: {name: new}\nspec: {subnets: [10.1.0.0/16]}\n"))
	if !v.Planned(fabric.KindIPv4Namespace, "new") || v.Planned(fabric.KindIPv4Namespace, "absent") {
		t.Fatal("Planned")
	}
}

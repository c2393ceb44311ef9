package cascade

import (
	"fmt"
	"testing"
)

func TestFreeSpace(t *testing.T) {
	v := NewView(
		decodeYAML(t, "kind: IPv4Namespace\nmetadata: {name: fs}\nspec: {subnets: [10.90.0.0/22]}\n"),
		decodeYAML(t, "kind: VLANNamespace\nmetadata: {name: fs}\nspec: {ranges: [{from: 100, to: 110}]}\n"),
		decodeYAML(t, "kind: VPC\nmetadata: {name: a}\nspec: {ipv4Namespace: fs, vlanNamespace: fs, subnets: {x: {subnet: 10.90.0.0/24, vlan: 100}, y: {subnet: 10.90.2.128/25, vlan: 105}}}\n"),
	)
	got, err := FreePrefixes(v, "fs", 24, 10)
	if err != nil || fmt.Sprint(got) != "[10.90.1.0/24 10.90.3.0/24]" {
		t.Fatalf("FreePrefixes = %v, %v", got, err)
	}
	// Planned in the same run: no longer free.
	v.Upsert(decodeYAML(t, "kind: VPC\nmetadata: {name: b}\nspec: {ipv4Namespace: fs, vlanNamespace: fs, subnets: {x: {subnet: 10.90.1.0/24, vlan: 101}}}\n"))
	if got, _ := FreePrefixes(v, "fs", 24, 10); fmt.Sprint(got) != "[10.90.3.0/24]" {
		t.Fatalf("after a planned VPC: %v", got)
	}
	if got, _ := FreePrefixes(v, "fs", 26, 2); fmt.Sprint(got) != "[10.90.2.0/26 10.90.2.64/26]" {
		t.Fatalf("/26: %v", got)
	}
	vl, err := FreeVLANs(v, "fs")
	if err != nil || fmt.Sprint(vl) != "[{102 104} {106 110}]" {
		t.Fatalf("FreeVLANs = %v, %v", vl, err)
	}
	if _, err := FreePrefixes(v, "nope", 24, 1); err == nil {
		t.Fatal("a missing namespace must be an error")
	}
}

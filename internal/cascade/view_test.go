package cascade

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

func TestViewGetListUpsertRemove(t *testing.T) {
	v := NewView(demoFabric(t)...)
	if v.Get(fabric.KindVPC, "demo-vpc-1") == nil || v.Get(fabric.KindVPC, "nope") != nil {
		t.Fatal("Get")
	}
	l := v.List(fabric.KindVPC)
	if len(l) != 3 || l[0].Meta().Name != "demo-vpc-1" || l[2].Meta().Name != "demo-vpc-3" {
		t.Fatalf("List: %v", l)
	}
	n := v.Len()
	// Replacing a VPC re-indexes its subnet: the old prefix no longer overlaps, the new one does.
	moved := decodeYAML(t, "kind: VPC\nmetadata: {name: demo-vpc-1}\nspec:\n  subnets:\n    default: {subnet: 10.10.50.0/24, vlan: 1150}\n")
	v.Upsert(moved)
	if v.Len() != n {
		t.Fatalf("upsert changed the count: %d → %d", n, v.Len())
	}
	probe := decodeYAML(t, "kind: VPC\nmetadata: {name: probe}\nspec:\n  subnets:\n    default: {subnet: 10.10.101.0/24, vlan: 1101}\n")
	v.Upsert(probe)
	if ds := ValidateCross(probe, v); hasRule(ds, RuleCrossVPCSubnetOverlap, "") || hasRule(ds, RuleCrossVPCVLANReuse, "") {
		t.Fatalf("stale index after upsert:%s", dump(ds))
	}
	probe2 := decodeYAML(t, "kind: VPC\nmetadata: {name: probe2}\nspec:\n  subnets:\n    default: {subnet: 10.10.50.0/25, vlan: 1150}\n")
	v.Upsert(probe2)
	ds := ValidateCross(probe2, v)
	if !hasRule(ds, RuleCrossVPCSubnetOverlap, "") || !hasRule(ds, RuleCrossVPCVLANReuse, "") {
		t.Fatalf("new index entries missing:%s", dump(ds))
	}
	v.Remove(fabric.KindVPC, "demo-vpc-1")
	if v.Get(fabric.KindVPC, "demo-vpc-1") != nil || v.Len() != n+1 {
		t.Fatal("Remove")
	}
	if ds := ValidateCross(probe2, v); hasRule(ds, RuleCrossVPCSubnetOverlap, "") {
		t.Fatalf("stale index after remove:%s", dump(ds))
	}
	v.Remove(fabric.KindVPC, "never-there") // no-op
	// Port index follows connection removal.
	c := decodeYAML(t, unbundled("c", "server-1", "s5248-02/E1/4"))
	v.Upsert(c)
	if !hasRule(ValidateCross(c, v), RuleCrossConnPortInUse, "") {
		t.Fatal("port clash not found")
	}
	v.Remove(fabric.KindConnection, "server-4--unbundled--s5248-02")
	if hasRule(ValidateCross(c, v), RuleCrossConnPortInUse, "") {
		t.Fatal("port index stale after remove")
	}
}

// TestViewIncrementalEqualsFresh checks that a view built by many upserts, replacements and removals
// answers like a view built from the final object set.
func TestViewIncrementalEqualsFresh(t *testing.T) {
	objs := genFabric(1000)
	inc := NewView()
	for _, o := range objs {
		inc.Upsert(o)
	}
	// Replace every VPC with a moved copy, then back; remove and re-add every connection.
	for _, o := range objs {
		if vpc, ok := o.(*fabric.VPC); ok {
			cp := fabric.DeepCopy(vpc).(*fabric.VPC)
			cp.Spec.Subnets["default"].Subnet = "10.255.0.0/24"
			cp.Spec.Subnets["default"].VLAN = 2999
			inc.Upsert(cp)
			inc.Upsert(vpc)
		}
		if c, ok := o.(*fabric.Connection); ok {
			inc.Remove(fabric.KindConnection, c.Metadata.Name)
		}
	}
	for _, o := range objs {
		if _, ok := o.(*fabric.Connection); ok {
			inc.Upsert(o)
		}
	}
	fresh := NewView(objs...)
	if fmt.Sprint(indexSummary(inc)) != fmt.Sprint(indexSummary(fresh)) {
		t.Fatal("incremental view indexes differ from a fresh view")
	}
	cfg := DefaultFabricConfig()
	for _, o := range objs {
		if ds := ValidateObject(o, inc, cfg, nil); len(ds) != 0 {
			t.Fatalf("%s:%s", fabric.Key(o), dump(ds))
		}
	}
}

func indexSummary(v *View) []string {
	var out []string
	for k, s := range v.refs {
		out = append(out, fmt.Sprintf("ref %s %s %d", k.idx, k.target, len(s)))
	}
	for ns, m := range v.vlans {
		for vl, o := range m {
			out = append(out, fmt.Sprintf("vlan %s %d %d", ns, vl, len(o)))
		}
	}
	for k, u := range v.ports {
		out = append(out, fmt.Sprintf("port %s %s %d", k.device, k.base, len(u)))
	}
	for a, o := range v.ips {
		out = append(out, fmt.Sprintf("ip %s %d", a, len(o)))
	}
	for a, o := range v.linkIPs {
		out = append(out, fmt.Sprintf("linkip %s %d", a, len(o)))
	}
	for a, o := range v.asns {
		out = append(out, fmt.Sprintf("asn %d %d", a, len(o)))
	}
	for ns, t := range v.subnets {
		n := 0
		t.overlaps(netip.MustParsePrefix("0.0.0.0/0"), func(subnetOwner) bool { n++; return true })
		out = append(out, fmt.Sprintf("subnets %s %d", ns, n))
	}
	sort.Strings(out)
	return out
}

func TestPrefixTrieOverlaps(t *testing.T) {
	var tr prefixTrie
	add := func(p, vpc string) { tr.insert(subnetOwner{vpc: vpc, subnet: "s", prefix: netip.MustParsePrefix(p)}) }
	add("10.0.0.0/8", "big")
	add("10.1.0.0/16", "mid")
	add("10.1.2.0/24", "small")
	add("10.2.0.0/24", "other")
	add("192.168.0.0/24", "far")
	query := func(p string) []string {
		var got []string
		tr.overlaps(netip.MustParsePrefix(p), func(o subnetOwner) bool { got = append(got, o.vpc); return true })
		sort.Strings(got)
		return got
	}
	for q, want := range map[string]string{
		"10.1.2.128/25": "[big mid small]",
		"10.1.0.0/16":   "[big mid small]",
		"10.0.0.0/7":    "[big mid other small]",
		"10.3.0.0/16":   "[big]",
		"11.0.0.0/8":    "[]",
		"0.0.0.0/0":     "[big far mid other small]",
	} {
		if got := fmt.Sprint(query(q)); got != want {
			t.Errorf("overlaps(%s) = %s, want %s", q, got, want)
		}
	}
	tr.remove(subnetOwner{vpc: "mid", subnet: "s", prefix: netip.MustParsePrefix("10.1.0.0/16")})
	if got := fmt.Sprint(query("10.1.0.0/16")); got != "[big small]" {
		t.Errorf("after remove: %s", got)
	}
	// Early stop.
	n := 0
	tr.overlaps(netip.MustParsePrefix("0.0.0.0/0"), func(subnetOwner) bool { n++; return n < 2 })
	if n != 2 {
		t.Errorf("early stop visited %d", n)
	}
}

func TestViewConcurrentUse(t *testing.T) {
	objs := genFabric(1000)
	v := NewView(objs...)
	cfg := DefaultFabricConfig()
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, o := range objs {
				switch {
				case w%2 == 0 && i%7 == 0:
					v.Upsert(o) // same object again: no change in meaning
				case w%2 == 1 && i%11 == 0:
					_ = v.List(o.GetKind())
				}
				if ds := ValidateObject(o, v, cfg, nil); len(ds) != 0 {
					t.Errorf("%s:%s", fabric.Key(o), dump(ds))
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestCollectorNamesUndecodable: an object that does not decode is named with its kind, name and error;
// the note lists at most maxSkippedListed of them, sorted, and says how many more.
func TestCollectorNamesUndecodable(t *testing.T) {
	var c Collector
	good := map[string]any{"apiVersion": "vpc.githedgehog.com/v1beta1", "kind": "IPv4Namespace",
		"metadata": map[string]any{"name": "good", "namespace": "default"}, "spec": map[string]any{"subnets": []any{"10.0.0.0/16"}}}
	c.Add(fabric.KindIPv4Namespace, "good", good)
	if c.Note("git") != "" || len(c.Objects) != 1 {
		t.Fatalf("a good object: note %q, %d objects", c.Note("git"), len(c.Objects))
	}
	for i := 0; i < maxSkippedListed+2; i++ {
		name := fmt.Sprintf("bad-%02d", i)
		c.Add(fabric.KindIPv4Namespace, "listed-"+name, map[string]any{"apiVersion": "vpc.githedgehog.com/v1beta1", "kind": "IPv4Namespace",
			"metadata": map[string]any{"name": name, "namespace": "default"}, "spec": map[string]any{"subnets": 7}})
	}
	n := c.Note("kubernetes")
	for _, want := range []string{"12 object(s) in kubernetes", `IPv4Namespace "bad-00" (`, `IPv4Namespace "bad-09"`, "and 2 more"} {
		if !strings.Contains(n, want) {
			t.Errorf("note lacks %q: %s", want, n)
		}
	}
	if strings.Contains(n, "bad-10") || len(c.Objects) != 1 {
		t.Errorf("note lists more than %d or objects changed: %s", maxSkippedListed, n)
	}
}

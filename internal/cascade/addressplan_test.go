package cascade

import (
	"fmt"
	"math/rand"
	"net/netip"
	"strings"
	"sync"
	"testing"
)

func planFabric(t *testing.T) *View {
	t.Helper()
	return NewView(
		decodeYAML(t, "kind: IPv4Namespace\nmetadata: {name: t}\nspec: {subnets: [10.0.0.0/22]}\n"),
		decodeYAML(t, "kind: VLANNamespace\nmetadata: {name: t}\nspec: {ranges: [{from: 1000, to: 1003}]}\n"),
		decodeYAML(t, "kind: VPC\nmetadata: {name: old}\nspec: {ipv4Namespace: t, vlanNamespace: t, subnets: {default: {subnet: 10.0.0.0/24, vlan: 1000}}}\n"),
	)
}

func fmtAlloc(reqs []AddressRequest, got []Allocation) string {
	var b strings.Builder
	for i, r := range reqs {
		fmt.Fprintf(&b, "%s=%v,%d,%t ", r.Key(), got[i].Prefix, got[i].VLAN, got[i].Existing)
	}
	return strings.TrimSpace(b.String())
}

func TestPlanAddresses(t *testing.T) {
	reqs := []AddressRequest{
		{VPC: "web", Subnet: "default", PrefixLength: 24, VLAN: true},
		{VPC: "db", Subnet: "default", PrefixLength: 25, VLAN: true},
		{VPC: "old", Subnet: "default", PrefixLength: 24, VLAN: true},
	}
	// Keys in order: db/default (first fit 10.0.1.0/25, VLAN 1001), old/default (kept), web/default
	// (10.0.1.0/24 overlaps db's /25: 10.0.2.0/24, VLAN 1002).
	const want = "web/default=10.0.2.0/24,1002,false db/default=10.0.1.0/25,1001,false old/default=10.0.0.0/24,1000,true"
	v := planFabric(t)
	got, errs := PlanAddresses(v, "t", "t", reqs)
	if errs != nil || fmtAlloc(reqs, got) != want {
		t.Fatalf("PlanAddresses = %s, %v", fmtAlloc(reqs, got), errs)
	}
	// Whatever the order of the requests, the same choice.
	for i := 0; i < 20; i++ {
		shuffled := append([]AddressRequest(nil), reqs...)
		rand.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		got, errs := PlanAddresses(planFabric(t), "t", "t", shuffled)
		for j, r := range shuffled {
			if !strings.Contains(want, fmt.Sprintf("%s=%v,%d,", r.Key(), got[j].Prefix, got[j].VLAN)) || errs != nil {
				t.Fatalf("order %v: %s, %v", shuffled, fmtAlloc(shuffled, got), errs)
			}
		}
	}
	// Read again in the same run (the reservations hold): the same values.
	again, errs := PlanAddresses(v, "t", "t", reqs)
	if errs != nil || fmtAlloc(reqs, again) != want {
		t.Fatalf("second read = %s, %v", fmtAlloc(reqs, again), errs)
	}
	// A reservation blocks another VPC planned later in the run...
	other := decodeYAML(t, "kind: VPC\nmetadata: {name: lit}\nspec: {ipv4Namespace: t, vlanNamespace: t, subnets: {a: {subnet: 10.0.2.0/25, vlan: 1003}}}\n")
	if ds := ValidateObject(other, v, testConfig(t), nil); !ds.HasError() || !strings.Contains(dump(ds), "web") {
		t.Fatalf("a VPC overlapping a reservation must fail naming it: %s", dump(ds))
	}
	otherVLAN := decodeYAML(t, "kind: VPC\nmetadata: {name: lit}\nspec: {ipv4Namespace: t, vlanNamespace: t, subnets: {a: {subnet: 10.0.3.0/25, vlan: 1001}}}\n")
	if ds := ValidateObject(otherVLAN, v, testConfig(t), nil); !ds.HasError() {
		t.Fatalf("a VPC reusing a reserved VLAN must fail: %s", dump(ds))
	}
	// ...but not the VPC it was made for, planned with those values.
	web := decodeYAML(t, "kind: VPC\nmetadata: {name: web}\nspec: {ipv4Namespace: t, vlanNamespace: t, subnets: {default: {subnet: 10.0.2.0/24, vlan: 1002}}}\n")
	v.Upsert(web)
	if ds := ValidateObject(web, v, testConfig(t), nil); ds.HasError() {
		t.Fatalf("the VPC planned with its allocation: %s", dump(ds))
	}
	// Once the VPC holds the values (planned, or applied in an earlier run), they are kept.
	got, errs = PlanAddresses(v, "t", "t", reqs[:1])
	if errs != nil || fmtAlloc(reqs[:1], got) != "web/default=10.0.2.0/24,1002,true" {
		t.Fatalf("after the VPC is planned: %s, %v", fmtAlloc(reqs[:1], got), errs)
	}
	// A new length is a new allocation; the subnet's own old prefix does not count as used.
	got, errs = PlanAddresses(v, "t", "t", []AddressRequest{{VPC: "web", Subnet: "default", PrefixLength: 23}})
	if errs != nil || got[0].Prefix.String() != "10.0.2.0/23" || got[0].Existing {
		t.Fatalf("/23 for web: %v, %v", got, errs)
	}
	// No room: the error names the request, the field and the namespace's space.
	_, errs = PlanAddresses(v, "t", "t", []AddressRequest{{VPC: "big", Subnet: "x", PrefixLength: 22}})
	if len(errs) != 1 {
		t.Fatalf("no free /22 is left: %v", errs)
	}
	if e := errs[0]; e.Key != "big/x" || e.Field != "prefix_length" || !strings.Contains(e.Detail, "10.0.0.0/22") {
		t.Fatalf("error: %+v", e)
	}
}

func TestPlanAddressesErrors(t *testing.T) {
	v := planFabric(t)
	_, errs := PlanAddresses(v, "nope", "t", []AddressRequest{{VPC: "a", Subnet: "b", PrefixLength: 24, VLAN: true}})
	if len(errs) != 1 || errs[0].Field != "ipv4_namespace" || !strings.Contains(errs[0].Detail, `"nope"`) {
		t.Fatalf("missing namespace: %+v", errs)
	}
	_, errs = PlanAddresses(v, "t", "gone", []AddressRequest{{VPC: "a", Subnet: "b", VLAN: true}})
	if len(errs) != 1 || errs[0].Field != "vlan_namespace" {
		t.Fatalf("missing VLAN namespace: %+v", errs)
	}
	// Four VLANs, one used: the fourth request finds none.
	var reqs []AddressRequest
	for i := 0; i < 4; i++ {
		reqs = append(reqs, AddressRequest{VPC: fmt.Sprintf("v%d", i), Subnet: "s", VLAN: true})
	}
	got, errs := PlanAddresses(v, "", "t", reqs)
	if len(errs) != 1 || errs[0].Key != "v3/s" || errs[0].Field != "vlan" || got[2].VLAN != 1003 {
		t.Fatalf("exhausted VLANs: %s, %+v", fmtAlloc(reqs, got), errs)
	}
}

// TestPlanAddressesConcurrent: address plans read at once (Terraform's parallelism) never hand out the
// same value twice.
func TestPlanAddressesConcurrent(t *testing.T) {
	v := NewView(
		decodeYAML(t, "kind: IPv4Namespace\nmetadata: {name: t}\nspec: {subnets: [10.0.0.0/16]}\n"),
		decodeYAML(t, "kind: VLANNamespace\nmetadata: {name: t}\nspec: {ranges: [{from: 1000, to: 1999}]}\n"),
	)
	const n = 50
	results := make([][]Allocation, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, errs := PlanAddresses(v.Deferring(), "t", "t", []AddressRequest{
				{VPC: fmt.Sprintf("vpc%02d", i), Subnet: "a", PrefixLength: 24, VLAN: true},
				{VPC: fmt.Sprintf("vpc%02d", i), Subnet: "b", PrefixLength: 26, VLAN: true},
			})
			if errs != nil {
				t.Error(errs)
			}
			results[i] = got
		}()
	}
	wg.Wait()
	prefixes, vlans := map[string]string{}, map[uint16]string{}
	for i, rs := range results {
		for j, a := range rs {
			who := fmt.Sprintf("vpc%02d/%d", i, j)
			for p, o := range prefixes {
				if a.Prefix.Overlaps(mustPrefix(t, p)) {
					t.Fatalf("%s got %s, overlapping %s of %s", who, a.Prefix, p, o)
				}
			}
			prefixes[a.Prefix.String()] = who
			if o, ok := vlans[a.VLAN]; ok {
				t.Fatalf("%s and %s both got VLAN %d", who, o, a.VLAN)
			}
			vlans[a.VLAN] = who
		}
	}
}

func mustPrefix(t *testing.T, s string) netip.Prefix {
	t.Helper()
	p, err := netip.ParsePrefix(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPlanAddressesClaimed: literal values of VPCs the validate walk could not read whole are kept clear.
func TestPlanAddressesClaimed(t *testing.T) {
	v := planFabric(t)
	v.Claim([]string{"10.0.1.0/24", "not-a-prefix"}, []int{1001})
	got, errs := PlanAddresses(v, "t", "t", []AddressRequest{{VPC: "n", Subnet: "s", PrefixLength: 24, VLAN: true}})
	if errs != nil || got[0].Prefix.String() != "10.0.2.0/24" || got[0].VLAN != 1002 {
		t.Fatalf("claimed values must be skipped: %v, %v", got, errs)
	}
}

// TestPlanAddressesFixed: values a subnet sets itself are reserved before anything is allocated, whatever the
// key order, and returned as they are.
func TestPlanAddressesFixed(t *testing.T) {
	v := planFabric(t)
	reqs := []AddressRequest{
		{VPC: "a", Subnet: "x", PrefixLength: 24, VLAN: true},
		{VPC: "z", Subnet: "y", FixedPrefix: mustPrefix(t, "10.0.1.0/24"), FixedVLAN: 1001},
	}
	got, errs := PlanAddresses(v, "t", "t", reqs)
	if errs != nil || fmtAlloc(reqs, got) != "a/x=10.0.2.0/24,1002,false z/y=10.0.1.0/24,1001,false" {
		t.Fatalf("fixed values must be kept clear of: %s, %v", fmtAlloc(reqs, got), errs)
	}
	z := decodeYAML(t, "kind: VPC\nmetadata: {name: z}\nspec: {ipv4Namespace: t, vlanNamespace: t, subnets: {y: {subnet: 10.0.1.0/24, vlan: 1001}}}\n")
	v.Upsert(z)
	if ds := ValidateObject(z, v, testConfig(t), nil); ds.HasError() {
		t.Fatalf("the VPC planned with its own values: %s", dump(ds))
	}
}

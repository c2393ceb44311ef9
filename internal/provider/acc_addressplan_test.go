package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// addressPlanHCL: three VPCs under for_each take their subnet and VLAN from one address plan; a VPC with
// literal values whose namespace is a resource attribute (so the validate walk cannot read it whole) shares
// the namespaces. extra adds requests/VPCs (name => prefix length).
func addressPlanHCL(prov, prefix string, extra map[string]int) string {
	vpcs := map[string]int{prefix + "-a": 24, prefix + "-b": 25, prefix + "-c": 24}
	for k, v := range extra {
		vpcs[k] = v
	}
	b, _ := json.Marshal(vpcs)
	return prov + fmt.Sprintf(`
locals {
  vpcs = jsondecode(%q)
}

resource "hedgehog_ipv4_namespace" "ns" {
  name    = "%[2]s-ip"
  subnets = ["10.88.0.0/21"]
}

resource "hedgehog_vlan_namespace" "ns" {
  name   = "%[2]s-vl"
  ranges = [{ from = 1880, to = 1889 }]
}

resource "hedgehog_vpc" "lit" {
  name           = "%[2]s-lit"
  ipv4_namespace = hedgehog_ipv4_namespace.ns.name
  vlan_namespace = hedgehog_vlan_namespace.ns.name
  subnets = {
    default = { subnet = "10.88.0.0/24", vlan = 1880 }
  }
}

data "hedgehog_address_plan" "t" {
  ipv4_namespace = "%[2]s-ip"
  vlan_namespace = "%[2]s-vl"
  requests       = { for name, len in local.vpcs : "${name}/default" => { prefix_length = len } }
}

resource "hedgehog_vpc" "t" {
  for_each       = local.vpcs
  name           = each.key
  ipv4_namespace = hedgehog_ipv4_namespace.ns.name
  vlan_namespace = hedgehog_vlan_namespace.ns.name
  subnets = {
    default = {
      subnet = data.hedgehog_address_plan.t.allocations["${each.key}/default"].subnet
      vlan   = data.hedgehog_address_plan.t.allocations["${each.key}/default"].vlan
    }
  }
}
`, string(b), prefix)
}

// plannedVPCs reads a saved plan: per VPC address, its actions and its planned default subnet and VLAN.
func plannedVPCs(t *testing.T, w *workdir, plan string) map[string]string {
	t.Helper()
	var p struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Type    string `json:"type"`
			Change  struct {
				Actions []string `json:"actions"`
				After   struct {
					Subnets json.RawMessage `json:"subnets"` // a VPC's map; a namespace's list
				} `json:"after"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	out := w.must("show", "-json", plan)
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &p); err != nil {
		t.Fatalf("plan JSON: %v", err)
	}
	got := map[string]string{}
	for _, rc := range p.ResourceChanges {
		if rc.Type != "hedgehog_vpc" {
			continue
		}
		var subnets map[string]struct {
			Subnet *string  `json:"subnet"`
			VLAN   *float64 `json:"vlan"`
		}
		if err := json.Unmarshal(rc.Change.After.Subnets, &subnets); err != nil {
			t.Fatalf("%s: subnets: %v", rc.Address, err)
		}
		d := subnets["default"]
		s, v := "unknown", "unknown"
		if d.Subnet != nil {
			s = *d.Subnet
		}
		if d.VLAN != nil {
			v = fmt.Sprint(*d.VLAN)
		}
		got[rc.Address] = fmt.Sprintf("%s %s %s", strings.Join(rc.Change.Actions, ","), s, v)
	}
	return got
}

// TestAccAddressPlan: the allocations are known at plan and the same whatever order Terraform plans and
// applies in (10 runs of the whole workflow, provider as a plugin, every apply from a saved plan so that the
// apply is another Terraform process), clear of a literal VPC planned in the same run, and stable: a VPC added
// later (whose name sorts first) takes the next free values and moves none of the others.
func TestAccAddressPlan(t *testing.T) {
	accPreCheck(t)
	prov := stk.ProviderHCL(stack.Backends{Kubernetes: true})
	for run := 0; run < fidelityRuns; run++ {
		t.Run(fmt.Sprintf("run%d", run), func(t *testing.T) {
			w := newWorkdir(t, "ap")
			defer w.run(nil, "destroy", "-auto-approve", "-no-color") //nolint:errcheck // cleanup on failure
			w.write(addressPlanHCL(prov, "ap", nil))
			w.must("plan", "-out=p1", "-no-color")
			got := plannedVPCs(t, w, "p1")
			want := map[string]string{
				`hedgehog_vpc.lit`:       "create 10.88.0.0/24 1880",
				`hedgehog_vpc.t["ap-a"]`: "create 10.88.1.0/24 1881",
				`hedgehog_vpc.t["ap-b"]`: "create 10.88.2.0/25 1882",
				`hedgehog_vpc.t["ap-c"]`: "create 10.88.3.0/24 1883",
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("first plan:\n got %v\nwant %v", got, want)
			}
			w.must("apply", "-no-color", "p1")
			u := kubeGet(t, fabric.KindVPC, "ap-b")
			if s, _, _ := unstructured.NestedString(u.Object, "spec", "subnets", "default", "subnet"); s != "10.88.2.0/25" {
				t.Fatalf("ap-b in the cluster has subnet %q", s)
			}
			if out, err := w.run(nil, "plan", "-detailed-exitcode", "-no-color"); err != nil {
				t.Fatalf("the plan after the apply is not empty: %v\n%s", err, out)
			}
			w.write(addressPlanHCL(prov, "ap", map[string]int{"ap-0": 24}))
			w.must("plan", "-out=p2", "-no-color")
			got = plannedVPCs(t, w, "p2")
			want = map[string]string{
				`hedgehog_vpc.lit`:       "no-op 10.88.0.0/24 1880",
				`hedgehog_vpc.t["ap-0"]`: "create 10.88.4.0/24 1884",
				`hedgehog_vpc.t["ap-a"]`: "no-op 10.88.1.0/24 1881",
				`hedgehog_vpc.t["ap-b"]`: "no-op 10.88.2.0/25 1882",
				`hedgehog_vpc.t["ap-c"]`: "no-op 10.88.3.0/24 1883",
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("plan with a VPC added:\n got %v\nwant %v", got, want)
			}
			w.must("apply", "-no-color", "p2")
			if out, err := w.run(nil, "plan", "-detailed-exitcode", "-no-color"); err != nil {
				t.Fatalf("the plan after the second apply is not empty: %v\n%s", err, out)
			}
			w.must("destroy", "-auto-approve", "-no-color")
			for _, n := range []string{"ap-a", "ap-b", "ap-c", "ap-0", "ap-lit"} {
				if _, err := dyn(t).Resource(gvr(fabric.KindVPC)).Namespace("default").Get(context.Background(), n, metav1.GetOptions{}); err == nil {
					t.Fatalf("VPC %s is still in the cluster after the destroy", n)
				}
			}
		})
	}
}

// TestAccAddressPlan_TakenSincePlan: two workspaces plan at once and are given the same free value; the one
// that applies second (a saved plan, applied by a separate Terraform process) fails at apply with an error that
// names the other VPC, and writes nothing.
func TestAccAddressPlan_TakenSincePlan(t *testing.T) {
	accPreCheck(t)
	prov := stk.ProviderHCL(stack.Backends{Kubernetes: true})
	ns := `
resource "hedgehog_ipv4_namespace" "ns" {
  name    = "tk-ip"
  subnets = ["10.89.0.0/22"]
}

resource "hedgehog_vlan_namespace" "ns" {
  name   = "tk-vl"
  ranges = [{ from = 1890, to = 1899 }]
}
`
	base := newWorkdir(t, "base")
	base.write(prov + ns)
	base.must("apply", "-auto-approve", "-no-color")
	defer base.run(nil, "destroy", "-auto-approve", "-no-color") //nolint:errcheck // cleanup

	w := newWorkdir(t, "tenant")
	w.write(prov + `
data "hedgehog_address_plan" "t" {
  ipv4_namespace = "tk-ip"
  vlan_namespace = "tk-vl"
  requests       = { "tk-web/default" = { prefix_length = 24 } }
}

resource "hedgehog_vpc" "web" {
  name           = "tk-web"
  ipv4_namespace = "tk-ip"
  vlan_namespace = "tk-vl"
  subnets = {
    default = {
      subnet = data.hedgehog_address_plan.t.allocations["tk-web/default"].subnet
      vlan   = data.hedgehog_address_plan.t.allocations["tk-web/default"].vlan
    }
  }
}
`)
	w.must("plan", "-out=tfplan", "-no-color")
	show := w.must("show", "-json", "tfplan")
	if !strings.Contains(show, `"subnet":"10.89.0.0/24"`) || !strings.Contains(show, `"vlan":1890`) {
		t.Fatalf("the saved plan lacks the known allocation:\n%s", show)
	}
	// Meanwhile someone else takes the same subnet (another workspace given the same free value).
	other := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "vpc.githedgehog.com/v1beta1", "kind": "VPC",
		"metadata": map[string]any{"name": "tk-other", "namespace": "default"},
		"spec": map[string]any{"ipv4Namespace": "tk-ip", "vlanNamespace": "tk-vl",
			"subnets": map[string]any{"main": map[string]any{"subnet": "10.89.0.0/24", "vlan": int64(1890)}}},
	}}
	c := dyn(t).Resource(gvr(fabric.KindVPC)).Namespace("default")
	if _, err := c.Create(context.Background(), other, metav1.CreateOptions{FieldManager: "other-workspace"}); err != nil {
		t.Fatal(err)
	}
	defer c.Delete(context.Background(), "tk-other", metav1.DeleteOptions{}) //nolint:errcheck // cleanup
	// (The apply's view, read at its start, already holds tk-other; a write by another workspace during the
	// apply walk meets the last look instead: TestRecheckVPC.)
	w.fails(nil, []string{"subnet overlaps another VPC's subnet", `(VPC "tk-other", subnet "main")`}, "apply", "-no-color", "tfplan")
	if _, err := c.Get(context.Background(), "tk-web", metav1.GetOptions{}); err == nil {
		t.Fatal("tk-web was written although its subnet was taken")
	}
	// Planned again, the address plan picks the next free values, and a saved plan applies as planned.
	w.must("plan", "-out=tfplan2", "-no-color")
	w.must("apply", "-no-color", "tfplan2")
	u := kubeGet(t, fabric.KindVPC, "tk-web")
	if s, _, _ := unstructured.NestedString(u.Object, "spec", "subnets", "default", "subnet"); s != "10.89.1.0/24" {
		t.Fatalf("tk-web has subnet %q, want the next free 10.89.1.0/24", s)
	}
	if out, err := w.run(nil, "plan", "-detailed-exitcode", "-no-color"); err != nil {
		t.Fatalf("the plan after the apply is not empty: %v\n%s", err, out)
	}
	w.must("destroy", "-auto-approve", "-no-color")
}

// TestAccAddressPlan_Errors: a bad key, a missing namespace and an exhausted namespace fail at plan on the
// request's attribute, with a way forward.
func TestAccAddressPlan_Errors(t *testing.T) {
	accPreCheck(t)
	prov := stk.ProviderHCL(stack.Backends{Kubernetes: true})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		Steps: []resource.TestStep{
			{
				Config: prov + `
data "hedgehog_address_plan" "t" {
  ipv4_namespace = "no-such-ns"
  requests       = { "web/default" = { prefix_length = 24 } }
}
`,
				ExpectError: regexp.MustCompile(`IPv4Namespace not found(.|\n)*no-such-ns`),
			},
			{
				Config: prov + `
data "hedgehog_address_plan" "t" {
  ipv4_namespace = "x"
  requests       = { "web" = { prefix_length = 24 } }
}
`,
				ExpectError: regexp.MustCompile(`Invalid request key(.|\n)*"<vpc>/<subnet>"`),
			},
			{
				Config: prov + `
resource "hedgehog_ipv4_namespace" "small" {
  name    = "ape-ip"
  subnets = ["10.86.0.0/24"]
}

data "hedgehog_address_plan" "t" {
  ipv4_namespace = "ape-ip"
  requests       = { "a/x" = { prefix_length = 24 }, "b/x" = { prefix_length = 24 } }
}
`,
				ExpectError: regexp.MustCompile(`No free prefix(.|\n)*has no free /24 left for b/x`),
			},
		},
	})
}

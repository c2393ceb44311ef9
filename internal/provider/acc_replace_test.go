package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// replaceFabricHCL is a leaf, a server and one Connection between them whose link type is linkHCL.
func replaceFabricHCL(prov, linkHCL string) string {
	return prov + fmt.Sprintf(`
resource "hedgehog_vlan_namespace" "ns" {
  name   = "rp-vl"
  ranges = [{ from = 1900, to = 1909 }]
}

resource "hedgehog_switch" "leaf" {
  name            = "rp-leaf"
  role            = "server-leaf"
  profile         = %[1]q
  asn             = 65190
  ip              = "172.30.1.190/21"
  protocol_ip     = "172.30.9.190/32"
  vtep_ip         = "172.30.13.190/32"
  vlan_namespaces = [hedgehog_vlan_namespace.ns.name]
}

resource "hedgehog_server" "s" {
  name = "rp-srv"
}

resource "hedgehog_connection" "c" {
  name = "rp-srv--leaf"
%[2]s
}
`, kindsProfile, linkHCL)
}

const replaceUnbundled = `  unbundled = {
    link = {
      server = { port = "${hedgehog_server.s.name}/enp2s1" }
      switch = { port = "${hedgehog_switch.leaf.name}/E1/1" }
    }
  }`

const replaceBundled = `  bundled = {
    links = [{
      server = { port = "${hedgehog_server.s.name}/enp2s1" }
      switch = { port = "${hedgehog_switch.leaf.name}/E1/1" }
    }]
  }`

// TestAccConnection_LinkTypeChangeReplaces: the fabric refuses to change a Connection's link type on
// update, so changing it plans a replacement (destroy, then create under the same name); the apply
// succeeds, the cluster and Git hold the new link type, and the next plan is empty.
func TestAccConnection_LinkTypeChangeReplaces(t *testing.T) {
	accPreCheck(t)
	createSwitchProfile(t, kindsProfile)
	r := newRepo(t)
	prov := stk.ProviderHCL(stack.Backends{Git: true, Kubernetes: true, GitURL: r.url})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		Steps: []resource.TestStep{
			{
				Config: replaceFabricHCL(prov, replaceUnbundled),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("hedgehog_connection.c", tfjsonpath.New("unbundled"), knownvalue.NotNull()),
				},
			},
			{
				Config: replaceFabricHCL(prov, replaceBundled),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("hedgehog_connection.c", plancheck.ResourceActionDestroyBeforeCreate),
						plancheck.ExpectResourceAction("hedgehog_switch.leaf", plancheck.ResourceActionNoop),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("hedgehog_connection.c", tfjsonpath.New("unbundled"), knownvalue.Null()),
					statecheck.ExpectKnownValue("hedgehog_connection.c", tfjsonpath.New("bundled").AtMapKey("links").AtSliceIndex(0).AtMapKey("switch").AtMapKey("port"), knownvalue.StringExact("rp-leaf/E1/1")),
				},
				Check: checkAll(t, func(t *testing.T) {
					spec, _ := kubeGet(t, fabric.KindConnection, "rp-srv--leaf").Object["spec"].(map[string]any)
					if spec["bundled"] == nil || spec["unbundled"] != nil {
						t.Errorf("cluster Connection spec after the replacement: %v", spec)
					}
				}),
			},
			{
				Config:   replaceFabricHCL(prov, replaceBundled),
				PlanOnly: true, // the plan after the replacement is empty
			},
		},
	})
}

func replaceInUseHCL(prov, linkHCL string) string {
	return prov + fmt.Sprintf(`
resource "hedgehog_vlan_namespace" "ns" {
  name   = "rq-vl"
  ranges = [{ from = 1910, to = 1919 }]
}

resource "hedgehog_ipv4_namespace" "ns" {
  name    = "rq-ip"
  subnets = ["10.191.0.0/16"]
}

resource "hedgehog_switch" "leaf" {
  name            = "rq-leaf"
  role            = "server-leaf"
  profile         = %[1]q
  asn             = 65191
  ip              = "172.30.1.191/21"
  protocol_ip     = "172.30.9.191/32"
  vtep_ip         = "172.30.13.191/32"
  vlan_namespaces = [hedgehog_vlan_namespace.ns.name]
}

resource "hedgehog_server" "s" {
  name = "rq-srv"
}

resource "hedgehog_connection" "c" {
  name = "rq-srv--leaf"
%[2]s
}

resource "hedgehog_vpc" "v" {
  name           = "rq-vpc"
  ipv4_namespace = hedgehog_ipv4_namespace.ns.name
  vlan_namespace = hedgehog_vlan_namespace.ns.name
  subnets        = { default = { subnet = "10.191.1.0/24", vlan = 1911 } }
}

resource "hedgehog_vpc_attachment" "a" {
  name            = "rq-att"
  subnet          = "${hedgehog_vpc.v.name}/default"
  connection_name = hedgehog_connection.c.name
}
`, kindsProfile, linkHCL)
}

// TestAccConnection_ReplacementInUse: a link-type change of a Connection that a VPCAttachment uses plans a
// replacement with a warning that the delete protections will refuse it; the apply then fails before
// writing anything, and the cluster keeps the Connection as it was.
func TestAccConnection_ReplacementInUse(t *testing.T) {
	accPreCheck(t)
	createSwitchProfile(t, kindsProfile)
	r := newRepo(t)
	prov := stk.ProviderHCL(stack.Backends{Git: true, Kubernetes: true, GitURL: r.url})
	w := newWorkdir(t, "w")
	w.write(replaceInUseHCL(prov, strings.ReplaceAll(replaceUnbundled, "rp-", "rq-")))
	w.must("apply", "-auto-approve", "-no-color")
	defer w.run(nil, "destroy", "-auto-approve", "-no-color") //nolint:errcheck // cleanup on failure
	commits := len(gitCommits(t, r))

	w.write(replaceInUseHCL(prov, replaceBundled))
	out := strings.Join(strings.Fields(w.must("plan", "-no-color")), " ")
	for _, want := range []string{"must be replaced", "replacement will be refused", `VPCAttachment "rq-att"`, "changing unbundled, bundled replaces this Connection"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, out)
		}
	}
	w.fails(nil, []string{"Connection is in use and cannot be deleted", `VPCAttachment "rq-att"`}, "apply", "-auto-approve", "-no-color")
	spec, _ := kubeGet(t, fabric.KindConnection, "rq-srv--leaf").Object["spec"].(map[string]any)
	if spec["unbundled"] == nil || spec["bundled"] != nil {
		t.Errorf("the refused replacement changed the cluster Connection: %v", spec)
	}
	if n := len(gitCommits(t, r)); n != commits {
		t.Errorf("the refused replacement wrote Git: %d commits, was %d", n, commits)
	}
}

package provider

import (
	"fmt"
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

package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

func namespacesConfig(provider, ipName, vlName string, wide bool) string {
	subnets, to := `["10.64.0.0/16"]`, 1399
	if wide {
		subnets, to = `["10.64.0.0/16", "10.65.0.0/16"]`, 1499
	}
	return provider + fmt.Sprintf(`
resource "hedgehog_ipv4_namespace" "ns" {
  name    = %q
  subnets = %s
}

resource "hedgehog_vlan_namespace" "ns" {
  name   = %q
  ranges = [{ from = 1300, to = %d }]
}

output "ipv4_manifest" {
  value = provider::hedgehog::manifest("IPv4Namespace", hedgehog_ipv4_namespace.ns)
}

output "vlan_manifest" {
  value = provider::hedgehog::manifest("VLANNamespace", hedgehog_vlan_namespace.ns)
}
`, ipName, subnets, vlName, to)
}

// TestAccNamespaces walks both namespace kinds through create, update in place (a subnet and a wider VLAN
// range, shown in the manifest and in NetBox), replacement by rename, import and destroy.
func TestAccNamespaces(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	prov := stk.ProviderHCL(stack.All(r.url))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		CheckDestroy: func(s *terraform.State) error {
			for _, n := range []string{"nsa-ip", "nsb-ip"} {
				if kubeGet(t, fabric.KindIPv4Namespace, n) != nil || gitFile(t, r, fabric.KindIPv4Namespace, n) != nil {
					return fmt.Errorf("IPv4Namespace %s left behind", n)
				}
			}
			for _, n := range []string{"nsa-vl", "nsb-vl"} {
				if kubeGet(t, fabric.KindVLANNamespace, n) != nil || netboxHas(t, "/api/ipam/vlan-groups/", "name", n) {
					return fmt.Errorf("VLANNamespace %s left behind", n)
				}
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: namespacesConfig(prov, "nsa-ip", "nsa-vl", false),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue("hedgehog_vlan_namespace.ns", tfjsonpath.New("backend_changes").AtMapKey("netbox"), knownvalue.StringRegexp(regexp.MustCompile(`1300`))),
				}},
				Check: checkAll(t, func(t *testing.T) {
					if !netboxHas(t, "/api/ipam/prefixes/", "prefix", "10.64.0.0/16") || !netboxHas(t, "/api/ipam/vlan-groups/", "name", "nsa-vl") {
						t.Error("NetBox lacks the namespaces")
					}
				}),
			},
			{
				Config: namespacesConfig(prov, "nsa-ip", "nsa-vl", true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("hedgehog_ipv4_namespace.ns", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("hedgehog_vlan_namespace.ns", plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownOutputValue("ipv4_manifest", knownvalue.StringRegexp(regexp.MustCompile(`- 10\.65\.0\.0/16`))),
					plancheck.ExpectKnownOutputValue("vlan_manifest", knownvalue.StringRegexp(regexp.MustCompile(`to: 1499`))),
				}},
				Check: checkAll(t, func(t *testing.T) {
					if !netboxHas(t, "/api/ipam/prefixes/", "prefix", "10.65.0.0/16") {
						t.Error("NetBox lacks the added container prefix")
					}
					if v, _, _ := unstructuredString(kubeGet(t, fabric.KindVLANNamespace, "nsa-vl").Object, "spec", "ranges"); !regexp.MustCompile(`1499`).MatchString(v) {
						t.Errorf("cluster ranges %s", v)
					}
				}),
			},
			{
				Config: namespacesConfig(prov, "nsb-ip", "nsb-vl", true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("hedgehog_ipv4_namespace.ns", plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectResourceAction("hedgehog_vlan_namespace.ns", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: checkAll(t, func(t *testing.T) {
					if kubeGet(t, fabric.KindIPv4Namespace, "nsa-ip") != nil || kubeGet(t, fabric.KindIPv4Namespace, "nsb-ip") == nil {
						t.Error("rename did not replace the IPv4Namespace")
					}
				}),
			},
			{Config: withoutOutputs(namespacesConfig(prov, "nsb-ip", "nsb-vl", true))}, // see TestAccKinds_Fabric
			{ResourceName: "hedgehog_ipv4_namespace.ns", ImportState: true, ImportStateId: "nsb-ip", ImportStateVerify: true, ImportStateVerifyIgnore: importIgnoresGitCommit},
			{ResourceName: "hedgehog_vlan_namespace.ns", ImportState: true, ImportStateId: "nsb-vl", ImportStateVerify: true, ImportStateVerifyIgnore: importIgnoresGitCommit},
		},
	})
}

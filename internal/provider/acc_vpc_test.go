package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// sliceConfig is the VPC slice: an IPv4Namespace, a VLANNamespace and a VPC living in them. Names carry a
// per-test prefix because the cluster and NetBox are shared by the tests of this package.
func sliceConfig(provider, p, vpcName string, extraSubnet bool) string {
	extra := ""
	if extraSubnet {
		extra = `
    db = {
      subnet = "10.61.2.0/24"
      vlan   = 1102
    }`
	}
	return provider + fmt.Sprintf(`
resource "hedgehog_ipv4_namespace" "ns" {
  name    = "%[1]s-ip"
  subnets = ["10.61.0.0/16"]
}

resource "hedgehog_vlan_namespace" "ns" {
  name   = "%[1]s-vl"
  ranges = [{ from = 1100, to = 1199 }]
}

resource "hedgehog_vpc" "v" {
  name           = %[2]q
  ipv4_namespace = hedgehog_ipv4_namespace.ns.name
  vlan_namespace = hedgehog_vlan_namespace.ns.name
  labels         = { team = "web" }
  subnets = {
    default = {
      subnet = "10.61.1.0/24"
      vlan   = 1101
      dhcp   = { enable = true }
    }%[3]s
  }
}

output "manifest" {
  value = provider::hedgehog::manifest("VPC", hedgehog_vpc.v)
}
`, p, vpcName, extra)
}

// TestAccVPCSlice_AllBackends walks the VPC slice through create, update in place, replacement, import and
// destroy with NetBox, Git and the cluster configured, checking every backend after each step.
func TestAccVPCSlice_AllBackends(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	prov := stk.ProviderHCL(stack.All(r.url))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		CheckDestroy: func(s *terraform.State) error {
			if err := absentEverywhere(t, &r, fabric.KindVPC, "sl-vpc-a", "sl-vpc-b")(s); err != nil {
				return err
			}
			return absentEverywhere(t, &r, fabric.KindIPv4Namespace, "sl-ip")(s)
		},
		Steps: []resource.TestStep{
			{
				Config: sliceConfig(prov, "sl", "sl-vpc-a", false),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("hedgehog_vpc.v", plancheck.ResourceActionCreate),
					// the fabric's defaults are predicted at plan time
					plancheck.ExpectKnownValue("hedgehog_vpc.v", tfjsonpath.New("subnets").AtMapKey("default").AtMapKey("gateway"), knownvalue.StringExact("10.61.1.1")),
					// the exact manifest, rendered by the provider function from the planned attributes
					plancheck.ExpectKnownOutputValue("manifest", knownvalue.StringRegexp(regexp.MustCompile(`(?s)terraform\.githedgehog\.com/managed-by.*start: 10\.61\.1\.2`))),
					plancheck.ExpectKnownValue("hedgehog_vpc.v", tfjsonpath.New("backend_changes").AtMapKey("netbox"), knownvalue.StringRegexp(regexp.MustCompile(`1 prefix\(es\) in VRF sl-vpc-a`))),
					plancheck.ExpectUnknownValue("hedgehog_vpc.v", tfjsonpath.New("checkpoints").AtMapKey("git")),
					plancheck.ExpectKnownValue("hedgehog_vpc.v", tfjsonpath.New("git_path"), knownvalue.StringExact("fabric/vpc/sl-vpc-a.yaml")),
					plancheck.ExpectUnknownValue("hedgehog_vpc.v", tfjsonpath.New("git_commit")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("hedgehog_vpc.v", tfjsonpath.New("subnets").AtMapKey("default").AtMapKey("dhcp").AtMapKey("range").AtMapKey("end"), knownvalue.StringExact("10.61.1.255")),
					statecheck.ExpectKnownValue("hedgehog_vpc.v", tfjsonpath.New("git_commit"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{40}$`))),
					statecheck.ExpectKnownValue("hedgehog_vpc.v", tfjsonpath.New("cluster_uid"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue("hedgehog_vpc.v", tfjsonpath.New("netbox_ids").AtMapKey("vrf"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue("hedgehog_vpc.v", tfjsonpath.New("drift"), knownvalue.MapExact(map[string]knownvalue.Check{})),
				},
				Check: checkAll(t, func(t *testing.T) {
					u := kubeGet(t, fabric.KindVPC, "sl-vpc-a")
					if u == nil {
						t.Fatal("VPC not in the cluster")
					}
					if v, _, _ := unstructuredString(u.Object, "spec", "subnets", "default", "dhcp", "range", "start"); v != "10.61.1.2" {
						t.Errorf("cluster dhcp range start %q", v)
					}
					if b := gitFile(t, r, fabric.KindVPC, "sl-vpc-a"); b == nil || !strings.Contains(string(b), "10.61.1.0/24") {
						t.Errorf("git file: %s", b)
					}
					if !netboxHas(t, "/api/ipam/vrfs/", "name", "sl-vpc-a") {
						t.Error("no VRF in NetBox")
					}
					if !netboxHas(t, "/api/ipam/prefixes/", "prefix", "10.61.1.0/24") {
						t.Error("no prefix in NetBox")
					}
				}),
			},
			{
				// update in place: the typed attributes show the change; the checkpoint lines of the backends it
				// writes become unknown, the others stay known
				Config: sliceConfig(prov, "sl", "sl-vpc-a", true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("hedgehog_vpc.v", plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownOutputValue("manifest", knownvalue.StringRegexp(regexp.MustCompile(`subnet: 10\.61\.2\.0/24`))),
					plancheck.ExpectUnknownValue("hedgehog_vpc.v", tfjsonpath.New("git_commit")),
					plancheck.ExpectUnknownValue("hedgehog_vpc.v", tfjsonpath.New("checkpoints").AtMapKey("kubernetes")),
					plancheck.ExpectUnknownValue("hedgehog_vpc.v", tfjsonpath.New("checkpoints").AtMapKey("netbox")),
					plancheck.ExpectResourceAction("hedgehog_ipv4_namespace.ns", plancheck.ResourceActionNoop),
				}},
				Check: checkAll(t, func(t *testing.T) {
					if _, found, _ := unstructuredString(kubeGet(t, fabric.KindVPC, "sl-vpc-a").Object, "spec", "subnets", "db", "subnet"); !found {
						t.Error("cluster has no db subnet")
					}
					if !netboxHas(t, "/api/ipam/prefixes/", "prefix", "10.61.2.0/24") {
						t.Error("no db prefix in NetBox")
					}
				}),
			},
			{
				// a plan-only step: the same configuration plans nothing
				Config:   sliceConfig(prov, "sl", "sl-vpc-a", true),
				PlanOnly: true,
			},
			{
				// a new name replaces the VPC
				Config: sliceConfig(prov, "sl", "sl-vpc-b", true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("hedgehog_vpc.v", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: checkAll(t, func(t *testing.T) {
					if kubeGet(t, fabric.KindVPC, "sl-vpc-a") != nil || gitFile(t, r, fabric.KindVPC, "sl-vpc-a") != nil || netboxHas(t, "/api/ipam/vrfs/", "name", "sl-vpc-a") {
						t.Error("the replaced VPC is still somewhere")
					}
					if kubeGet(t, fabric.KindVPC, "sl-vpc-b") == nil {
						t.Error("new VPC not in the cluster")
					}
				}),
			},
			{Config: withoutOutputs(sliceConfig(prov, "sl", "sl-vpc-b", true))}, // see TestAccKinds_Fabric
			{
				ResourceName:      "hedgehog_vpc.v",
				ImportState:       true,
				ImportStateId:     "sl-vpc-b",
				ImportStateVerify: true, ImportStateVerifyIgnore: importIgnoresGitCommit,
			},
			{
				ResourceName:      "hedgehog_ipv4_namespace.ns",
				ImportState:       true,
				ImportStateId:     "default/sl-ip",
				ImportStateVerify: true, ImportStateVerifyIgnore: importIgnoresGitCommit,
			},
			{
				ResourceName:      "hedgehog_vlan_namespace.ns",
				ImportState:       true,
				ImportStateId:     "sl-vl",
				ImportStateVerify: true, ImportStateVerifyIgnore: importIgnoresGitCommit,
			},
		},
	})
}

// withoutOutputs drops the output blocks of a test configuration.
func withoutOutputs(cfg string) string {
	return regexp.MustCompile(`(?ms)^output "[^"]*" \{\n.*?^\}\n`).ReplaceAllString(cfg, "")
}

func unstructuredString(obj map[string]any, fields ...string) (string, bool, error) {
	var cur any = obj
	for _, f := range fields {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false, nil
		}
		cur, ok = m[f]
		if !ok {
			return "", false, nil
		}
	}
	return fmt.Sprint(cur), true, nil
}

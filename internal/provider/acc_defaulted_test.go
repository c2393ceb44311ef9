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
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// TestAccVPC_DHCPOptionsDefaultedRequired: the CRD marks DHCP options interfaceMTU and leaseTimeSeconds
// required, but the fabric's defaulting fills them, so a configuration may leave them out. Terraform
// accepts it, the plan predicts the default (3600 s) and the cluster stores it.
func TestAccVPC_DHCPOptionsDefaultedRequired(t *testing.T) {
	accPreCheck(t)
	prov := stk.ProviderHCL(stack.Backends{Kubernetes: true})
	const p = "rqf"
	cfg := prov + fmt.Sprintf(`
resource "hedgehog_ipv4_namespace" "ns" {
  name    = "%[1]s-ip"
  subnets = ["10.91.0.0/16"]
}

resource "hedgehog_vlan_namespace" "ns" {
  name   = "%[1]s-vl"
  ranges = [{ from = 1950, to = 1999 }]
}

resource "hedgehog_vpc" "v" {
  name           = "%[1]s-vpc"
  ipv4_namespace = hedgehog_ipv4_namespace.ns.name
  vlan_namespace = hedgehog_vlan_namespace.ns.name
  subnets = {
    default = {
      subnet = "10.91.1.0/24"
      vlan   = 1950
      dhcp = {
        enable  = true
        options = { interface_mtu = 1500 }
      }
    }
  }
}

output "manifest" {
  value = provider::hedgehog::manifest("VPC", hedgehog_vpc.v)
}
`, p)
	opts := tfjsonpath.New("subnets").AtMapKey("default").AtMapKey("dhcp").AtMapKey("options")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		CheckDestroy: func(*terraform.State) error {
			if u := kubeGet(t, fabric.KindVPC, p+"-vpc"); u != nil {
				return fmt.Errorf("VPC %s-vpc still in the cluster", p)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("hedgehog_vpc.v", plancheck.ResourceActionCreate),
				plancheck.ExpectKnownValue("hedgehog_vpc.v", opts.AtMapKey("lease_time_seconds"), knownvalue.Int64Exact(fabric.DefaultDHCPLeaseSeconds)),
				plancheck.ExpectKnownValue("hedgehog_vpc.v", opts.AtMapKey("interface_mtu"), knownvalue.Int64Exact(1500)),
				plancheck.ExpectKnownOutputValue("manifest", knownvalue.StringRegexp(regexp.MustCompile(`leaseTimeSeconds: 3600`))),
			}},
			Check: checkAll(t, func(t *testing.T) {
				u := kubeGet(t, fabric.KindVPC, p+"-vpc")
				if u == nil {
					t.Fatalf("VPC %s-vpc not in the cluster", p)
				}
				lease, found, err := unstructured.NestedInt64(u.Object, "spec", "subnets", "default", "dhcp", "options", "leaseTimeSeconds")
				if err != nil || !found || lease != fabric.DefaultDHCPLeaseSeconds {
					t.Errorf("cluster leaseTimeSeconds = %d (found %v, %v), want %d", lease, found, err, fabric.DefaultDHCPLeaseSeconds)
				}
			}),
		}},
	})
}

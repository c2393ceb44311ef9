package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// TestAccFreeSpace: hedgehog_free_space lists the prefixes and VLANs a VPC of the same run left free.
func TestAccFreeSpace(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		CheckDestroy:             absentEverywhere(t, &r, fabric.KindVPC, "fs-vpc"),
		Steps: []resource.TestStep{{
			Config: stk.ProviderHCL(stack.Backends{Kubernetes: true, Git: true, GitURL: r.url}) + `
resource "hedgehog_ipv4_namespace" "ns" {
  name    = "fs-ip"
  subnets = ["10.87.0.0/22"]
}

resource "hedgehog_vlan_namespace" "ns" {
  name   = "fs-vl"
  ranges = [{ from = 1870, to = 1879 }]
}

resource "hedgehog_vpc" "v" {
  name           = "fs-vpc"
  ipv4_namespace = hedgehog_ipv4_namespace.ns.name
  vlan_namespace = hedgehog_vlan_namespace.ns.name
  subnets = {
    default = { subnet = "10.87.1.0/24", vlan = 1872 }
  }
}

data "hedgehog_free_space" "fs" {
  ipv4_namespace = hedgehog_ipv4_namespace.ns.name
  prefix_length  = 24
  vlan_namespace = hedgehog_vlan_namespace.ns.name
  depends_on     = [hedgehog_vpc.v]
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.hedgehog_free_space.fs", tfjsonpath.New("prefixes"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("10.87.0.0/24"), knownvalue.StringExact("10.87.2.0/24"), knownvalue.StringExact("10.87.3.0/24")})),
				statecheck.ExpectKnownValue("data.hedgehog_free_space.fs", tfjsonpath.New("vlan_ranges"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{"from": knownvalue.Int64Exact(1870), "to": knownvalue.Int64Exact(1871)}),
					knownvalue.ObjectExact(map[string]knownvalue.Check{"from": knownvalue.Int64Exact(1873), "to": knownvalue.Int64Exact(1879)})})),
			},
		}},
	})
}

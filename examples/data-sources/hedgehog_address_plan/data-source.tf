# VPCs from a map; each takes a free prefix of the length asked for and a free VLAN, known at plan and
# stable afterwards. Name the namespaces by name (here a variable), not by a resource attribute, so that
# the plan can read the data source.
variable "tenant" {
  type    = string
  default = "tenant-a"
}

locals {
  vpcs = { web = 24, db = 26 } # VPC name => prefix length of its "default" subnet
}

data "hedgehog_address_plan" "tenant" {
  ipv4_namespace = var.tenant
  vlan_namespace = var.tenant
  requests       = { for name, length in local.vpcs : "${name}/default" => { prefix_length = length } }
}

resource "hedgehog_vpc" "this" {
  for_each       = local.vpcs
  name           = each.key
  ipv4_namespace = var.tenant
  vlan_namespace = var.tenant
  subnets = {
    default = {
      subnet = data.hedgehog_address_plan.tenant.allocations["${each.key}/default"].subnet
      vlan   = data.hedgehog_address_plan.tenant.allocations["${each.key}/default"].vlan
    }
  }
}

terraform {
  required_providers {
    hedgehog = { source = "githedgehog/hedgehog" }
  }
}

resource "hedgehog_ipv4_namespace" "this" {
  name    = var.name
  subnets = var.ipv4_subnets
}

resource "hedgehog_vlan_namespace" "this" {
  name   = var.name
  ranges = [var.vlan_range]
}

# Every subnet's prefix and VLAN, known at plan: the ones given are reserved as they are, the others are the
# next free ones. The namespaces are named by var.name, not by the resources' attributes: a data source that
# refers to a resource with pending changes is read only at apply.
data "hedgehog_address_plan" "this" {
  ipv4_namespace = var.name
  vlan_namespace = var.name
  requests = merge([
    for vpc, subnets in var.vpcs : {
      for name, s in subnets : "${vpc}/${name}" => {
        subnet        = s.subnet
        prefix_length = s.subnet == null ? s.prefix_length : null
        vlan          = s.vlan
      }
    }
  ]...)
}

resource "hedgehog_vpc" "this" {
  for_each = var.vpcs

  name           = each.key
  ipv4_namespace = hedgehog_ipv4_namespace.this.name
  vlan_namespace = hedgehog_vlan_namespace.this.name
  subnets = {
    for name, s in each.value : name => {
      subnet = data.hedgehog_address_plan.this.allocations["${each.key}/${name}"].subnet
      vlan   = data.hedgehog_address_plan.this.allocations["${each.key}/${name}"].vlan
      dhcp   = { enable = s.dhcp }
    }
  }
}

resource "hedgehog_vpc_attachment" "this" {
  for_each = var.attachments

  # The fabric's naming convention: vpc--subnet--connection.
  name            = provider::hedgehog::attachment_name(split("/", each.value.subnet)[0], split("/", each.value.subnet)[1], each.value.connection)
  subnet          = "${hedgehog_vpc.this[split("/", each.value.subnet)[0]].name}/${split("/", each.value.subnet)[1]}"
  connection_name = each.value.connection
}

resource "hedgehog_vpc_peering" "this" {
  for_each = var.peerings

  name = "${each.value.a}--${each.value.b}"
  permit = [
    {
      (hedgehog_vpc.this[each.value.a].name) = { subnets = each.value.a_subnets }
      (hedgehog_vpc.this[each.value.b].name) = { subnets = each.value.b_subnets }
    },
  ]
}

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

resource "hedgehog_vpc" "this" {
  for_each = var.vpcs

  name           = each.key
  ipv4_namespace = hedgehog_ipv4_namespace.this.name
  vlan_namespace = hedgehog_vlan_namespace.this.name
  subnets = {
    for name, s in each.value : name => {
      subnet = s.subnet
      vlan   = s.vlan
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

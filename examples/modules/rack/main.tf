terraform {
  required_providers {
    hedgehog = { source = "githedgehog/hedgehog" }
  }
}

locals {
  # Per server, its leaf ports in a stable order (by leaf name).
  ports = { for srv, s in var.servers : srv => [for leaf in sort(keys(s.leaf_ports)) : { leaf = leaf, port = s.leaf_ports[leaf] }] }
}

resource "hedgehog_switch_group" "this" {
  name = var.name
}

resource "hedgehog_switch" "leaf" {
  for_each = var.leaves

  name            = each.key
  role            = "server-leaf"
  profile         = var.profile
  asn             = each.value.asn
  ip              = each.value.ip
  protocol_ip     = each.value.protocol_ip
  vtep_ip         = each.value.vtep_ip
  redundancy      = { group = hedgehog_switch_group.this.name, type = "eslag" }
  vlan_namespaces = var.vlan_namespaces
}

resource "hedgehog_server" "this" {
  for_each = var.servers

  name        = each.key
  description = each.value.description
}

resource "hedgehog_connection" "this" {
  for_each = var.servers

  # One leaf port: unbundled; one port on each leaf: ESLAG over the pair.
  name = length(local.ports[each.key]) == 1 ? provider::hedgehog::connection_name(each.key, "unbundled", [local.ports[each.key][0].leaf]) : provider::hedgehog::connection_name(each.key, "eslag", [var.name])

  unbundled = length(local.ports[each.key]) == 1 ? {
    link = {
      server = { port = "${hedgehog_server.this[each.key].name}/${var.nic_prefix}1" }
      switch = { port = "${hedgehog_switch.leaf[local.ports[each.key][0].leaf].name}/${local.ports[each.key][0].port}" }
    }
  } : null

  eslag = length(local.ports[each.key]) > 1 ? {
    links = [for i, p in local.ports[each.key] : {
      server = { port = "${hedgehog_server.this[each.key].name}/${var.nic_prefix}${i + 1}" }
      switch = { port = "${hedgehog_switch.leaf[p.leaf].name}/${p.port}" }
    }]
  } : null
}

# The next free /24 and the free VLANs of tenant A's namespaces.
data "hedgehog_free_space" "tenant_a" {
  ipv4_namespace = "tenant-a"
  prefix_length  = 24
  max_prefixes   = 4
  vlan_namespace = "tenant-a"
}

output "next_subnet" {
  value = data.hedgehog_free_space.tenant_a.prefixes[0]
}

output "next_vlan" {
  value = data.hedgehog_free_space.tenant_a.vlan_ranges[0].from
}

# Reads an existing object by name.
data "hedgehog_vlan_namespace" "example" {
  name = "default"
}

output "vlan_namespace_ranges" {
  value = data.hedgehog_vlan_namespace.example.ranges
}

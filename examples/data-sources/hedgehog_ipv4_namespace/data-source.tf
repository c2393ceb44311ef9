# Reads an existing object by name.
data "hedgehog_ipv4_namespace" "example" {
  name = "default"
}

output "ipv4_namespace_subnets" {
  value = data.hedgehog_ipv4_namespace.example.subnets
}

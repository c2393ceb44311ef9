# Reads an existing object by name.
data "hedgehog_external" "example" {
  name = "default"
}

output "external_inbound_community" {
  value = data.hedgehog_external.example.inbound_community
}

# Reads an existing object by name.
data "hedgehog_external_peering" "example" {
  name = "demo-vpc-1--default"
}

output "external_peering_permit" {
  value = data.hedgehog_external_peering.example.permit
}

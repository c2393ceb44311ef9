# Reads an existing object by name.
data "hedgehog_vpc_peering" "example" {
  name = "demo-vpc-1--demo-vpc-2"
}

output "vpc_peering_permit" {
  value = data.hedgehog_vpc_peering.example.permit
}

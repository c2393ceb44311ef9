# Reads an existing object by name.
data "hedgehog_vpc" "example" {
  name = "demo-vpc-3"
}

output "vpc_subnets" {
  value = data.hedgehog_vpc.example.subnets
}

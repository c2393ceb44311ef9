# Lets the "default" subnets of two VPCs reach each other. Each permit entry maps a VPC name to
# the subnets it exposes to the other VPC(s) of the entry.
resource "hedgehog_vpc_peering" "example" {
  name = "demo-vpc-1--demo-vpc-2"

  permit = [
    {
      "demo-vpc-1" = { subnets = ["default"] }
      "demo-vpc-2" = { subnets = ["default"] }
    },
  ]
}

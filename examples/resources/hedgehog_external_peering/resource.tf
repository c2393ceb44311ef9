# Lets subnet "default" of VPC demo-vpc-1 reach the default route of the external "default".
resource "hedgehog_external_peering" "example" {
  name = "demo-vpc-1--default"

  permit = {
    external = {
      name = "default"
      prefixes = [
        { prefix = "0.0.0.0/0" },
      ]
    }
    vpc = {
      name    = "demo-vpc-1"
      subnets = ["default"]
    }
  }
}

# The VLAN IDs VPC subnets may use (inclusive ranges, must not overlap each other).
resource "hedgehog_vlan_namespace" "example" {
  name = "default"

  ranges = [
    {
      from = 1000
      to   = 2999
    },
  ]
}

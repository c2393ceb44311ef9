# The address pool VPC subnets are carved from.
resource "hedgehog_ipv4_namespace" "example" {
  name    = "default"
  subnets = ["10.0.0.0/8"]
}

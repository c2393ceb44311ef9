# "10.0.1.1": the gateway the fabric gives the subnet when `gateway` is unset.
output "gateway" {
  value = provider::hedgehog::subnet_gateway("10.0.1.0/24")
}

# An external network reached over BGP from a border leaf; routes are tagged with communities.
resource "hedgehog_external" "example" {
  name               = "default"
  ipv4_namespace     = "default"
  inbound_community  = "65102:5000"
  outbound_community = "5000:65102"
}

# Binds an external to a switch's external connection: the switch side of the link (CIDR and VLAN)
# and the BGP neighbor on the external side.
resource "hedgehog_external_attachment" "example" {
  name            = "default--5835"
  connection_name = "s5248-03--external--5835"
  external        = "default"

  switch = {
    ip   = "100.100.0.1/24"
    vlan = 100
  }

  neighbor = {
    asn = 65102
    ip  = "100.100.0.6"
  }
}

# Attaches a VPC subnet ("<vpc>/<subnet>") to a server-facing connection.
resource "hedgehog_vpc_attachment" "example" {
  name            = "demo-vpc-2--server-4--unbundled--s5248-02"
  connection_name = "server-4--unbundled--s5248-02"
  subnet          = "demo-vpc-2/default"
  native_vlan     = false
}

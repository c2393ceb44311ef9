# A server leaf in ESLAG redundancy group "eslag-1". The profile names a SwitchProfile known to the
# fabric ("vs" is the virtual switch); the addresses come from the fabric's management, protocol
# and VTEP subnets.
resource "hedgehog_switch_group" "eslag_1" {
  name = "eslag-1"
}

resource "hedgehog_switch" "example" {
  name        = "leaf-su00-r0"
  role        = "server-leaf"
  description = "leaf 0 of scalable unit 00"
  profile     = "vs"

  asn         = 65101
  ip          = "172.30.0.8/21"
  protocol_ip = "172.30.8.2/32"
  vtep_ip     = "172.30.12.0/32"

  boot = {
    mac = "0c:20:12:ff:02:00"
  }

  redundancy = {
    group = hedgehog_switch_group.eslag_1.name
    type  = "eslag"
  }

  vlan_namespaces = ["default"]
}

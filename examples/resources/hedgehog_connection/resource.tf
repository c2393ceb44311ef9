# Exactly one link type is set per connection (unbundled, bundled, mclag, eslag, fabric, ...).

# A single server port on a single leaf port.
resource "hedgehog_connection" "example" {
  name = "server-su00-n00-r0-leaf-su00-r0"

  unbundled = {
    link = {
      server = { port = "server-su00-n00/eth1" }
      switch = { port = "leaf-su00-r0/E1/9" }
    }
  }
}

# Spine-to-leaf fabric links with their point-to-point addresses.
resource "hedgehog_connection" "fabric" {
  name = "spine-s00--fabric--leaf-su00-r0"

  fabric = {
    links = [
      {
        leaf  = { ip = "172.30.128.1/31", port = "leaf-su00-r0/E1/1" }
        spine = { ip = "172.30.128.0/31", port = "spine-s00/E1/1" }
      },
      {
        leaf  = { ip = "172.30.128.3/31", port = "leaf-su00-r0/E1/2" }
        spine = { ip = "172.30.128.2/31", port = "spine-s00/E1/2" }
      },
    ]
  }
}

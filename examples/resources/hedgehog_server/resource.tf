# A server; connections refer to its ports as "<server>/<port>".
resource "hedgehog_server" "example" {
  name        = "server-su00-n00"
  description = "compute node 00 of scalable unit 00"
}

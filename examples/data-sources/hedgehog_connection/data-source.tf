# Reads an existing object by name.
data "hedgehog_connection" "example" {
  name = "server-su00-n00-r0-leaf-su00-r0"
}

output "connection_unbundled" {
  value = data.hedgehog_connection.example.unbundled
}

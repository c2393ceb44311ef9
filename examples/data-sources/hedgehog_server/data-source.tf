# Reads an existing object by name.
data "hedgehog_server" "example" {
  name = "server-su00-n00"
}

output "server_description" {
  value = data.hedgehog_server.example.description
}

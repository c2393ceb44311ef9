# Reads an existing object by name.
data "hedgehog_external_attachment" "example" {
  name = "default--5835"
}

output "external_attachment_neighbor" {
  value = data.hedgehog_external_attachment.example.neighbor
}

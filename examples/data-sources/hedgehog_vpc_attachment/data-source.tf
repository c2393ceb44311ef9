# Reads an existing object by name.
data "hedgehog_vpc_attachment" "example" {
  name = "demo-vpc-2--server-4--unbundled--s5248-02"
}

output "vpc_attachment_subnet" {
  value = data.hedgehog_vpc_attachment.example.subnet
}

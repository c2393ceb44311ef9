# "web--default--server-4--unbundled--leaf-02"
output "attachment" {
  value = provider::hedgehog::attachment_name("web", "default", "server-4--unbundled--leaf-02")
}

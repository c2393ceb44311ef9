# "server-1--mclag--leaf-01--leaf-02"
output "connection" {
  value = provider::hedgehog::connection_name("server-1", "mclag", ["leaf-01", "leaf-02"])
}

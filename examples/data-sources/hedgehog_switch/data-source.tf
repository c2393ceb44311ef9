# Reads an existing object by name.
data "hedgehog_switch" "example" {
  name = "leaf-su00-r0"
}

output "switch_vtep_ip" {
  value = data.hedgehog_switch.example.vtep_ip
}

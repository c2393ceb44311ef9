# terraform test against real backends: the provider is configured from the environment; the SwitchProfile
# named by TF_VAR_profile and the VLANNamespace accm-vl must exist.

variables {
  name            = "tt-rack"
  vlan_namespaces = ["accm-vl"]
  leaves = {
    "tt-leaf1" = { asn = 65191, ip = "172.30.1.191/21", protocol_ip = "172.30.9.191/32", vtep_ip = "172.30.13.191/32" }
    "tt-leaf2" = { asn = 65192, ip = "172.30.1.192/21", protocol_ip = "172.30.9.192/32", vtep_ip = "172.30.13.192/32" }
  }
  servers = {
    "tt-srv1" = { leaf_ports = { "tt-leaf1" = "E1/20" } }
    "tt-srv2" = { leaf_ports = { "tt-leaf1" = "E1/21", "tt-leaf2" = "E1/21" } }
  }
}

run "apply" {
  assert {
    condition     = output.connections["tt-srv1"] == "tt-srv1--unbundled--tt-leaf1"
    error_message = "the unbundled connection is not named by the fabric's convention"
  }
  assert {
    condition     = output.connections["tt-srv2"] == "tt-srv2--eslag--tt-rack"
    error_message = "the ESLAG connection is not named by the fabric's convention"
  }
  assert {
    condition     = length(hedgehog_connection.this["tt-srv2"].eslag.links) == 2
    error_message = "the ESLAG connection does not have one link per leaf"
  }
}

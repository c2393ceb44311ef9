# terraform test against real backends: the provider is configured from the environment
# (HEDGEHOG_KUBECONFIG, HEDGEHOG_GIT_URL, NETBOX_SERVER_URL, ...).

variables {
  name         = "tt-tenant"
  ipv4_subnets = ["10.88.0.0/16"]
  vlan_range   = { from = 1880, to = 1889 }
  vpcs = {
    "tt-web" = { default = { subnet = "10.88.1.0/24", vlan = 1881, dhcp = true } }
    "tt-db"  = { default = { subnet = "10.88.2.0/24", vlan = 1882 } }
  }
  peerings = {
    web-db = { a = "tt-web", b = "tt-db" }
  }
}

run "plan_shows_the_fabric_defaults" {
  command = plan

  assert {
    condition     = hedgehog_vpc.this["tt-web"].subnets["default"].gateway == "10.88.1.1"
    error_message = "the plan does not show the gateway the fabric gives the subnet"
  }
}

run "apply" {
  assert {
    condition     = output.vpcs["tt-db"]["default"].gateway == "10.88.2.1"
    error_message = "the applied VPC lacks its gateway"
  }
  assert {
    condition     = hedgehog_vpc_peering.this["web-db"].name == "tt-web--tt-db"
    error_message = "the peering is not named after its VPCs"
  }
}

# A second plan of the same inputs changes nothing (the fabric's defaults are planned, not drifted).
run "second_plan" {
  command = plan
  assert {
    condition     = output.vpcs["tt-web"]["default"].gateway == "10.88.1.1"
    error_message = "the second plan lost the gateway"
  }
}

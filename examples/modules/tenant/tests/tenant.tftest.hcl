# terraform test against real backends: the provider is configured from the environment
# (HEDGEHOG_KUBECONFIG, HEDGEHOG_GIT_URL, NETBOX_SERVER_URL, ...).

variables {
  name         = "tt-tenant"
  ipv4_subnets = ["10.88.0.0/16"]
  vlan_range   = { from = 1880, to = 1889 }
  vpcs = {
    "tt-web" = { default = { subnet = "10.88.1.0/24", vlan = 1881, dhcp = true } }
    "tt-db"  = { default = { subnet = "10.88.2.0/24", vlan = 1882 } }
    "tt-app" = { default = { prefix_length = 25 }, extra = { subnet = "10.88.9.0/24" } }
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

run "plan_allocates_free_addresses" {
  command = plan

  # The lowest free /25 (10.88.0.0/25; 10.88.1.0/24 and 10.88.2.0/24 are given) and the lowest free VLANs
  # (1880, then 1883: 1881 and 1882 are given), in key order, known at plan.
  assert {
    condition     = hedgehog_vpc.this["tt-app"].subnets["default"].subnet == "10.88.0.0/25"
    error_message = "the allocated prefix is not the lowest free /25"
  }
  assert {
    condition     = hedgehog_vpc.this["tt-app"].subnets["default"].vlan == 1880 && hedgehog_vpc.this["tt-app"].subnets["extra"].vlan == 1883
    error_message = "the allocated VLANs are not the lowest free ones in key order"
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

# A second plan of the same inputs changes nothing (the fabric's defaults are planned, not drifted), and the
# allocated values stay where they are.
run "second_plan" {
  command = plan
  assert {
    condition     = hedgehog_vpc.this["tt-app"].subnets["default"].subnet == "10.88.0.0/25" && data.hedgehog_address_plan.this.allocations["tt-app/default"].existing
    error_message = "the allocation moved, or was not found in the VPC, on the second plan"
  }
  assert {
    condition     = output.vpcs["tt-web"]["default"].gateway == "10.88.1.1"
    error_message = "the second plan lost the gateway"
  }
}

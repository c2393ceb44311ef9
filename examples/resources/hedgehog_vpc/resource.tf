# A VPC with two subnets: one with a DHCP range and options, one isolated and restricted.
# VPC names are at most 11 characters.
resource "hedgehog_vpc" "example" {
  name = "demo-vpc-3"
  labels = {
    team = "web"
  }

  ipv4_namespace = "default"
  vlan_namespace = "default"

  subnets = {
    "subnet-1" = {
      subnet  = "10.10.131.0/24"
      gateway = "10.10.131.1"
      vlan    = 1131
      dhcp = {
        enable = true
        range = {
          start = "10.10.131.10"
          end   = "10.10.131.99"
        }
        options = {
          dns_servers        = ["10.10.131.1"]
          lease_time_seconds = 3600
          interface_mtu      = 9036
        }
      }
    }
    "subnet-2" = {
      subnet     = "10.10.132.0/24"
      vlan       = 1132
      isolated   = true
      restricted = true
      dhcp = {
        enable = true
      }
    }
  }

  # Subnets in one list can reach each other even when isolated.
  permit = [
    ["subnet-1", "subnet-2"],
  ]
}

# A rack and a tenant whose web VPC is attached to the rack's servers. `make demo-modules` applies it against
# local backends; backends.tf configures the provider (unset variables fall back to the environment).
terraform {
  required_providers {
    hedgehog = { source = "githedgehog/hedgehog" }
  }
}

variable "profile" {
  description = "SwitchProfile of the rack's leaves (\"vs\": the virtual switch)."
  type        = string
  default     = "vs"
}

module "rack" {
  source  = "../rack"
  name    = "ex-rack"
  profile = var.profile
  leaves = {
    "ex-leaf1" = { asn = 65193, ip = "172.30.1.193/21", protocol_ip = "172.30.9.193/32", vtep_ip = "172.30.13.193/32" }
    "ex-leaf2" = { asn = 65194, ip = "172.30.1.194/21", protocol_ip = "172.30.9.194/32", vtep_ip = "172.30.13.194/32" }
  }
  vlan_namespaces = [module.tenant.vlan_namespace]
  servers = {
    "ex-srv1" = { leaf_ports = { "ex-leaf1" = "E1/30" } }
    "ex-srv2" = { leaf_ports = { "ex-leaf1" = "E1/31", "ex-leaf2" = "E1/31" } }
  }
}

module "tenant" {
  source       = "../tenant"
  name         = "ex-tenant"
  ipv4_subnets = ["10.89.0.0/16"]
  vlan_range   = { from = 1890, to = 1899 }
  vpcs = {
    "ex-web" = { default = { prefix_length = 24, dhcp = true } } # the next free /24 and VLAN
  }
}

# Attachments depend on both modules: the tenant's VPC and the rack's connections.
resource "hedgehog_vpc_attachment" "web" {
  for_each = module.rack.connections

  name            = provider::hedgehog::attachment_name("ex-web", "default", each.value)
  subnet          = "ex-web/default"
  connection_name = each.value
  depends_on      = [module.tenant]
}

output "attachments" {
  value = { for srv, a in hedgehog_vpc_attachment.web : srv => a.name }
}

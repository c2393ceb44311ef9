variable "name" {
  description = "Tenant name: the name of its IPv4 and VLAN namespaces."
  type        = string
}

variable "ipv4_subnets" {
  description = "The tenant's IPv4 space (the IPv4Namespace's subnets)."
  type        = list(string)
}

variable "vlan_range" {
  description = "The tenant's VLANs (the VLANNamespace's range)."
  type        = object({ from = number, to = number })
}

variable "vpcs" {
  description = "VPCs by name (at most 11 characters), each a map of subnets by name. A subnet without `subnet` gets the next free prefix of `prefix_length` (default 24) in the tenant's IPv4 space, and one without `vlan` the next free VLAN of its range (hedgehog_address_plan): known at plan, stable afterwards."
  type = map(map(object({
    subnet        = optional(string)
    prefix_length = optional(number, 24)
    vlan          = optional(number)
    dhcp          = optional(bool, false)
  })))
}

variable "attachments" {
  description = "Attachments by key: a subnet as \"vpc/subnet\" and the connection it is attached to."
  type        = map(object({ subnet = string, connection = string }))
  default     = {}
}

variable "peerings" {
  description = "Peerings by key between two VPCs of the tenant, each exposing the subnets listed."
  type = map(object({
    a         = string
    b         = string
    a_subnets = optional(list(string), ["default"])
    b_subnets = optional(list(string), ["default"])
  }))
  default = {}
}

variable "name" {
  description = "Rack name: the name of the leaves' ESLAG redundancy group."
  type        = string
}

variable "profile" {
  description = "SwitchProfile of the leaves (e.g. a hardware profile the fabric ships, or vs)."
  type        = string
}

variable "leaves" {
  description = "The rack's two leaves by name: ASN, management IP (with prefix), protocol and VTEP IPs (/32)."
  type = map(object({
    asn         = number
    ip          = string
    protocol_ip = string
    vtep_ip     = string
  }))
  validation {
    condition     = length(var.leaves) == 2
    error_message = "A rack has exactly two leaves (an ESLAG pair)."
  }
}

variable "vlan_namespaces" {
  description = "VLANNamespaces the leaves serve (at least one; the fabric's own default is \"default\")."
  type        = list(string)
}

variable "servers" {
  description = "Servers by name, each with its leaf ports by leaf name: one port for an unbundled connection, one on each leaf for ESLAG."
  type = map(object({
    description = optional(string)
    leaf_ports  = map(string)
  }))
}

variable "nic_prefix" {
  description = "Server NIC name prefix: links use <prefix>1, <prefix>2, ..."
  type        = string
  default     = "enp2s"
}

output "ipv4_namespace" {
  description = "Name of the tenant's IPv4Namespace."
  value       = hedgehog_ipv4_namespace.this.name
}

output "vlan_namespace" {
  description = "Name of the tenant's VLANNamespace."
  value       = hedgehog_vlan_namespace.this.name
}

output "vpcs" {
  description = "Per VPC name, its subnets with the gateway and DHCP range the fabric gave them."
  value = {
    for name, v in hedgehog_vpc.this : name => {
      for sn, s in v.subnets : sn => { subnet = s.subnet, vlan = s.vlan, gateway = s.gateway }
    }
  }
}

output "attachments" {
  description = "Per attachment key, the attachment's name."
  value       = { for k, a in hedgehog_vpc_attachment.this : k => a.name }
}

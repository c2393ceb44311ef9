# { start = "10.0.1.2", end = "10.0.1.255" }: the fabric's default DHCP range (it ends at the broadcast address).
output "dhcp_range" {
  value = provider::hedgehog::subnet_dhcp_range("10.0.1.0/24")
}

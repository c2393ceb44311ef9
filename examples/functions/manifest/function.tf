# The YAML that the provider writes to Git and to the cluster for hedgehog_vpc.web, with the fabric's defaults
# (a subnet's gateway and DHCP range, say) filled in. The kind may also be the resource type: "hedgehog_vpc".
output "web_manifest" {
  value = provider::hedgehog::manifest("VPC", hedgehog_vpc.web)
}

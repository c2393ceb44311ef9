# Generate the configuration that adopts the VPCs and attachments of tenant A, made with kubectl.
data "hedgehog_adoption" "tenant_a" {
  kinds        = ["VPC", "VPCAttachment", "IPv4Namespace", "VLANNamespace"]
  name_pattern = "^tenant-a-"
}

# terraform apply, then: terraform output -raw adoption_hcl > adopted.tf
output "adoption_hcl" {
  value = data.hedgehog_adoption.tenant_a.hcl
}

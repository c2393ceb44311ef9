# Lists the VPC peerings whose name starts with "a-".
# `terraform query` shows them; `terraform query -generate-config-out=adopted.tf` writes an import block and a
# resource block for each (Terraform 1.14 or later; this file is a .tfquery.hcl file beside the configuration).
list "hedgehog_vpc_peering" "found" {
  provider = hedgehog

  config {
    name_pattern = "^a-"
  }
}

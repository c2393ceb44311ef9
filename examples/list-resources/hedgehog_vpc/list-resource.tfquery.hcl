# Lists the VPCs of tenant A that no Terraform state of this owner manages yet.
# `terraform query` shows them; `terraform query -generate-config-out=adopted.tf` writes an import block and a
# resource block for each (Terraform 1.14 or later; this file is a .tfquery.hcl file beside the configuration).
list "hedgehog_vpc" "found" {
  provider = hedgehog

  config {
    labels       = { tenant = "a" }
    name_pattern = "^a-"
  }
}

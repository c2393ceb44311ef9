# Lists every VPC attachment of tenant A, those this owner's state already manages too.
# `terraform query` shows them; `terraform query -generate-config-out=adopted.tf` writes an import block and a
# resource block for each (Terraform 1.14 or later; this file is a .tfquery.hcl file beside the configuration).
list "hedgehog_vpc_attachment" "found" {
  provider = hedgehog

  config {
    labels        = { tenant = "a" }
    include_owned = true
  }
}

# Lists every VLAN namespace no Terraform state of this owner manages yet.
# `terraform query` shows them; `terraform query -generate-config-out=adopted.tf` writes an import block and a
# resource block for each (Terraform 1.14 or later; this file is a .tfquery.hcl file beside the configuration).
list "hedgehog_vlan_namespace" "found" {
  provider = hedgehog
}

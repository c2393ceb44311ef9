# Lists the connections of rack 1: their names start with the server's (rack1-...).
# `terraform query` shows them; `terraform query -generate-config-out=adopted.tf` writes an import block and a
# resource block for each (Terraform 1.14 or later; this file is a .tfquery.hcl file beside the configuration).
list "hedgehog_connection" "found" {
  provider = hedgehog

  config {
    name_pattern = "^rack1-"
  }
}

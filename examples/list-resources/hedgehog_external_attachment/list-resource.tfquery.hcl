# Lists the external attachments labelled for the edge team.
# `terraform query` shows them; `terraform query -generate-config-out=adopted.tf` writes an import block and a
# resource block for each (Terraform 1.14 or later; this file is a .tfquery.hcl file beside the configuration).
list "hedgehog_external_attachment" "found" {
  provider = hedgehog

  config {
    labels = { team = "edge" }
  }
}

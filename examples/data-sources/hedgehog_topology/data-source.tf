# Draw the fabric, with the VPCs and where they are attached.
data "hedgehog_topology" "fabric" {
  include_attachments = true
}

# terraform output -raw topology_dot | dot -Tsvg > fabric.svg
output "topology_dot" {
  value = data.hedgehog_topology.fabric.dot
}

# Paste into a Markdown file between ```mermaid fences: GitHub draws it.
output "topology_mermaid" {
  value = data.hedgehog_topology.fabric.mermaid
}

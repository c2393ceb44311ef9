# Reads an existing object by name.
data "hedgehog_switch_group" "example" {
  name = "eslag-1"
}

output "switch_group_labels" {
  value = data.hedgehog_switch_group.example.labels
}

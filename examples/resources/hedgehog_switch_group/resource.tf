# A group of switches, e.g. the members of an ESLAG or MCLAG redundancy group. It has no settings
# besides its name, labels and annotations.
resource "hedgehog_switch_group" "example" {
  name = "eslag-1"
}

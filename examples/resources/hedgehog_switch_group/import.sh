# The import ID is the object's name.
terraform import hedgehog_switch_group.example eslag-1

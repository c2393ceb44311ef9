# The import ID is the object's name.
terraform import hedgehog_switch.example leaf-su00-r0

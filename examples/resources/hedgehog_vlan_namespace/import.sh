# The import ID is the object's name.
terraform import hedgehog_vlan_namespace.example default

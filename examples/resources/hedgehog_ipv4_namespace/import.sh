# The import ID is the object's name.
terraform import hedgehog_ipv4_namespace.example default

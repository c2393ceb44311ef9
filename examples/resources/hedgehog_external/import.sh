# The import ID is the object's name.
terraform import hedgehog_external.example default

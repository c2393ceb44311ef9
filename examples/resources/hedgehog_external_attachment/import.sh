# The import ID is the object's name.
terraform import hedgehog_external_attachment.example default--5835

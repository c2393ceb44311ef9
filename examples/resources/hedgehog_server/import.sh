# The import ID is the object's name.
terraform import hedgehog_server.example server-su00-n00

# The import ID is the object's name.
terraform import hedgehog_connection.example server-su00-n00-r0-leaf-su00-r0

# The import ID is the object's name.
terraform import hedgehog_external_peering.example demo-vpc-1--default

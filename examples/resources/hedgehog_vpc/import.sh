# The import ID is the object's name.
terraform import hedgehog_vpc.example demo-vpc-3

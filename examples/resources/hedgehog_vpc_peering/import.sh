# The import ID is the object's name.
terraform import hedgehog_vpc_peering.example demo-vpc-1--demo-vpc-2

# The import ID is the object's name.
terraform import hedgehog_vpc_attachment.example demo-vpc-2--server-4--unbundled--s5248-02

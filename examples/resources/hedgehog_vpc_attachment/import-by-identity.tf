# Terraform ≥ 1.12 and OpenTofu ≥ 1.12 import by identity; the namespace defaults to "default".
import {
  to       = hedgehog_vpc_attachment.example
  identity = { name = "demo-vpc-2--server-4--unbundled--s5248-02" }
}

# Terraform ≥ 1.12 and OpenTofu ≥ 1.12 import by identity; the namespace defaults to "default".
import {
  to       = hedgehog_vpc_peering.example
  identity = { name = "demo-vpc-1--demo-vpc-2" }
}

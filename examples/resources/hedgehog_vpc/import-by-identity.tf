# Terraform ≥ 1.12 and OpenTofu ≥ 1.12 import by identity; the namespace defaults to "default".
import {
  to       = hedgehog_vpc.example
  identity = { name = "demo-vpc-3" }
}

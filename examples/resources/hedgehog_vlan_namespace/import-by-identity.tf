# Terraform ≥ 1.12 and OpenTofu ≥ 1.12 import by identity; the namespace defaults to "default".
import {
  to       = hedgehog_vlan_namespace.example
  identity = { name = "default" }
}

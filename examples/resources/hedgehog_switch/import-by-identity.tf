# Terraform ≥ 1.12 and OpenTofu ≥ 1.12 import by identity; the namespace defaults to "default".
import {
  to       = hedgehog_switch.example
  identity = { name = "leaf-su00-r0" }
}

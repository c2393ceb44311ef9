# Terraform ≥ 1.12 and OpenTofu ≥ 1.12 import by identity; the namespace defaults to "default".
import {
  to       = hedgehog_switch_group.example
  identity = { name = "eslag-1" }
}

# Terraform ≥ 1.12 and OpenTofu ≥ 1.12 import by identity; the namespace defaults to "default".
import {
  to       = hedgehog_connection.example
  identity = { name = "server-su00-n00-r0-leaf-su00-r0" }
}

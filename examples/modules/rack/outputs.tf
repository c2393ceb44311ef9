output "leaves" {
  description = "Names of the leaves."
  value       = [for l in hedgehog_switch.leaf : l.name]
}

output "connections" {
  description = "Per server, the name of its connection (to attach VPCs with the tenant module)."
  value       = { for srv, c in hedgehog_connection.this : srv => c.name }
}

// Stub of Terraform's nested module, which the Go module proxy does not serve: see ../../tools.go.
// It keeps the original module path so that Go's internal-package rule lets it import
// github.com/hashicorp/terraform/internal/...; the versions come from ../../go.mod.
module github.com/hashicorp/terraform/internal/backend/remote-state/gcs

go 1.25

//go:build tools

// Package tools pins the Terraform CLI used to test list resources (`terraform query`) and
// resource identity with Terraform itself, where the terraform on PATH is older than 1.14.
// scripts/tf-cli.sh builds it (HEDGEHOG_TF_CLI=terraform-latest) with the release flags:
//
//	CGO_ENABLED=0 go build -trimpath -ldflags '-s -w -X github.com/hashicorp/terraform/version.dev=no' \
//	  -o ../../.tools/bin/terraform-1.14.3 github.com/hashicorp/terraform
//
// Terraform's remote-state backends azurerm, consul, cos, gcs, kubernetes, oci, oss, pg and s3
// are nested modules (see internal/backend/init/init.go) that the Go module proxy does not
// serve; go.mod replaces them with the stubs in stub/, whose backends report that they are not
// built into this binary. Tests of Terraform's packages import internal/legacy, another nested
// module the proxy lacks and the build does not need, so update go.mod with `go mod tidy -e`.
package tools

import (
	_ "github.com/hashicorp/terraform"
)

//go:build tools

// Package tools records the command-line tools the repository runs with `go run`, so that their
// modules stay in go.mod and go.sum: scripts/docs.sh runs tfplugindocs to render docs/.
package tools

import (
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
)

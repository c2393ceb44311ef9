//go:build tools

// Package tools pins the OpenTofu CLI used to run the provider's acceptance
// tests on machines without a Terraform binary. Build it with:
//
//	go build -o ../../.tools/bin/tofu github.com/opentofu/opentofu/cmd/tofu
package tools

import (
	_ "github.com/opentofu/opentofu/cmd/tofu"
)

//go:build tools

// Package deps pins the modules the project needs before code uses them.
package deps

import (
	_ "github.com/getkin/kin-openapi/openapi3"
	_ "github.com/go-git/go-git/v5"
	_ "github.com/hashicorp/terraform-plugin-docs/schemamd"
	_ "github.com/hashicorp/terraform-plugin-framework/provider"
	_ "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	_ "github.com/netbox-community/go-netbox/v4"
	_ "go.etcd.io/etcd/server/v3/embed"
	_ "k8s.io/apiextensions-apiserver/pkg/cmd/server/options"
	_ "k8s.io/client-go/dynamic"
	_ "sigs.k8s.io/yaml"
)

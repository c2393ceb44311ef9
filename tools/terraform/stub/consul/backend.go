// Package consul stands in for Terraform's "consul" remote-state backend, which is a nested
// module the Go module proxy does not serve. It provides only New, the one symbol
// github.com/hashicorp/terraform/internal/backend/init uses; every method of its backend fails.
package consul

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/hashicorp/terraform/internal/backend"
	"github.com/hashicorp/terraform/internal/configs/configschema"
	"github.com/hashicorp/terraform/internal/states/statemgr"
	"github.com/hashicorp/terraform/internal/tfdiags"
)

const name = "consul"

// New returns a backend whose every method reports that it is not built into this binary.
func New() backend.Backend { return stub{} }

type stub struct{}

func notBuilt() tfdiags.Diagnostics {
	var diags tfdiags.Diagnostics
	return diags.Append(tfdiags.Sourceless(tfdiags.Error,
		"The \""+name+"\" backend is not built into this test binary",
		"This Terraform was built by terraform-provider-hedgehog's tools/terraform for its tests. "+
			"The Go module proxy does not serve the modules of Terraform's remote-state backends, "+
			"so the \""+name+"\" backend is a stub. Use the official Terraform release for this backend."))
}

// ConfigSchema cannot report an error: the schema is empty, so an argument in the backend block
// fails with "Unsupported argument" before PrepareConfig reports that the backend is missing.
func (stub) ConfigSchema() *configschema.Block { return &configschema.Block{} }

func (stub) PrepareConfig(obj cty.Value) (cty.Value, tfdiags.Diagnostics) { return obj, notBuilt() }

func (stub) Configure(cty.Value) tfdiags.Diagnostics { return notBuilt() }

func (stub) StateMgr(string) (statemgr.Full, tfdiags.Diagnostics) { return nil, notBuilt() }

func (stub) DeleteWorkspace(string, bool) tfdiags.Diagnostics { return notBuilt() }

func (stub) Workspaces() ([]string, tfdiags.Diagnostics) { return nil, notBuilt() }

package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Resource identity (Terraform ≥ 1.12, OpenTofu ≥ 1.12): every fabric object is identified by its namespace
// and name, so `import { to = hedgehog_vpc.web, identity = { name = "web" } }` imports it. The identity is
// set by every Create, Update, Read and import; clients without identity support never see it.

var _ resource.ResourceWithIdentity = (*fabricResource)(nil)

func (r *fabricResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			aName: identityschema.StringAttribute{RequiredForImport: true,
				Description: "Name of the " + r.spec.Kind + " (metadata.name)."},
			aNamespace: identityschema.StringAttribute{OptionalForImport: true,
				Description: "Kubernetes namespace of the object: `" + fabricNamespace + "`, the only one the fabric supports (the default)."},
		},
	}
}

// setIdentity records the identity of the object a state value describes (nothing when the client has no
// identity support or the value is null).
func setIdentity(ctx context.Context, id *tfsdk.ResourceIdentity, state tftypes.Value) {
	if id == nil {
		return
	}
	if v, ok := objectIdentity(id.Schema.Type().TerraformType(ctx), state); ok {
		id.Raw = v
	}
}

// objectIdentity is the identity of the object a state value describes: its namespace (the fabric's when
// unset) and name. ok is false for a null or unknown state, or one without a known name.
func objectIdentity(idType tftypes.Type, state tftypes.Value) (tftypes.Value, bool) {
	if state.IsNull() || !state.IsKnown() {
		return tftypes.Value{}, false
	}
	m := attrs(state)
	if _, ok := strVal(m[aName]); !ok {
		return tftypes.Value{}, false
	}
	ref := refFromState("", m)
	return tftypes.NewValue(idType, map[string]tftypes.Value{aName: tfStr(ref.Name), aNamespace: tfStr(ref.Namespace)}), true
}

// importTarget returns the namespace and name an import names: the import ID (NAME or NAMESPACE/NAME) or,
// for an import by identity, the identity's attributes.
func importTarget(ctx context.Context, req resource.ImportStateRequest) (ns, name string, err error) {
	if req.ID == "" && req.Identity != nil {
		var n, s *string
		if d := req.Identity.GetAttribute(ctx, path.Root(aName), &n); d.HasError() || n == nil || *n == "" {
			return "", "", fmt.Errorf("the import identity needs a name, e.g. identity = { name = \"web\" }")
		}
		_ = req.Identity.GetAttribute(ctx, path.Root(aNamespace), &s)
		ns = fabricNamespace
		if s != nil && *s != "" {
			ns = *s
		}
		return ns, *n, nil
	}
	ns, name = fabricNamespace, req.ID
	for i := 0; i < len(req.ID); i++ {
		if req.ID[i] == '/' {
			ns, name = req.ID[:i], req.ID[i+1:]
			break
		}
	}
	if name == "" {
		return "", "", fmt.Errorf("expected NAME or NAMESPACE/NAME, got %q", req.ID)
	}
	return ns, name, nil
}

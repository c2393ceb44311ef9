package provider

import (
	"context"
	"fmt"
	"sort"

	fwdiag "github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	lschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/engine"
)

// List resources (Terraform ≥ 1.14, `terraform query`): one per managed kind, named as its resource
// (`list "hedgehog_vpc" "all" { provider = hedgehog }`). They select objects as the adoption data source does
// (objectFilter: labels, name pattern, owner), from the cluster, else Git, and return each object's identity
// (name, namespace); asked for the resource too (`terraform query -generate-config-out`), the object as an
// import of it would put it in state (fabricResource.readImport), so the generated configuration plans as
// an import with no changes.

var (
	_ list.ListResourceWithConfigure      = (*fabricListResource)(nil)
	_ list.ListResourceWithValidateConfig = (*fabricListResource)(nil)
)

// fabricListResource lists the objects of one kind. It reads through the kind's resource (res), whose
// import path builds the resource object.
type fabricListResource struct{ res *fabricResource }

func newListResourceFactory(s *kindSpec) func() list.ListResource {
	return func() list.ListResource { return &fabricListResource{res: &fabricResource{spec: s}} }
}

type listModel struct {
	Labels       types.Map    `tfsdk:"labels"`
	NamePattern  types.String `tfsdk:"name_pattern"`
	IncludeOwned types.Bool   `tfsdk:"include_owned"`
}

func (l *fabricListResource) Metadata(ctx context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	l.res.Metadata(ctx, req, resp)
}

func (l *fabricListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	k := l.res.spec.Kind
	resp.Schema = lschema.Schema{
		MarkdownDescription: fmt.Sprintf("Lists the fabric's `%s` objects (`terraform query`, Terraform ≥ 1.14) from the cluster, or from Git when no "+
			"cluster is configured, selected as the `hedgehog_adoption` data source selects them. Each result is the object's "+
			"identity (`name`, `namespace`) and, with `include_resource = true` or `terraform query -generate-config-out`, the "+
			"resource as `terraform import` would put it in state: the generated configuration plans as an import with no changes.", k),
		Attributes: map[string]lschema.Attribute{
			fLabels:       lschema.MapAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: descLabels},
			fNamePattern:  lschema.StringAttribute{Optional: true, MarkdownDescription: descNamePattern},
			fIncludeOwned: lschema.BoolAttribute{Optional: true, MarkdownDescription: descIncludeOwned},
		},
	}
}

func (l *fabricListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	defer scrub(&resp.Diagnostics)
	eng, problem := engineFrom(req.ProviderData)
	if problem != "" {
		resp.Diagnostics.AddError("Unexpected provider data", problem)
		return
	}
	l.res.eng = eng
}

// ValidateListResourceConfig checks the name pattern before anything is read.
func (l *fabricListResource) ValidateListResourceConfig(ctx context.Context, req list.ValidateConfigRequest, resp *list.ValidateConfigResponse) {
	defer scrub(&resp.Diagnostics)
	var m listModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	newObjectFilter(ctx, m.Labels, m.NamePattern, m.IncludeOwned, "", &resp.Diagnostics)
}

func (l *fabricListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	spec := l.res.spec
	var m listModel
	diags := req.Config.Get(ctx, &m)
	eng := l.res.eng
	switch {
	case diags.HasError():
	case eng == nil:
		diags.AddError("Provider not configured", fmt.Sprintf("hedgehog_%s lists objects from the kubernetes or git backend, and the provider has none configured. Configure one of them in the provider block (or through KUBE_CONFIG_PATH or HEDGEHOG_GIT_URL).", spec.TypeName))
	case eng.Source() == nil:
		diags.AddError("Listing needs Git or Kubernetes", fmt.Sprintf("hedgehog_%s lists objects from the cluster, else Git; NetBox does not hold whole objects. Configure the kubernetes or git backend.", spec.TypeName))
	}
	var f objectFilter
	if !diags.HasError() {
		f = newObjectFilter(ctx, m.Labels, m.NamePattern, m.IncludeOwned, eng.Owner(), &diags)
	}
	if diags.HasError() {
		scrub(&diags)
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	// The backend is read while Terraform takes the results: each object is sent as soon as it is read.
	stream.Results = func(push func(list.ListResult) bool) {
		objs, from, err := listSelected(ctx, eng, []string{spec.Kind}, f)
		if ctx.Err() != nil {
			return // cancelled (Ctrl-C, or Terraform stopped reading): nothing more is sent
		}
		if err != nil {
			var ds fwdiag.Diagnostics
			ds.AddError("Cannot list "+spec.Kind+" objects",
				fmt.Sprintf("%v. Check that the kubernetes or git backend is reachable (the provider block's settings, credentials and network), then run the query again.", err))
			scrub(&ds)
			push(list.ListResult{Diagnostics: ds})
			return
		}
		sort.Slice(objs, func(i, j int) bool {
			if objs[i].Namespace != objs[j].Namespace {
				return objs[i].Namespace < objs[j].Namespace
			}
			return objs[i].Name < objs[j].Name
		})
		for n, o := range objs {
			if ctx.Err() != nil || (req.Limit > 0 && int64(n) >= req.Limit) {
				return
			}
			r := l.result(ctx, req, o, from)
			scrub(&r.Diagnostics)
			if !push(r) {
				return
			}
		}
	}
}

// result is one listed object: its identity, a display name and, when asked for, the resource as an import
// of the object would put it in state.
func (l *fabricListResource) result(ctx context.Context, req list.ListRequest, o engine.Listed, from string) list.ListResult {
	ns := o.Namespace
	if ns == "" {
		ns = fabricNamespace
	}
	r := req.NewListResult(ctx)
	r.DisplayName = o.Name
	if o.Owned {
		r.DisplayName = fmt.Sprintf("%s (owner %s)", o.Name, o.Owner)
	}
	r.Diagnostics.Append(r.Identity.SetAttribute(ctx, path.Root(aName), o.Name)...)
	r.Diagnostics.Append(r.Identity.SetAttribute(ctx, path.Root(aNamespace), ns)...)
	if !req.IncludeResource || r.Diagnostics.HasError() {
		return r
	}
	diags := &diagnostics{}
	ref := backend.Ref{Kind: l.res.spec.Kind, Namespace: ns, Name: o.Name}
	l.res.readImport(ctx, ref, r.Resource.Raw.Type(), resourceRef{r.Resource}, diags)
	if diags.hasError() {
		// Listed from one backend, gone or unreadable a moment later: say which object, and how to go on.
		diags.d = append(fwdiag.Diagnostics{fwdiag.NewErrorDiagnostic("Cannot read "+ref.String()+" listed from "+from,
			"The object was listed, but reading it as an import failed (the next diagnostic says why). Run the query again; "+
				"without -generate-config-out (or with include_resource = false) only identities are read.")}, diags.d...)
	}
	r.Diagnostics.Append(diags.d...)
	return r
}

// resourceRef lets readImport fill a list result's resource object.
type resourceRef struct{ r *tfsdk.Resource }

func (x resourceRef) setRaw(v tftypes.Value) { x.r.Raw = v }

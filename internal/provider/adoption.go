package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	fwdiag "github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/adopt"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/engine"
)

// adoptionDataSource generates the configuration that adopts a running fabric (internal/adopt): an import
// block and a resource block per object, for every CLI (no `terraform query` needed).
type adoptionDataSource struct{ eng *engine.Engine }

var _ datasource.DataSourceWithConfigure = (*adoptionDataSource)(nil)

type adoptionModel struct {
	Kinds        types.List   `tfsdk:"kinds"`
	Labels       types.Map    `tfsdk:"labels"`
	NamePattern  types.String `tfsdk:"name_pattern"`
	IncludeOwned types.Bool   `tfsdk:"include_owned"`
	Source       types.String `tfsdk:"source"`
	Count        types.Int64  `tfsdk:"object_count"`
	HCL          types.String `tfsdk:"hcl"`
	Blocks       types.Map    `tfsdk:"blocks"`
}

func (d *adoptionDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_adoption"
}

func (d *adoptionDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = dschema.Schema{
		MarkdownDescription: "Generates the Terraform configuration that adopts fabric objects made without Terraform (by kubectl, " +
			"hhfab or a GitOps repository): per object an `import` block and a resource block, with references between " +
			"the objects written as expressions (an attachment's `connection_name` becomes `hedgehog_connection.x.name`). " +
			"Write `hcl` to a file, remove the data source, and plan: every object is an import. Reads the cluster, else Git. " +
			"See the guide *Adopting a running fabric*.",
		Attributes: map[string]dschema.Attribute{
			"kinds": dschema.ListAttribute{ElementType: types.StringType, Optional: true,
				MarkdownDescription: "Kinds to adopt, as fabric kinds (`VPC`) or resource types (`hedgehog_vpc`). Default: every managed kind."},
			fLabels:        dschema.MapAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: descLabels},
			fNamePattern:   dschema.StringAttribute{Optional: true, MarkdownDescription: descNamePattern},
			fIncludeOwned:  dschema.BoolAttribute{Optional: true, MarkdownDescription: descIncludeOwned},
			"source":       dschema.StringAttribute{Computed: true, MarkdownDescription: "The backend the objects were read from (`kubernetes` or `git`)."},
			"object_count": dschema.Int64Attribute{Computed: true, MarkdownDescription: "Number of objects adopted."},
			"hcl": dschema.StringAttribute{Computed: true,
				MarkdownDescription: "The whole configuration: every import block and resource block, ready to write to a `.tf` file."},
			"blocks": dschema.MapAttribute{ElementType: types.StringType, Computed: true,
				MarkdownDescription: "Per resource address (`hedgehog_vpc.web`), its import block and resource block."},
		},
	}
}

func (d *adoptionDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.eng = configureEngine(req, resp)
}

func (d *adoptionDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	defer scrub(&resp.Diagnostics)
	var m adoptionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.eng == nil {
		resp.Diagnostics.AddError("Provider not configured", "The adoption data source reads the kubernetes or git backend; configure one of them.")
		return
	}
	kinds := map[string]adopt.Kind{}
	byName := map[string]string{}
	for _, s := range sortedKindSpecs(isManaged) {
		kinds[s.Kind] = adopt.Kind{Kind: s.Kind, Resource: "hedgehog_" + s.TypeName, Spec: s.CRD.Spec}
		for _, n := range []string{s.Kind, "hedgehog_" + s.TypeName, s.TypeName} {
			byName[strings.ToLower(n)] = s.Kind
		}
	}
	var want []string
	if !m.Kinds.IsNull() {
		var names []string
		resp.Diagnostics.Append(m.Kinds.ElementsAs(ctx, &names, false)...)
		for _, n := range names {
			k, ok := byName[strings.ToLower(n)]
			if !ok {
				resp.Diagnostics.AddAttributeError(path.Root("kinds"), "Unknown kind", fmt.Sprintf("%q is not a kind this provider manages. Use a fabric kind such as VPC or a resource type such as hedgehog_vpc.", n))
				continue
			}
			want = append(want, k)
		}
	} else {
		for k := range kinds {
			want = append(want, k)
		}
	}
	f := newObjectFilter(ctx, m.Labels, m.NamePattern, m.IncludeOwned, d.eng.Owner(), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	listed, from, err := listSelected(ctx, d.eng, want, f)
	if err != nil {
		resp.Diagnostics.AddError("Cannot list the fabric", fmt.Sprintf("%v. Check that the kubernetes or git backend is reachable.", err))
		return
	}
	var objs []adopt.Object
	for _, o := range listed {
		objs = append(objs, adopt.Object{Kind: o.Kind, Name: o.Name, Manifest: o.Manifest})
	}
	blocks := adopt.Generate(kinds, objs)
	bm := map[string]string{}
	for _, b := range blocks {
		bm[b.Address] = b.Import + "\n" + b.Resource
	}
	mv, diags := types.MapValueFrom(ctx, types.StringType, bm)
	resp.Diagnostics.Append(diags...)
	m.Blocks = mv
	m.HCL = types.StringValue(adopt.Text(blocks))
	m.Count = types.Int64Value(int64(len(blocks)))
	m.Source = types.StringValue(from)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// The settings that select objects, shared by the adoption data source and the list resources (list.go):
// the same names, meanings and checks in both.
const (
	fLabels       = "labels"
	fNamePattern  = "name_pattern"
	fIncludeOwned = "include_owned"

	descLabels       = "Only objects carrying all of these labels."
	descNamePattern  = "Only objects whose name matches this regular expression (RE2)."
	descIncludeOwned = "Also objects this owner's Terraform state already wrote (default `false`: only objects of other owners and unmarked ones)."
)

// objectFilter selects listed objects by labels, name and owner.
type objectFilter struct {
	labels       map[string]string
	name         *regexp.Regexp // nil: every name
	includeOwned bool
	owner        string // this configuration's owner: its objects are left out unless includeOwned
}

// newObjectFilter reads the selecting settings; a setting that is not valid is an error on its attribute.
func newObjectFilter(ctx context.Context, labels types.Map, pattern types.String, includeOwned types.Bool, owner string, diags *fwdiag.Diagnostics) objectFilter {
	f := objectFilter{labels: map[string]string{}, includeOwned: includeOwned.ValueBool(), owner: owner}
	if !labels.IsNull() && !labels.IsUnknown() {
		diags.Append(labels.ElementsAs(ctx, &f.labels, false)...)
	}
	re, err := compileNamePattern(pattern)
	if err != nil {
		diags.AddAttributeError(path.Root(fNamePattern), "Invalid name pattern", fmt.Sprintf("%v. Use an RE2 regular expression, e.g. ^tenant-a-.", err))
	}
	f.name = re
	return f
}

// compileNamePattern compiles name_pattern (nil when unset, empty or not known yet).
func compileNamePattern(p types.String) (*regexp.Regexp, error) {
	if p.IsNull() || p.IsUnknown() || p.ValueString() == "" {
		return nil, nil
	}
	return regexp.Compile(p.ValueString())
}

// keep is whether the filter selects o.
func (f objectFilter) keep(o engine.Listed) bool {
	if o.Owned && o.Owner == f.owner && !f.includeOwned {
		return false
	}
	if f.name != nil && !f.name.MatchString(o.Name) {
		return false
	}
	md, _ := o.Manifest["metadata"].(map[string]any)
	have := anyStringMap(md["labels"], "")
	for k, v := range f.labels {
		if have[k] != v {
			return false
		}
	}
	return true
}

// listSelected lists every object of kinds from the cluster, else Git (engine.ListWhole), and keeps those f
// selects. from names the backend the objects were read from.
func listSelected(ctx context.Context, eng *engine.Engine, kinds []string, f objectFilter) (out []engine.Listed, from string, err error) {
	listed, from, err := eng.ListWhole(ctx, kinds)
	if err != nil {
		return nil, "", err
	}
	for _, o := range listed {
		if f.keep(o) {
			out = append(out, o)
		}
	}
	return out, from, nil
}

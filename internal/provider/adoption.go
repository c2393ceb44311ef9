package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
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
			"labels": dschema.MapAttribute{ElementType: types.StringType, Optional: true,
				MarkdownDescription: "Only objects carrying all of these labels."},
			"name_pattern": dschema.StringAttribute{Optional: true,
				MarkdownDescription: "Only objects whose name matches this regular expression (RE2)."},
			"include_owned": dschema.BoolAttribute{Optional: true,
				MarkdownDescription: "Also objects this owner's Terraform state already wrote (default `false`: only objects of other owners and unmarked ones)."},
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
	var re *regexp.Regexp
	if p := m.NamePattern.ValueString(); p != "" {
		var err error
		if re, err = regexp.Compile(p); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("name_pattern"), "Invalid name pattern", fmt.Sprintf("%v. Use an RE2 regular expression, e.g. ^tenant-a-.", err))
		}
	}
	labels := map[string]string{}
	if !m.Labels.IsNull() {
		resp.Diagnostics.Append(m.Labels.ElementsAs(ctx, &labels, false)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	listed, from, err := d.eng.ListWhole(ctx, want)
	if err != nil {
		resp.Diagnostics.AddError("Cannot list the fabric", fmt.Sprintf("%v. Check that the kubernetes or git backend is reachable.", err))
		return
	}
	var objs []adopt.Object
	for _, o := range listed {
		if o.Owned && o.Owner == d.eng.Owner() && !m.IncludeOwned.ValueBool() {
			continue
		}
		if re != nil && !re.MatchString(o.Name) {
			continue
		}
		md, _ := o.Manifest["metadata"].(map[string]any)
		have := anyStringMap(md["labels"], "")
		match := true
		for k, v := range labels {
			match = match && have[k] == v
		}
		if match {
			objs = append(objs, adopt.Object{Kind: o.Kind, Name: o.Name, Manifest: o.Manifest})
		}
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

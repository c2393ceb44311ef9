package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/engine"
)

// freeSpaceDataSource reports the free space of an IPv4 and a VLAN namespace in the fabric view.
type freeSpaceDataSource struct{ eng *engine.Engine }

var _ datasource.DataSourceWithConfigure = (*freeSpaceDataSource)(nil)

var vlanRangeType = types.ObjectType{AttrTypes: map[string]attr.Type{"from": types.Int64Type, "to": types.Int64Type}}

type freeSpaceModel struct {
	IPv4Namespace types.String `tfsdk:"ipv4_namespace"`
	PrefixLength  types.Int64  `tfsdk:"prefix_length"`
	MaxPrefixes   types.Int64  `tfsdk:"max_prefixes"`
	VLANNamespace types.String `tfsdk:"vlan_namespace"`
	Prefixes      types.List   `tfsdk:"prefixes"`
	VLANRanges    types.List   `tfsdk:"vlan_ranges"`
}

func (d *freeSpaceDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_free_space"
}

func (d *freeSpaceDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = dschema.Schema{
		MarkdownDescription: "The free space of a namespace in the fabric view (the cluster, else Git, with the objects planned " +
			"earlier in the same run): free prefixes of a given length in an IPv4Namespace, and free VLAN ranges in a " +
			"VLANNamespace. The same plan checks every choice again: two objects that take the same free value fail at plan.",
		Attributes: map[string]dschema.Attribute{
			"ipv4_namespace": dschema.StringAttribute{Optional: true, MarkdownDescription: "IPv4Namespace to search for free prefixes."},
			"prefix_length":  dschema.Int64Attribute{Optional: true, MarkdownDescription: "Length of the free prefixes (default 24)."},
			"max_prefixes":   dschema.Int64Attribute{Optional: true, MarkdownDescription: "At most this many prefixes, lowest first (default 10)."},
			"vlan_namespace": dschema.StringAttribute{Optional: true, MarkdownDescription: "VLANNamespace to search for free VLANs."},
			"prefixes":       dschema.ListAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: "Free prefixes that overlap no VPC subnet of the namespace."},
			"vlan_ranges":    dschema.ListAttribute{ElementType: vlanRangeType, Computed: true, MarkdownDescription: "Free VLAN ranges (`from`, `to`, inclusive) that no VPC subnet of the namespace uses."},
		},
	}
}

func (d *freeSpaceDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.eng = configureEngine(req, resp)
}

func (d *freeSpaceDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	defer scrub(&resp.Diagnostics)
	var m freeSpaceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.eng == nil {
		resp.Diagnostics.AddError("Provider not configured", "The free space is read from the kubernetes or git backend; configure one of them.")
		return
	}
	v, note := d.eng.View(ctx)
	if note != "" {
		resp.Diagnostics.AddWarning("The free space may be wrong", note)
	}
	m.Prefixes = types.ListNull(types.StringType)
	m.VLANRanges = types.ListNull(vlanRangeType)
	if ns := m.IPv4Namespace.ValueString(); ns != "" {
		length, max := int64(24), int64(10)
		if !m.PrefixLength.IsNull() {
			length = m.PrefixLength.ValueInt64()
		}
		if !m.MaxPrefixes.IsNull() {
			max = m.MaxPrefixes.ValueInt64()
		}
		ps, err := cascade.FreePrefixes(v, ns, int(length), int(max))
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("ipv4_namespace"), "Cannot find free prefixes", fmt.Sprintf("%v. Name an existing IPv4Namespace and a prefix length from 1 to 32.", err))
			return
		}
		var vals []attr.Value
		for _, p := range ps {
			vals = append(vals, types.StringValue(p.String()))
		}
		lv, diags := types.ListValue(types.StringType, vals)
		resp.Diagnostics.Append(diags...)
		m.Prefixes = lv
	}
	if ns := m.VLANNamespace.ValueString(); ns != "" {
		rs, err := cascade.FreeVLANs(v, ns)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("vlan_namespace"), "Cannot find free VLANs", fmt.Sprintf("%v. Name an existing VLANNamespace.", err))
			return
		}
		var vals []attr.Value
		for _, r := range rs {
			o, diags := types.ObjectValue(vlanRangeType.AttrTypes, map[string]attr.Value{"from": types.Int64Value(int64(r.From)), "to": types.Int64Value(int64(r.To))})
			resp.Diagnostics.Append(diags...)
			vals = append(vals, o)
		}
		lv, diags := types.ListValue(vlanRangeType, vals)
		resp.Diagnostics.Append(diags...)
		m.VLANRanges = lv
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

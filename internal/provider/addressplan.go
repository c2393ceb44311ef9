package provider

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/engine"
)

// addressPlanDataSource allocates the next free prefixes and VLANs for named VPC subnets (DECISIONS.md,
// "Address planning is a data source"). A data source is read once, at plan, and Terraform keeps what it read
// in the plan: the apply (a saved plan's too) uses exactly the planned values, whatever order it applies in.
type addressPlanDataSource struct{ eng *engine.Engine }

var _ datasource.DataSourceWithConfigure = (*addressPlanDataSource)(nil)

var allocationType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"subnet": types.StringType, "vlan": types.Int64Type, "gateway": types.StringType, "existing": types.BoolType,
}}

type addressPlanModel struct {
	IPv4Namespace types.String `tfsdk:"ipv4_namespace"`
	VLANNamespace types.String `tfsdk:"vlan_namespace"`
	Requests      types.Map    `tfsdk:"requests"`
	Allocations   types.Map    `tfsdk:"allocations"`
}

type addressRequestModel struct {
	Subnet       types.String `tfsdk:"subnet"`
	PrefixLength types.Int64  `tfsdk:"prefix_length"`
	VLAN         types.Int64  `tfsdk:"vlan"`
	AutoVLAN     types.Bool   `tfsdk:"auto_vlan"`
}

func (d *addressPlanDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_address_plan"
}

func (d *addressPlanDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = dschema.Schema{
		MarkdownDescription: "Allocates addresses for VPC subnets: the next free prefix of a given length in an IPv4Namespace and " +
			"the next free VLAN in a VLANNamespace, known at plan. Give each VPC subnet that needs addresses a request keyed " +
			"`\"<vpc>/<subnet>\"`, and set the subnet's `subnet` and `vlan` from `allocations`.\n\n" +
			"- **Stable:** a subnet the VPC already has keeps its prefix (when it has the length asked for) and its VLAN; " +
			"a later plan never moves them.\n" +
			"- **Order-independent:** new requests are served in key order, lowest prefix and lowest VLAN first; the same " +
			"configuration against the same fabric gets the same values.\n" +
			"- **No collisions in a run:** the values are reserved in the plan's view of the fabric, so another address plan " +
			"or a VPC with literal values planned in the same run cannot take them (that VPC fails at plan).\n" +
			"- **Known at plan:** name the namespaces by name (a variable or a literal), not by a resource attribute: " +
			"Terraform reads a data source that refers to a resource with pending changes only at apply.\n\n" +
			"Terraform keeps the values read at plan in the plan, and the apply writes exactly them. The apply checks " +
			"them once more against the fabric as it is then, so that another workspace that took a value meanwhile " +
			"makes the apply fail with an error instead of writing a clash.",
		Attributes: map[string]dschema.Attribute{
			"ipv4_namespace": dschema.StringAttribute{Optional: true, MarkdownDescription: "IPv4Namespace to allocate prefixes from (needed when a request sets `prefix_length`)."},
			"vlan_namespace": dschema.StringAttribute{Optional: true, MarkdownDescription: "VLANNamespace to allocate VLANs from (needed when a request wants a VLAN)."},
			"requests": dschema.MapNestedAttribute{
				Required:            true,
				MarkdownDescription: "Requests keyed `\"<vpc>/<subnet>\"` (the VPC's name and the subnet's key in its `subnets`). List the subnets with values of their own here too (`subnet`, `vlan`): the plan then keeps allocations clear of them, whatever order Terraform plans the VPCs in.",
				NestedObject: dschema.NestedAttributeObject{Attributes: map[string]dschema.Attribute{
					"subnet":        dschema.StringAttribute{Optional: true, MarkdownDescription: "A prefix the subnet sets itself: reserved, so that no allocation takes it, and returned as it is."},
					"prefix_length": dschema.Int64Attribute{Optional: true, MarkdownDescription: "Length of the prefix to allocate, e.g. `24`, when `subnet` is unset. Unset both: no prefix."},
					"vlan":          dschema.Int64Attribute{Optional: true, MarkdownDescription: "A VLAN the subnet sets itself: reserved and returned as it is."},
					"auto_vlan":     dschema.BoolAttribute{Optional: true, MarkdownDescription: "Allocate a VLAN when `vlan` is unset. Default: `true` when `vlan_namespace` is set."},
				}},
			},
			"allocations": dschema.MapNestedAttribute{
				Computed:            true,
				MarkdownDescription: "What each request got, keyed like `requests`.",
				NestedObject: dschema.NestedAttributeObject{Attributes: map[string]dschema.Attribute{
					"subnet":   dschema.StringAttribute{Computed: true, MarkdownDescription: "The prefix (null when none was asked for)."},
					"vlan":     dschema.Int64Attribute{Computed: true, MarkdownDescription: "The VLAN (null when none was asked for)."},
					"gateway":  dschema.StringAttribute{Computed: true, MarkdownDescription: "The gateway the fabric gives the subnet by default (its first address)."},
					"existing": dschema.BoolAttribute{Computed: true, MarkdownDescription: "Whether every allocated value is the one the VPC already holds (allocated in an earlier run, or set by hand); false for a request that sets a value itself."},
				}},
			},
		},
	}
}

func (d *addressPlanDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.eng = configureEngine(req, resp)
}

func (d *addressPlanDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	defer scrub(&resp.Diagnostics)
	var m addressPlanModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.eng == nil {
		resp.Diagnostics.AddError("Provider not configured", "Addresses are allocated against the fabric as the kubernetes or git backend holds it; configure one of them.")
		return
	}
	var reqModels map[string]addressRequestModel
	resp.Diagnostics.Append(m.Requests.ElementsAs(ctx, &reqModels, false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	keys := make([]string, 0, len(reqModels))
	for k := range reqModels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ipv4ns, vlanns := m.IPv4Namespace.ValueString(), m.VLANNamespace.ValueString()
	var reqs []cascade.AddressRequest
	for _, k := range keys {
		rm := reqModels[k]
		at := path.Root("requests").AtMapKey(k)
		vpc, subnet, ok := strings.Cut(k, "/")
		if !ok || vpc == "" || subnet == "" || strings.Contains(subnet, "/") {
			resp.Diagnostics.AddAttributeError(at, "Invalid request key",
				fmt.Sprintf("The key %q must be \"<vpc>/<subnet>\": the VPC's name and the subnet's key in its subnets, e.g. \"web/default\". The VPC name is what keeps the allocation stable: a later plan finds the values in that VPC.", k))
			continue
		}
		r := cascade.AddressRequest{VPC: vpc, Subnet: subnet}
		if !rm.Subnet.IsNull() {
			p, err := netip.ParsePrefix(rm.Subnet.ValueString())
			if err != nil || !p.Addr().Is4() {
				resp.Diagnostics.AddAttributeError(at.AtName("subnet"), "Invalid subnet",
					fmt.Sprintf("subnet %q is not an IPv4 prefix such as 10.0.1.0/24.", rm.Subnet.ValueString()))
				continue
			}
			r.FixedPrefix = p.Masked()
			if !rm.PrefixLength.IsNull() {
				resp.Diagnostics.AddAttributeError(at.AtName("prefix_length"), "Both subnet and prefix_length set",
					fmt.Sprintf("Request %q sets its subnet, so there is no prefix to allocate: drop prefix_length, or drop subnet to have one allocated.", k))
				continue
			}
		}
		if !rm.PrefixLength.IsNull() {
			n := rm.PrefixLength.ValueInt64()
			if n < 1 || n > 32 {
				resp.Diagnostics.AddAttributeError(at.AtName("prefix_length"), "Invalid prefix length",
					fmt.Sprintf("prefix_length is %d; it must be from 1 to 32 (24 for a /24).", n))
				continue
			}
			r.PrefixLength = int(n)
		}
		if !rm.VLAN.IsNull() {
			n := rm.VLAN.ValueInt64()
			if n < 1 || n > 4094 {
				resp.Diagnostics.AddAttributeError(at.AtName("vlan"), "Invalid VLAN", fmt.Sprintf("vlan is %d; a VLAN is from 1 to 4094.", n))
				continue
			}
			r.FixedVLAN = uint16(n)
		} else {
			r.VLAN = vlanns != ""
			if !rm.AutoVLAN.IsNull() {
				r.VLAN = rm.AutoVLAN.ValueBool()
			}
		}
		if (r.PrefixLength > 0 || r.FixedPrefix.IsValid()) && ipv4ns == "" {
			resp.Diagnostics.AddAttributeError(path.Root("ipv4_namespace"), "IPv4Namespace needed",
				fmt.Sprintf("Request %q has a prefix, so set ipv4_namespace to the IPv4Namespace it belongs to.", k))
			continue
		}
		if (r.VLAN || r.FixedVLAN != 0) && vlanns == "" {
			resp.Diagnostics.AddAttributeError(path.Root("vlan_namespace"), "VLANNamespace needed",
				fmt.Sprintf("Request %q has a VLAN, so set vlan_namespace to the VLANNamespace it belongs to.", k))
			continue
		}
		if r.PrefixLength == 0 && !r.VLAN && !r.FixedPrefix.IsValid() && r.FixedVLAN == 0 {
			resp.Diagnostics.AddAttributeError(at, "Empty request",
				fmt.Sprintf("Request %q asks for nothing: set prefix_length (or subnet), and set vlan_namespace for a VLAN.", k))
			continue
		}
		reqs = append(reqs, r)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	got, errs, note := d.eng.PlanAddresses(ctx, ipv4ns, vlanns, reqs)
	if note != "" {
		resp.Diagnostics.AddWarning("The allocation may clash", note+". Values allocated without the whole fabric in view may be taken already; the apply checks them again.")
	}
	for _, e := range errs {
		at := path.Root(e.Field)
		if e.Key != "" {
			at = path.Root("requests").AtMapKey(e.Key)
			if e.Field != "" {
				at = at.AtName(e.Field)
			}
		}
		resp.Diagnostics.AddAttributeError(at, e.Summary, e.Detail)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	out := map[string]attr.Value{}
	for i, r := range reqs {
		a := got[i]
		subnet, gw, vlan := types.StringNull(), types.StringNull(), types.Int64Null()
		if a.Prefix.IsValid() {
			subnet = types.StringValue(a.Prefix.String())
			if g, _, _, err := subnetDefaults(a.Prefix.String()); err == nil && g != "" {
				gw = types.StringValue(g)
			}
		}
		if a.VLAN != 0 {
			vlan = types.Int64Value(int64(a.VLAN))
		}
		o, diags := types.ObjectValue(allocationType.AttrTypes, map[string]attr.Value{
			"subnet": subnet, "vlan": vlan, "gateway": gw, "existing": types.BoolValue(a.Existing),
		})
		resp.Diagnostics.Append(diags...)
		out[r.Key()] = o
	}
	mv, diags := types.MapValue(allocationType, out)
	resp.Diagnostics.Append(diags...)
	m.Allocations = mv
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

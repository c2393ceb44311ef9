package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/engine"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/topology"
)

// topologyDataSource draws the fabric view (internal/topology): the fabric as read plus the objects planned
// so far in the same run.
type topologyDataSource struct{ eng *engine.Engine }

var _ datasource.DataSourceWithConfigure = (*topologyDataSource)(nil)

type topologyModel struct {
	Attachments types.Bool   `tfsdk:"include_attachments"`
	Mermaid     types.String `tfsdk:"mermaid"`
	DOT         types.String `tfsdk:"dot"`
	Switches    types.Int64  `tfsdk:"switches"`
	Servers     types.Int64  `tfsdk:"servers"`
	Connections types.Int64  `tfsdk:"connections"`
}

func (d *topologyDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_topology"
}

func (d *topologyDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = dschema.Schema{
		MarkdownDescription: "Draws the fabric: switches by role and redundancy group, servers, connections by link type and, " +
			"optionally, where each VPC is attached. It reads the fabric view (the cluster, else Git) together with the " +
			"objects planned earlier in the same run, and renders Mermaid (GitHub and most docs sites show it as a " +
			"picture) and Graphviz DOT (`dot -Tsvg`).",
		Attributes: map[string]dschema.Attribute{
			"include_attachments": dschema.BoolAttribute{Optional: true, MarkdownDescription: "Also draw each VPC and a dashed edge to every server its attachments reach (default `false`)."},
			"mermaid":             dschema.StringAttribute{Computed: true, MarkdownDescription: "The fabric as a Mermaid flowchart."},
			"dot":                 dschema.StringAttribute{Computed: true, MarkdownDescription: "The fabric as a Graphviz graph."},
			"switches":            dschema.Int64Attribute{Computed: true, MarkdownDescription: "Number of switches drawn."},
			"servers":             dschema.Int64Attribute{Computed: true, MarkdownDescription: "Number of servers drawn."},
			"connections":         dschema.Int64Attribute{Computed: true, MarkdownDescription: "Number of connections drawn."},
		},
	}
}

func (d *topologyDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.eng = configureEngine(req, resp)
}

func (d *topologyDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	defer scrub(&resp.Diagnostics)
	var m topologyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.eng == nil {
		resp.Diagnostics.AddError("Provider not configured", "The topology is drawn from the kubernetes or git backend; configure one of them.")
		return
	}
	v, note := d.eng.View(ctx)
	if note != "" {
		resp.Diagnostics.AddWarning("The topology may be incomplete", note)
	}
	var objs []fabric.Object
	counts := map[string]int{}
	for _, k := range []string{fabric.KindSwitch, fabric.KindServer, fabric.KindConnection, fabric.KindVPC, fabric.KindVPCAttachment} {
		l := v.List(k)
		counts[k] = len(l)
		objs = append(objs, l...)
	}
	g := topology.Build(objs, topology.Options{Attachments: m.Attachments.ValueBool()})
	m.Mermaid = types.StringValue(g.Mermaid())
	m.DOT = types.StringValue(g.DOT())
	m.Switches = types.Int64Value(int64(counts[fabric.KindSwitch]))
	m.Servers = types.Int64Value(int64(counts[fabric.KindServer]))
	m.Connections = types.Int64Value(int64(counts[fabric.KindConnection]))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

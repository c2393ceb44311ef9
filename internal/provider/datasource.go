package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/engine"
)

var _ datasource.DataSourceWithConfigure = (*fabricDataSource)(nil)

// fabricDataSource reads one object of a kind from the backend that holds whole objects (the cluster,
// else Git). One implementation serves every kind, SwitchProfile and ServerProfile included.
type fabricDataSource struct {
	spec *kindSpec
	eng  *engine.Engine
}

func newDataSourceFactory(s *kindSpec) func() datasource.DataSource {
	return func() datasource.DataSource { return &fabricDataSource{spec: s} }
}

func (d *fabricDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.spec.TypeName
}

func (d *fabricDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := map[string]dschema.Attribute{}
	if d.spec.CRD.Spec != nil {
		attrs = d.spec.CRD.Spec.DataSourceAttributes()
	}
	attrs[aID] = dschema.StringAttribute{Computed: true, MarkdownDescription: "`namespace/name` of the object."}
	attrs[aName] = dschema.StringAttribute{Required: true, MarkdownDescription: "Name of the object."}
	attrs[aNamespace] = dschema.StringAttribute{Optional: true, Computed: true, MarkdownDescription: "Namespace (default `default`)."}
	attrs[aLabels] = dschema.MapAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: "Labels."}
	attrs[aAnnotations] = dschema.MapAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: "Annotations."}
	attrs[aManifest] = dschema.StringAttribute{Computed: true, MarkdownDescription: "The object as YAML, as the backend holds it."}
	resp.Schema = dschema.Schema{
		MarkdownDescription: fmt.Sprintf("Reads a Hedgehog fabric `%s` (%s/%s) from the cluster, or from Git when no cluster is configured. %s", d.spec.Kind, d.spec.CRD.Group, d.spec.CRD.Version, d.spec.CRD.Description),
		Attributes:          attrs,
	}
}

func (d *fabricDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.eng = configureEngine(req, resp)
}

// configureEngine is the Configure of every data source: the engine the provider configured (nil before).
func configureEngine(req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) *engine.Engine {
	defer scrub(&resp.Diagnostics)
	eng, problem := engineFrom(req.ProviderData)
	if problem != "" {
		resp.Diagnostics.AddError("Unexpected provider data", problem)
	}
	return eng
}

func (d *fabricDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	defer scrub(&resp.Diagnostics)
	if d.eng == nil || d.eng.Source() == nil {
		resp.Diagnostics.AddError("No backend to read from", "Data sources read from the kubernetes or git backend; configure one of them.")
		return
	}
	m := attrs(req.Config.Raw)
	name, _ := strVal(m[aName])
	ns, ok := strVal(m[aNamespace])
	if !ok {
		ns = "default"
	}
	ref := backend.Ref{Kind: d.spec.Kind, Namespace: ns, Name: name}
	src := d.eng.Source()
	s, err := src.Get(ctx, ref)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root(aName), "Cannot read "+ref.String(), fmt.Sprintf("%s: %v", src.Name(), err))
		return
	}
	if !s.Exists || s.Object == nil {
		resp.Diagnostics.AddAttributeError(path.Root(aName), d.spec.Kind+" not found", fmt.Sprintf("%s holds no %s named %q in namespace %q.", src.Name(), d.spec.Kind, name, ns))
		return
	}
	out := map[string]tftypes.Value{}
	typ := req.Config.Raw.Type().(tftypes.Object)
	for k, at := range typ.AttributeTypes {
		out[k] = tfNull(at)
	}
	md, _ := s.Object.Manifest["metadata"].(map[string]any)
	out[aName], out[aNamespace], out[aID] = tfStr(name), tfStr(ns), tfStr(ns+"/"+name)
	out[aLabels] = tfStrMap(anyStringMap(md["labels"], ""))
	out[aAnnotations] = tfStrMap(anyStringMap(md["annotations"], ""))
	y, _ := backend.YAML(*s.Object)
	out[aManifest] = tfStr(string(y))
	if d.spec.CRD.Spec != nil {
		spec, _ := s.Object.Manifest["spec"].(map[string]any)
		v, err := d.spec.CRD.Spec.ToValue(spec)
		if err != nil {
			resp.Diagnostics.AddError("Cannot convert "+ref.String(), err.Error())
			return
		}
		for k, x := range attrs(v) {
			out[k] = x
		}
	}
	resp.State.Raw = tftypes.NewValue(typ, out)
}

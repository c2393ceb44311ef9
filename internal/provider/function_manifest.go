package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
)

// manifestFunc renders the exact YAML manifest of a resource from its typed attributes, offline: the
// resources no longer keep the manifest in state (a plan would show every change twice, DECISIONS.md entry
// 37), and this is where a module or an output reads it.
type manifestFunc struct{}

func (manifestFunc) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "manifest"
}

func (manifestFunc) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The YAML manifest of a fabric object, as the provider writes it to Git and to the cluster",
		Description: "Renders the manifest of a resource of this provider from its attributes, with the fabric's defaults " +
			"applied, exactly as the provider renders it for Git and for the cluster: `provider::hedgehog::manifest(\"VPC\", hedgehog_vpc.web)`. " +
			"It works at plan as soon as the name and the spec are known. The ownership annotation `" + backend.OwnerAnnotation + "` is included; " +
			"a provider configured with a non-default `owner` also writes `" + backend.OwnerIDAnnotation + "`, which this offline rendering cannot know.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "kind", Description: "The fabric kind (`VPC`, `Connection`, …) or the resource type (`hedgehog_vpc`)."},
			function.DynamicParameter{Name: "object", Description: "The resource (`hedgehog_vpc.web`), or an object with its `name` and spec attributes.", AllowUnknownValues: true},
		},
		Return: function.StringReturn{},
	}
}

// kindSpecFor finds a managed kind by its kind name or resource type name.
func kindSpecFor(name string) (*kindSpec, []string) {
	var known []string
	for _, s := range sortedKindSpecs(isManaged) {
		if strings.EqualFold(s.Kind, name) || name == "hedgehog_"+s.TypeName || name == s.TypeName {
			return s, nil
		}
		known = append(known, s.Kind)
	}
	sort.Strings(known)
	return nil, known
}

func (manifestFunc) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var kind string
	var obj types.Dynamic
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &kind, &obj))
	if resp.Error != nil {
		return
	}
	s, known := kindSpecFor(kind)
	if s == nil {
		resp.Error = function.NewArgumentFuncError(0, fmt.Sprintf("unknown kind %q; the provider manages %s", kind, strings.Join(known, ", ")))
		return
	}
	if obj.IsUnknown() || obj.IsUnderlyingValueUnknown() {
		resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, types.StringUnknown()))
		return
	}
	raw, err := obj.UnderlyingValue().ToTerraformValue(ctx)
	if err != nil || obj.IsNull() || obj.IsUnderlyingValueNull() {
		resp.Error = function.NewArgumentFuncError(1, "the object is null; pass the resource, e.g. hedgehog_vpc.web")
		return
	}
	y, unknown, err := renderManifest(ctx, s, raw)
	switch {
	case err != nil:
		resp.Error = function.NewArgumentFuncError(1, err.Error())
	case unknown:
		resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, types.StringUnknown()))
	default:
		resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, y))
	}
}

// renderManifest builds a value of the resource's type from the object's attributes (absent ones null) and
// renders it as the resource does. unknown: a part it needs is not known yet.
func renderManifest(ctx context.Context, s *kindSpec, raw tftypes.Value) (string, bool, error) {
	if !raw.Type().Is(tftypes.Object{}) {
		return "", false, fmt.Errorf("want an object (the resource itself, e.g. hedgehog_%s.x), got %s", s.TypeName, raw.Type())
	}
	in := map[string]tftypes.Value{}
	if err := raw.As(&in); err != nil {
		return "", false, err
	}
	r := &fabricResource{spec: s}
	var sr resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	typ := sr.Schema.Type().TerraformType(ctx).(tftypes.Object)
	m := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		v, ok := in[name]
		switch {
		case !ok:
			m[name] = tfNull(at)
		case !v.Type().Equal(at) && !v.IsNull() && v.IsKnown():
			return "", false, fmt.Errorf("attribute %q has type %s, but hedgehog_%s has %s: pass the resource itself (hedgehog_%s.x)", name, v.Type(), s.TypeName, at, s.TypeName)
		case v.IsNull():
			m[name] = tfNull(at)
		case !v.IsKnown():
			m[name] = tfUnknown(at)
		default:
			m[name] = v
		}
	}
	diags := &diagnostics{}
	rd, ok := r.render(ctx, nil, tftypes.NewValue(typ, m), diags)
	if diags.hasError() {
		var msgs []string
		for _, d := range diags.d.Errors() {
			msgs = append(msgs, d.Summary()+": "+d.Detail())
		}
		return "", false, fmt.Errorf("the object does not render: %s", strings.Join(msgs, "; "))
	}
	if !ok {
		return "", true, nil
	}
	y, err := rd.d.YAML()
	if err != nil {
		return "", false, fmt.Errorf("the manifest does not render: %v", err)
	}
	return y, false, nil
}

package provider

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/tfschema"
)

// attributePathOf returns the Terraform attribute path of an immutable field and whether the schema has it.
func (s *kindSpec) attributePathOf(f immutableField) (path.Path, []string, bool) {
	if s.CRD.Spec == nil || len(f.Path) == 0 {
		return path.Empty(), nil, false
	}
	n := s.CRD.Spec
	var p path.Path
	tf := make([]string, 0, len(f.Path))
	for i, name := range f.Path {
		if n == nil || (i > 0 && (n.Type != tfschema.Object || !n.Nestable())) {
			return path.Empty(), nil, false
		}
		child := n.Field(name)
		if child == nil {
			return path.Empty(), nil, false
		}
		if i == 0 {
			p = path.Root(child.TF)
		} else {
			p = p.AtName(child.TF)
		}
		tf = append(tf, child.TF)
		n = child
	}
	return p, tf, true
}

// valueAt follows attribute names from the root attributes; a null or unknown parent gives that value.
func valueAt(root map[string]tftypes.Value, names []string) (tftypes.Value, bool) {
	v, ok := root[names[0]]
	if !ok {
		return tftypes.Value{}, false
	}
	for _, n := range names[1:] {
		if v.IsNull() || !v.IsKnown() {
			return v, true
		}
		m := map[string]tftypes.Value{}
		if err := v.As(&m); err != nil {
			return tftypes.Value{}, false
		}
		if v, ok = m[n]; !ok {
			return tftypes.Value{}, false
		}
	}
	return v, true
}

// replaceFields returns the attributes whose planned change the fabric refuses on update (kindSpec.Immutable):
// the plan replaces the resource for them.
func (s *kindSpec) replaceFields(state, plan map[string]tftypes.Value) []path.Path {
	var out []path.Path
	for _, f := range s.Immutable {
		p, tf, ok := s.attributePathOf(f)
		if !ok {
			continue
		}
		sv, okS := valueAt(state, tf)
		pv, okP := valueAt(plan, tf)
		if !okS || !okP {
			continue
		}
		sNull, pNull := sv.IsNull() || sv.Type() == nil, pv.IsNull() || pv.Type() == nil
		changed := sNull != pNull
		if f.Value && !changed && !sNull {
			changed = !sv.Equal(pv)
		}
		if changed {
			out = append(out, p)
		}
	}
	return out
}

// replacementDeleteFindings turns the delete protections of the object a replacement deletes into
// warnings that say why they matter at plan: the apply deletes the object first, and the delete is refused
// while others use it (the apply then fails before writing anything).
func replacementDeleteFindings(kind string, fields []path.Path, ds diag.Diagnostics) diag.Diagnostics {
	if len(ds) == 0 {
		return nil
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.String()
	}
	out := make(diag.Diagnostics, len(ds))
	for i, d := range ds {
		d.Severity = diag.Warning
		d.Summary = "replacement will be refused: " + d.Summary
		d.Detail = fmt.Sprintf("changing %s replaces this %s (the fabric refuses the change on update), and the apply deletes it first: %s. Unless those objects are removed or changed in this same apply, the apply fails before writing anything.",
			strings.Join(names, ", "), kind, d.Detail)
		out[i] = d
	}
	return out
}

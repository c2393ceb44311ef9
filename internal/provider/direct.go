package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	fwdiag "github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/engine"
)

// The direct paths (DECISIONS 43): the protocol wrapper answers the per-resource RPCs Terraform sends most
// (plan, apply and refresh of a create or update) itself, with the same bodies the framework's resource
// methods call, and the framework's contract around them. Two rules keep both paths one:
//   - Behaviour lives in the shared bodies (planKnown, write, writeFromState, readKnown), never only in
//     ModifyPlan, Create, Update or Read, which are thin wrappers for the framework's path.
//   - Anything a direct path does not answer exactly as the framework would, it declines before anything is
//     written to a backend (a read may be repeated), and the framework answers.
//
// The framework's own log lines (TF_LOG=DEBUG) are not written for requests the direct paths answer.

// planDirect answers PlanResourceChange for the create or update of a resource whose configuration is wholly
// known, without terraform-plugin-framework's plan pipeline: the same planKnown that ModifyPlan runs, on the
// values Terraform sent, and the same answer the framework would give. DECISIONS 43.
//
// Why: for our schemas the framework's pipeline around ModifyPlan does nothing that ModifyPlan does not
// overwrite, yet it cost four times ModifyPlan itself (measured: 2.06 s of the provider's 3.36 s in the plan
// of a 500-VPC create, of which ModifyPlan was 0.27 s). It walks every value three times against the
// schema (null collection blocks, which our schemas do not have; defaults, which they do not set; computed
// attributes left null, which ModifyPlan plans itself), then visits every attribute for plan modifiers,
// writing each value back through a path lookup.
//
// What the framework does and this path does too:
//   - RequiresReplace of name and namespace (the schema's plan modifiers), judged on the value the framework
//     would have planned before ModifyPlan, then ModifyPlan's own paths; sorted and without duplicates.
//   - The prior private state and identity carried to the plan unchanged (ModifyPlan changes neither).
//   - Diagnostics redacted (scrub) and their attribute paths converted as the framework converts them.
//
// It declines (and the framework answers) a destroy, a configuration with unknown values, a provider not
// configured yet, a type that is not a fabric kind and any value or private state that does not decode as
// expected. TestPlanDirectMatchesFramework compares both answers over creates, updates, renames, no-change
// plans, imports awaiting adoption and refused configurations of every kind.
func (s *jsonStateServer) planDirect(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, bool) {
	if req == nil || req.Config == nil || req.ProposedNewState == nil {
		return nil, false
	}
	r, typ, ok := s.directResource(ctx, req.TypeName)
	if !ok {
		return nil, false
	}
	cfg, err := req.Config.Unmarshal(typ)
	if err != nil || cfg.IsNull() || !cfg.IsFullyKnown() {
		return nil, false
	}
	proposed, err := req.ProposedNewState.Unmarshal(typ)
	if err != nil || proposed.IsNull() {
		return nil, false
	}
	prior := tftypes.NewValue(typ, nil)
	if req.PriorState != nil {
		if prior, err = req.PriorState.Unmarshal(typ); err != nil {
			return nil, false
		}
	}
	private, adopt, ok := plannedPrivate(req.PriorPrivate)
	if !ok {
		return nil, false
	}
	identity, ok := s.plannedIdentity(req)
	if !ok {
		return nil, false
	}

	diags := &diagnostics{}
	rd, known := r.render(ctx, r.eng, cfg, diags)
	if !known && !diags.hasError() {
		return nil, false // some part the renderer could not read: the framework's pipeline plans it
	}
	planned := proposed
	replace := schemaReplace(cfg, prior, proposed)
	if !diags.hasError() {
		if p, rr, ok := r.planKnown(ctx, rd, prior, proposed, adopt, diags); ok {
			planned = p
			replace = append(replace, rr...)
		}
	}
	scrub(&diags.d)

	resp := &tfprotov6.PlanResourceChangeResponse{
		Diagnostics:     protoDiagnostics(diags.d),
		RequiresReplace: protoPaths(normalisedPaths(replace)),
		PlannedPrivate:  private,
		PlannedIdentity: identity,
	}
	dv, err := tfprotov6.NewDynamicValue(typ, planned)
	if err != nil {
		return nil, false // nothing was written at plan: the framework may plan it again
	}
	resp.PlannedState = &dv
	return resp, true
}

// directResource is the resource a direct path answers for, configured as the framework configures it, and
// its state type. ok is false when the framework must answer: not a fabric kind, a schema with blocks, a
// provider not configured yet, or the direct paths turned off (noDirect).
func (s *jsonStateServer) directResource(ctx context.Context, typeName string) (*fabricResource, tftypes.Type, bool) {
	if s.prov == nil || s.noDirect {
		return nil, nil, false
	}
	typ, ok := s.stateType(ctx, typeName)
	if !ok || s.kinds[typeName] == nil {
		return nil, nil, false
	}
	if _, plain := s.plain[typeName]; !plain {
		return nil, nil, false
	}
	eng := s.prov.eng.Load()
	if eng == nil {
		return nil, nil, false
	}
	return &fabricResource{spec: s.kinds[typeName], eng: eng, rec: s.prov.rec}, typ, true
}

// schemaReplace is what the schema's RequiresReplace plan modifiers (name and namespace) report for an
// update: an attribute whose planned value, before ModifyPlan, differs from the state's. The framework plans
// a computed attribute the configuration leaves null as unknown when anything in the object changes, so an
// unset namespace (optional and computed) is reported then too; Terraform replaces only where the final plan differs from the state.
func schemaReplace(cfg, prior, proposed tftypes.Value) path.Paths {
	if prior.IsNull() {
		return nil
	}
	p, st, c := attrs(proposed), attrs(prior), attrs(cfg)
	changed := !proposed.Equal(prior)
	var out path.Paths
	for _, a := range []string{aName, aNamespace} {
		if a == aNamespace && changed && c[a].IsNull() {
			out = append(out, path.Root(a)) // unknown in the framework's plan: differs from any state
			continue
		}
		if !p[a].Equal(st[a]) {
			out = append(out, path.Root(a))
		}
	}
	return out
}

// plannedPrivate is the private state the framework plans when the resource sets none: the prior one,
// decoded and encoded again as the framework's privatestate package does (keys sorted, empty values left
// out). adopt reports our import mark.
func plannedPrivate(prior []byte) (out []byte, adopt bool, ok bool) {
	if len(prior) == 0 {
		return nil, false, true
	}
	var m map[string][]byte
	if err := json.Unmarshal(prior, &m); err != nil {
		return nil, false, false
	}
	kept := map[string][]byte{}
	for k, v := range m {
		if len(v) == 0 {
			continue
		}
		if !json.Valid(v) {
			return nil, false, false
		}
		kept[k] = v
	}
	adopt = len(kept[privateAdopt]) > 0
	if len(kept) == 0 {
		return nil, adopt, true
	}
	b, err := json.Marshal(kept)
	if err != nil {
		return nil, false, false
	}
	return b, adopt, true
}

// identityOf decodes the identity Terraform sent for a resource of typeName: null when it sent none (a client
// without identity support, or a new object). has is false for a type without identity; ok is false when the
// identity does not decode.
func (s *jsonStateServer) identityOf(typeName string, d *tfprotov6.ResourceIdentityData) (typ tftypes.Type, v tftypes.Value, has, ok bool) {
	typ, has = s.ids[typeName]
	if !has {
		return nil, tftypes.Value{}, false, true
	}
	v = tftypes.NewValue(typ, nil)
	if d != nil && d.IdentityData != nil {
		var err error
		if v, err = d.IdentityData.Unmarshal(typ); err != nil {
			return nil, tftypes.Value{}, false, false
		}
	}
	return typ, v, true, true
}

// plannedIdentity is the identity the framework plans: the prior one, or null when Terraform sent none.
func (s *jsonStateServer) plannedIdentity(req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.ResourceIdentityData, bool) {
	it, v, has, ok := s.identityOf(req.TypeName, req.PriorIdentity)
	if !ok || !has {
		return nil, ok
	}
	dv, err := tfprotov6.NewDynamicValue(it, v)
	if err != nil {
		return nil, false
	}
	return &tfprotov6.ResourceIdentityData{IdentityData: &dv}, true
}

// normalisedPaths sorts paths by their text and drops duplicates, as the framework does with RequiresReplace.
func normalisedPaths(ps path.Paths) path.Paths {
	if len(ps) < 2 {
		return ps
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].String() < ps[j].String() })
	out := ps[:1]
	for _, p := range ps[1:] {
		if !p.Equal(out[len(out)-1]) {
			out = append(out, p)
		}
	}
	return out
}

func protoPaths(ps path.Paths) []*tftypes.AttributePath {
	var out []*tftypes.AttributePath
	for _, p := range ps {
		out = append(out, protoPath(p))
	}
	return out
}

// protoPath converts an attribute path as the framework does (totftypes).
func protoPath(p path.Path) *tftypes.AttributePath {
	var steps []tftypes.AttributePathStep
	for _, st := range p.Steps() {
		switch x := st.(type) {
		case path.PathStepAttributeName:
			steps = append(steps, tftypes.AttributeName(string(x)))
		case path.PathStepElementKeyInt:
			steps = append(steps, tftypes.ElementKeyInt(int64(x)))
		case path.PathStepElementKeyString:
			steps = append(steps, tftypes.ElementKeyString(string(x)))
		case path.PathStepElementKeyValue:
			v, err := x.Value.ToTerraformValue(context.Background())
			if err != nil {
				return tftypes.NewAttributePathWithSteps(steps) // as far as it converts
			}
			steps = append(steps, tftypes.ElementKeyValue(v))
		}
	}
	return tftypes.NewAttributePathWithSteps(steps)
}

// protoDiagnostics converts diagnostics as the framework does (toproto6).
func protoDiagnostics(ds fwdiag.Diagnostics) []*tfprotov6.Diagnostic {
	var out []*tfprotov6.Diagnostic
	for _, d := range ds {
		pd := &tfprotov6.Diagnostic{Summary: d.Summary(), Detail: d.Detail(), Severity: tfprotov6.DiagnosticSeverityInvalid}
		switch d.Severity() {
		case fwdiag.SeverityError:
			pd.Severity = tfprotov6.DiagnosticSeverityError
		case fwdiag.SeverityWarning:
			pd.Severity = tfprotov6.DiagnosticSeverityWarning
		}
		if wp, ok := d.(fwdiag.DiagnosticWithPath); ok {
			pd.Attribute = protoPath(wp.Path())
		}
		out = append(out, pd)
	}
	return out
}

// rawState is a state a write sets, outside the framework.
type rawState struct{ v tftypes.Value }

func (r *rawState) setRaw(v tftypes.Value) { r.v = v }

// applyDirect answers ApplyResourceChange for a create or an update without the framework's apply pipeline:
// the same Create and Update bodies (write, writeFromState), and the framework's answer around them:
//   - create: the state starts null and the private state empty; update: the state starts as the prior one
//     and the private state as the planned one, whose adoption mark a successful update clears;
//   - the identity is the object's namespace and name once the state is known, else the planned identity;
//   - a state left null without an error, or an identity left null, is the framework's own error;
//   - diagnostics redacted and converted as the framework does.
//
// It declines (and the framework answers) a delete, a type that is not a fabric kind, a provider not
// configured and anything that does not decode. TestApplyDirectMatchesFramework runs the same creates and
// updates through both, each against backends of its own, and compares the answers.
func (s *jsonStateServer) applyDirect(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, bool) {
	if req == nil || req.PlannedState == nil || req.Config == nil {
		return nil, false
	}
	r, typ, ok := s.directResource(ctx, req.TypeName)
	if !ok {
		return nil, false
	}
	planned, err := req.PlannedState.Unmarshal(typ)
	if err != nil || planned.IsNull() {
		return nil, false
	}
	if _, err := req.Config.Unmarshal(typ); err != nil {
		return nil, false
	}
	prior := tftypes.NewValue(typ, nil)
	if req.PriorState != nil {
		if prior, err = req.PriorState.Unmarshal(typ); err != nil {
			return nil, false
		}
	}
	idType, plannedID, hasIdentity, ok := s.identityOf(req.TypeName, req.PlannedIdentity)
	if !ok {
		return nil, false
	}
	identity := plannedID
	creating := prior.IsNull()
	var private map[string][]byte
	if !creating && len(req.PlannedPrivate) > 0 {
		if err := json.Unmarshal(req.PlannedPrivate, &private); err != nil {
			return nil, false
		}
	}

	var ds fwdiag.Diagnostics
	st := &rawState{v: prior}
	if creating {
		w := engine.Write{Op: backend.OpCreate, Adopt: boolAttr(attrs(planned)[aAdopt])}
		r.write(ctx, planned, w, st, &ds)
	} else {
		w := r.writeFromState(ctx, attrs(prior), typ, backend.OpUpdate)
		w.Adopt = boolAttr(attrs(planned)[aAdopt]) || len(private[privateAdopt]) > 0
		r.write(ctx, planned, w, st, &ds)
		if !ds.HasError() {
			delete(private, privateAdopt)
		}
	}
	if hasIdentity {
		if id, ok := objectIdentity(idType, st.v); ok {
			identity = id
		}
	}
	scrub(&ds)
	if !ds.HasError() && st.v.IsNull() {
		what := "Update"
		if creating {
			what = "Create"
		}
		ds.AddError("Missing Resource State After "+what, "The Terraform Provider unexpectedly returned no resource state after having no errors in the resource "+strings.ToLower(what)+". This is always an issue in the Terraform Provider and should be reported to the provider developers.")
	}
	if !ds.HasError() && hasIdentity && !creating && !plannedID.IsFullyNull() && !plannedID.Equal(identity) {
		ds.AddError("Unexpected Identity Change", "During the update operation, the Terraform Provider unexpectedly returned a different identity than the previously stored one.\n\nThis is always a problem with the provider and should be reported to the provider developer.\n\n"+
			fmt.Sprintf("Planned Identity: %s\n\n", plannedID.String())+fmt.Sprintf("New Identity: %s", identity.String()))
	}
	if !ds.HasError() && hasIdentity && identity.IsFullyNull() {
		what := "Update"
		if creating {
			what = "Create"
		}
		ds.AddError("Missing Resource Identity After "+what, "The Terraform Provider unexpectedly returned no resource identity data after having no errors in the resource "+strings.ToLower(what)+". This is always an issue in the Terraform Provider and should be reported to the provider developers.")
	}
	resp := &tfprotov6.ApplyResourceChangeResponse{Diagnostics: protoDiagnostics(ds)}
	dv, err := tfprotov6.NewDynamicValue(typ, st.v)
	if err != nil {
		resp.Diagnostics = append(resp.Diagnostics, &tfprotov6.Diagnostic{Severity: tfprotov6.DiagnosticSeverityError, Summary: "Cannot encode the new state", Detail: err.Error()})
		return resp, true // the backends were written: the framework must not write them again
	}
	resp.NewState = &dv
	if hasIdentity {
		idv, err := tfprotov6.NewDynamicValue(idType, identity)
		if err == nil {
			resp.NewIdentity = &tfprotov6.ResourceIdentityData{IdentityData: &idv}
		}
	}
	if len(private) > 0 {
		b, _, _ := plannedPrivate(mustJSON(private))
		resp.Private = b
	}
	return resp, true
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// readDirect answers ReadResource (the refresh of one object) without the framework's read pipeline: the
// same Read body (readKnown), and the framework's answer around it:
//   - the state starts as the current one; the private state is carried (normalised as the framework encodes
//     it); the identity is the object's namespace and name from the current state;
//   - with no error: the framework's errors for an identity that changed or is missing.
//
// It declines (and the framework answers) a read that follows an import (the framework's own mark is in the
// private state; Read then reads the whole object), a type that is not a fabric kind, a provider not
// configured and anything that does not decode. TestReadDirectMatchesFramework compares both answers for
// states in step with the backends, drifted, half gone and gone.
func (s *jsonStateServer) readDirect(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, bool) {
	if req == nil || req.CurrentState == nil {
		return nil, false
	}
	r, typ, ok := s.directResource(ctx, req.TypeName)
	if !ok {
		return nil, false
	}
	current, err := req.CurrentState.Unmarshal(typ)
	if err != nil || current.IsNull() || !current.IsFullyKnown() {
		return nil, false
	}
	m := attrs(current)
	checkpoint, read := readCheckpoints(m[aCheckpoints])
	if !read {
		return nil, false // an import's state (name and namespace): read whole by the framework's path
	}
	private, _, okPrivate := plannedPrivate(req.Private)
	if !okPrivate || frameworkKeys(private) {
		return nil, false
	}
	idType, currentID, hasIdentity, ok := s.identityOf(req.TypeName, req.CurrentIdentity)
	if !ok {
		return nil, false
	}
	identity := currentID

	var ds fwdiag.Diagnostics
	st := &rawState{v: current}
	diags := &diagnostics{}
	r.readKnown(ctx, refFromState(r.spec.Kind, m), current, checkpoint, st, diags)
	ds.Append(diags.d...)
	if hasIdentity {
		if id, ok := objectIdentity(idType, current); ok {
			identity = id
		}
	}
	scrub(&ds)
	if !ds.HasError() && hasIdentity {
		switch {
		case !currentID.IsFullyNull() && !currentID.Equal(identity):
			ds.AddError("Unexpected Identity Change", "During the read operation, the Terraform Provider unexpectedly returned a different identity than the previously stored one.\n\nThis is always a problem with the provider and should be reported to the provider developer.\n\n"+
				fmt.Sprintf("Current Identity: %s\n\n", currentID.String())+fmt.Sprintf("New Identity: %s", identity.String()))
		case identity.IsFullyNull():
			ds.AddError("Missing Resource Identity After Read", "The Terraform Provider unexpectedly returned no resource identity data after having no errors in the resource read. This is always an issue in the Terraform Provider and should be reported to the provider developers.")
		}
	}
	resp := &tfprotov6.ReadResourceResponse{Diagnostics: protoDiagnostics(ds), Private: private}
	b, err := valueJSON(st.v)
	if err != nil {
		return nil, false // read only: the framework may read it again
	}
	resp.NewState = &tfprotov6.DynamicValue{JSON: b}
	if hasIdentity {
		if idv, err := tfprotov6.NewDynamicValue(idType, identity); err == nil {
			resp.NewIdentity = &tfprotov6.ResourceIdentityData{IdentityData: &idv}
		}
	}
	return resp, true
}

// frameworkKeys is whether an encoded private state holds keys of the framework's own (a leading dot).
func frameworkKeys(private []byte) bool {
	if len(private) == 0 {
		return false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(private, &m) != nil {
		return true
	}
	for k := range m {
		if strings.HasPrefix(k, ".") {
			return true
		}
	}
	return false
}

package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	fwdiag "github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/engine"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/tfschema"
)

// Attributes the engine adds to every resource, beside the spec fields derived from the CRD.
const (
	aID             = "id"
	aName           = "name"
	aNamespace      = "namespace"
	aLabels         = "labels"
	aAnnotations    = "annotations"
	aManifest       = "manifest" // data sources only: a resource's typed attributes are its manifest
	aBackendChanges = "backend_changes"
	aCheckpoints    = "checkpoints"
	aDrift          = "drift"
	aGitPath        = "git_path"
	aGitCommit      = "git_commit"
	aClusterUID     = "cluster_uid"
	aNetBoxIDs      = "netbox_ids"
	aAdopt          = "adopt"
)

// privateAdopt is the private-state key set by import: the first apply after an import may take over what
// the backends hold (the import was the deliberate adoption).
const privateAdopt = "adopt"

var (
	_ resource.ResourceWithConfigure        = (*fabricResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*fabricResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*fabricResource)(nil)
	_ resource.ResourceWithImportState      = (*fabricResource)(nil)
	_ resource.ResourceWithConfigValidators = (*fabricResource)(nil)
	_ resource.ResourceWithUpgradeState     = (*fabricResource)(nil)
)

// fabricResource is the one generic resource: every kind is an instance with its kindSpec.
type fabricResource struct {
	spec *kindSpec
	eng  *engine.Engine
	rec  *runRecord
}

func newResourceFactory(s *kindSpec, rec *runRecord) func() resource.Resource {
	return func() resource.Resource { return &fabricResource{spec: s, rec: rec} }
}

func (r *fabricResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.spec.TypeName
}

func (r *fabricResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]rschema.Attribute{}
	if r.spec.CRD.Spec != nil {
		attrs = r.spec.CRD.Spec.ResourceAttributes()
	}
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	attrs[aID] = rschema.StringAttribute{Computed: true, MarkdownDescription: "`namespace/name` of the object."}
	attrs[aName] = rschema.StringAttribute{Required: true, PlanModifiers: replace, MarkdownDescription: "Name of the " + r.spec.Kind + " (metadata.name). Changing it replaces the object."}
	attrs[aNamespace] = rschema.StringAttribute{Optional: true, Computed: true, PlanModifiers: replace, MarkdownDescription: "Kubernetes namespace of the object. The fabric supports only `default`, which is the default."}
	attrs[aLabels] = rschema.MapAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: "Labels of the object."}
	attrs[aAnnotations] = rschema.MapAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: "Annotations of the object. The provider adds its ownership annotation `" + backend.OwnerAnnotation + "` to the manifest; it is not shown here."}
	attrs[aAdopt] = rschema.BoolAttribute{Optional: true, MarkdownDescription: "Take over an object of the same name (or NetBox records with the same keys) that another owner, tool or person holds. Without it, a create never writes over anything that exists and an update or delete touches only what this state wrote. A rollback restores an adopted object exactly. `terraform import` adopts too, for the first apply after it."}
	attrs[aBackendChanges] = rschema.MapAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: "Per configured backend (`netbox`, `git`, `kubernetes`), what it will receive for this object."}
	attrs[aCheckpoints] = rschema.MapAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: "Checkpoint: per backend that holds the object, one line of `key=value` pairs recording what it held after the last write: `digest` (a digest of the object as that backend stores it; a refresh that finds another digest reports drift), plus `blob` (Git blob hash of the file) for `git` and `resource_version` for `kubernetes`. A plan turns a backend's line unknown only when it writes that backend."}
	attrs[aDrift] = rschema.MapAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: "Per backend, the drift found by the last refresh (empty when every backend is at its checkpoint). The plan then shows an update that converges the backend."}
	attrs[aGitPath] = rschema.StringAttribute{Computed: true, MarkdownDescription: "Checkpoint: path of the object's file in the Git repository."}
	attrs[aGitCommit] = rschema.StringAttribute{Computed: true, MarkdownDescription: "Checkpoint: Git commit that holds the object's current file."}
	attrs[aClusterUID] = rschema.StringAttribute{Computed: true, MarkdownDescription: "Checkpoint: uid of the object in the cluster."}
	attrs[aNetBoxIDs] = rschema.MapAttribute{ElementType: types.Int64Type, Computed: true, MarkdownDescription: "Checkpoint: ids of the NetBox objects that represent this object (e.g. `vrf`, `prefix/<subnet>`, `vlan/<subnet>`)."}
	desc := r.spec.CRD.Description
	resp.Schema = rschema.Schema{
		MarkdownDescription: fmt.Sprintf("Manages a Hedgehog fabric `%s` (%s/%s). %s\n\nEvery create, update and delete is validated by the validation cascade at plan time and written as a saga to the configured backends (NetBox, Git, Kubernetes), rolled back on failure. The typed attributes are the object, with the fabric's defaults planned; `provider::hedgehog::manifest(\"%s\", <this resource>)` renders the exact YAML manifest that goes to Git and to the cluster.", r.spec.Kind, r.spec.CRD.Group, r.spec.CRD.Version, desc, r.spec.Kind),
		Attributes:          attrs,
		Version:             1,
	}
}

// UpgradeState moves state from schema version 0 (checkpoint attributes of their own, the manifest in state).
func (r *fabricResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return stateUpgraders()
}

func (r *fabricResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	defer scrub(&resp.Diagnostics)
	eng, problem := engineFrom(req.ProviderData)
	if problem != "" {
		resp.Diagnostics.AddError("Unexpected provider data", problem)
		return
	}
	r.eng = eng
}

func (r *fabricResource) ConfigValidators(context.Context) []resource.ConfigValidator { return nil }

// rendered is what the Terraform layer keeps of one planned object.
type rendered struct {
	meta    engine.Meta
	cfgSpec map[string]any // the spec as configured (nulls omitted)
	d       *engine.Desired
}

// render reads metadata and spec from a config or plan value. ok is false (with no diagnostics) when any
// part is still unknown.
func (r *fabricResource) render(ctx context.Context, eng *engine.Engine, v tftypes.Value, diags *diagnostics) (*rendered, bool) {
	m := attrs(v)
	name, ok := strVal(m[aName])
	if !ok {
		return nil, false
	}
	ns := "default"
	if nv := m[aNamespace]; !nv.IsKnown() {
		return nil, false
	} else if s, ok := strVal(nv); ok {
		ns = s
	}
	labels, ok1 := strMapVal(m[aLabels])
	ann, ok2 := strMapVal(m[aAnnotations])
	if !ok1 || !ok2 {
		return nil, false
	}
	var spec map[string]any
	if r.spec.CRD.Spec != nil {
		vals := map[string]tftypes.Value{}
		for _, f := range r.spec.CRD.Spec.Fields {
			vals[f.TF] = m[f.TF]
		}
		obj := tftypes.NewValue(r.spec.CRD.Spec.TerraformType(), vals)
		x, unknown, err := r.spec.CRD.Spec.FromValue(obj)
		if err != nil {
			diags.errorf(path.Empty(), "Cannot read the configuration", "%v", err)
			return nil, false
		}
		if unknown {
			return nil, false
		}
		spec, _ = x.(map[string]any)
	}
	meta := engine.Meta{Namespace: ns, Name: name, Labels: labels, Annotations: ann}
	if eng == nil {
		eng = engine.New(engine.Options{})
	}
	d, ds := eng.Render(r.spec.Kind, meta, cloneJSON(spec))
	diags.cascade(r.spec, ds)
	if d == nil {
		return nil, false
	}
	return &rendered{meta: meta, cfgSpec: spec, d: d}, true
}

func (r *fabricResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	defer scrub(&resp.Diagnostics)
	diags := &diagnostics{}
	if ns, ok := strVal(attrs(req.Config.Raw)[aNamespace]); ok && ns != fabricNamespace {
		diags.errorf(path.Root(aNamespace), "Unsupported namespace", "namespace is %q; the fabric keeps its objects in namespace %q only (DECISIONS.md).", ns, fabricNamespace)
	}
	rd, ok := r.render(ctx, nil, req.Config.Raw, diags)
	// The spec stage runs here for `terraform validate`; where a plan follows (the plan walk itself, or the
	// validate walk of terraform plan/apply/destroy), ModifyPlan runs it with every other stage, so that one
	// plan shows all of an object's mistakes.
	specHere := r.eng == nil && !planFollows()
	switch {
	case ok && specHere:
		diags.cascade(r.spec, engine.ValidateAlone(rd.d))
	case !ok && specHere && !diags.hasError():
		r.validateKnown(req.Config.Raw, diags)
	}
	resp.Diagnostics.Append(diags.d...)
	if r.eng == nil && !diags.hasError() {
		// Terraform's validate walk (no provider configuration yet): record what this configuration
		// declares, for the plan walk's checks of names written as literals (runrecord.go).
		e := runEntry{Kind: r.spec.Kind}
		if name, known := strVal(attrs(req.Config.Raw)[aName]); known {
			e.Name = name
		}
		if ok && e.Name != "" {
			e.Manifest = rd.d.Object.Manifest
		} else if r.spec.Kind == fabric.KindVPC {
			e.Subnets, e.VLANs = literalSubnets(req.Config.Raw)
		}
		r.rec.add(e)
	}
}

// literalSubnets returns the subnet prefixes and VLANs a VPC configuration sets as known values.
func literalSubnets(cfg tftypes.Value) (prefixes []string, vlans []int) {
	var subnets map[string]tftypes.Value
	if sv := attrs(cfg)["subnets"]; sv.IsKnown() && !sv.IsNull() {
		_ = sv.As(&subnets)
	}
	for _, sn := range subnets {
		a := attrs(sn)
		if p, ok := strVal(a["subnet"]); ok {
			prefixes = append(prefixes, p)
		}
		if v := a["vlan"]; v.IsKnown() && !v.IsNull() {
			var f big.Float
			if v.As(&f) == nil {
				if n, _ := f.Int64(); n > 0 {
					vlans = append(vlans, int(n))
				}
			}
		}
	}
	sort.Strings(prefixes)
	sort.Ints(vlans)
	return prefixes, vlans
}

// fabricNamespace is the only namespace the fabric's controllers reconcile (DECISIONS.md).
const fabricNamespace = "default"

func (r *fabricResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	defer scrub(&resp.Diagnostics)
	diags := &diagnostics{}
	defer func() { resp.Diagnostics.Append(diags.d...) }()
	if req.Plan.Raw.IsNull() {
		// Destroy: the object leaves the fabric after this plan; its delete protections are judged there
		// (what still refers to it and is not destroyed by this plan). The apply checks them again.
		if name, ok := strVal(attrs(req.State.Raw)[aName]); ok && r.eng != nil {
			diags.cascade(r.spec, r.eng.PlanDelete(ctx, backend.Ref{Kind: r.spec.Kind, Namespace: fabricNamespace, Name: name}))
		}
		return
	}
	rd, ok := r.render(ctx, r.eng, req.Config.Raw, diags)
	if diags.hasError() {
		return
	}
	if !ok {
		resp.Plan.Raw = planUnknown(req.Plan.Raw, req.State.Raw.IsNull())
		return
	}
	if planned, replace, ok := r.planKnown(ctx, rd, req.State.Raw, req.Plan.Raw, importAdopting(ctx, req.Private), diags); ok {
		resp.Plan.Raw = planned
		resp.RequiresReplace = append(resp.RequiresReplace, replace...)
	}
}

// planUnknown is the plan of an object some of whose input is unknown until apply: everything derived from it
// is unknown too.
func planUnknown(proposed tftypes.Value, creating bool) tftypes.Value {
	plan := attrs(proposed)
	for _, a := range []string{aBackendChanges, aCheckpoints, aGitCommit, aNetBoxIDs, aGitPath} {
		plan[a] = tfUnknown(plan[a].Type())
	}
	if creating {
		plan[aClusterUID] = tfUnknown(tftypes.String)
		plan[aID] = tfUnknown(tftypes.String)
	}
	plan[aDrift] = tftypes.NewValue(strMapType, map[string]tftypes.Value{})
	return tftypes.NewValue(proposed.Type(), plan)
}

// planKnown plans the create or update of an object whose configuration is wholly known (rd): the cascade,
// ownership and dry run at plan, then the planned state (the configuration over the fabric's defaults, the
// checkpoints a write keeps or makes unknown) and the attributes whose change replaces the object. priorState
// is the state (null for a create), proposed Terraform's proposed new state; importAdopt is whether an import
// left its adoption mark in private state. ok is false when the plan stopped on an error (in diags).
//
// ModifyPlan and the protocol server's own plan path (direct.go) both answer with it.
func (r *fabricResource) planKnown(ctx context.Context, rd *rendered, priorState, proposed tftypes.Value, importAdopt bool, diags *diagnostics) (planned tftypes.Value, replace path.Paths, ok bool) {
	typ := proposed.Type()
	state := attrs(priorState)
	plan := attrs(proposed)
	creating := priorState.IsNull()
	if r.eng != nil {
		// Integration stage at plan, once per run: a backend that cannot be reached fails the plan (a plan that
		// passes must be able to apply), or is a warning with plan_without_backends. Apply fails on it before
		// writing anything.
		if ds, first := r.eng.Integration(ctx); first {
			if r.eng.PlanWithoutBackends() {
				diags.cascade(r.spec, asWarnings(ds))
			} else {
				diags.cascade(r.spec, withHint(ds, "The apply would stop here before writing anything. Fix the connection (the cause is above), or set plan_without_backends = true in the provider block (env HEDGEHOG_PLAN_WITHOUT_BACKENDS=true) to plan offline with what can be read."))
			}
		}
		var replaces *backend.Ref
		if !creating {
			if old, ok := strVal(state[aName]); ok {
				replaces = &backend.Ref{Kind: r.spec.Kind, Namespace: rd.d.Ref.Namespace, Name: old}
			}
		}
		pc := r.eng.ValidatePlan(ctx, rd.d, replaces)
		diags.cascade(r.spec, pc.Diags)
		for _, n := range pc.Notes {
			diags.warnf(path.Empty(), "Validation was limited", "%s", n)
		}
		r.planOwnership(ctx, rd.d, creating && !boolAttr(plan[aAdopt]), diags)
		r.planDryRun(ctx, rd.d, state, creating, diags) // the cluster's own judge, once the checks above passed
		if diags.hasError() {
			return tftypes.Value{}, nil, false
		}
	}
	d := rd.d
	// Planned spec: the configuration wherever it sets a value, the fabric's default elsewhere.
	if r.spec.CRD.Spec != nil {
		for _, rw := range r.spec.CRD.Spec.Rewrites(rd.cfgSpec, d.Spec) {
			p := rewritePath(rw)
			if rw.Stored == nil {
				diags.warnf(displayPath(p), "Key stored in another form", "The fabric stores the entry %s under a normalised key. Write it in the fabric's form (see the manifest) so that imports and drift reports match the configuration.", p)
			} else {
				diags.warnf(displayPath(p), "Value stored in another form", "The fabric stores %s as %s (configured: %s). Write it that way so that imports and drift reports match the configuration.", p, jsonText(rw.Stored), jsonText(rw.Configured))
			}
		}
		planned := r.spec.CRD.Spec.Overlay(rd.cfgSpec, d.Spec)
		pv, err := r.spec.CRD.Spec.ToValue(planned)
		if err != nil {
			diags.errorf(path.Empty(), "Cannot plan the defaults", "%v", err)
			return tftypes.Value{}, nil, false
		}
		for k, v := range attrs(pv) {
			plan[k] = v
		}
	}
	plan[aNamespace] = tfStr(d.Ref.Namespace)
	plan[aID] = tfStr(d.Ref.Namespace + "/" + d.Ref.Name)
	plan[aBackendChanges] = tfStrMap(d.Describe)
	plan[aDrift] = tftypes.NewValue(strMapType, map[string]tftypes.Value{})
	plan[aGitPath] = tfStrOrNull(d.Predicted[backend.Git]["path"])

	drift, _ := strMapVal(state[aDrift])
	prior, _ := readCheckpoints(state[aCheckpoints])
	has := func(name string) bool { _, ok := d.Digests[name]; return ok }
	// A backend whose projection of the object does not change (NetBox when only DHCP settings change, say)
	// is not written, so its checkpoints stay known in the plan.
	// And when the object's attributes do not change and no backend drifted, nothing is written at all: an
	// imported object that differs from the rendered one only by this provider's mark (adoption) plans no
	// update, though its recorded digests are those of the unmarked object.
	same := !creating && len(drift) == 0 && r.sameObject(state, plan)
	untouched := func(name string) bool {
		return (same && prior[name] != nil) || untouchedBackend(creating, drift, prior, d, name)
	}
	setCheckpoint := func(a string, backendName string, t tftypes.Type) {
		switch {
		case !has(backendName):
			plan[a] = tfNull(t)
		case untouched(backendName):
			plan[a] = state[a]
		default:
			plan[a] = tfUnknown(t)
		}
	}
	setCheckpoint(aGitCommit, backend.Git, tftypes.String)
	setCheckpoint(aNetBoxIDs, backend.NetBox, intMapType)
	if _, drifted := drift[backend.NetBox]; has(backend.NetBox) && !plan[aNetBoxIDs].IsKnown() && !creating && !drifted &&
		!boolAttr(plan[aAdopt]) && !importAdopt {
		// NetBox is written, but its records are patched in place: when the object keeps the same records
		// (same keys), it keeps their ids, and the plan says so instead of hiding every id.
		if ids, ok := intMapVal(state[aNetBoxIDs]); ok && len(ids) > 0 && sameKeys(ids, d.Predicted[backend.NetBox]) {
			plan[aNetBoxIDs] = state[aNetBoxIDs]
		}
	}
	plan[aCheckpoints] = plannedCheckpoints(prior, sortedKeys(d.Digests), untouched)
	if !has(backend.Kubernetes) {
		plan[aClusterUID] = tfNull(tftypes.String)
	} else if s, ok := strVal(state[aClusterUID]); ok && !creating {
		plan[aClusterUID] = tfStr(s)
	} else {
		plan[aClusterUID] = tfUnknown(tftypes.String)
	}
	if !creating && r.eng != nil {
		// An apply settles interrupted operations before its first write, but an apply with nothing to write
		// never starts. So that a plan whose interrupted create was removed from the configuration still
		// settles it, one existing resource per run is planned as an update that changes nothing else.
		if pending, err := r.eng.Pending(ctx); err == nil && len(pending) > 0 && r.eng.ReportOnce("settle-carrier") {
			plan[aDrift] = tfUnknown(strMapType)
			// Settling writes the backends (a rollback commits to Git, say): this resource's checkpoints are
			// re-read by its write, like any update's.
			for _, a := range []string{aGitCommit, aCheckpoints} {
				if !plan[a].IsNull() {
					plan[a] = tfUnknown(plan[a].Type())
				}
			}
			diags.warnf(path.Root(aDrift), "Updated only to settle interrupted operations", "%s %s is planned as an update that changes nothing in it, so that the apply runs and first settles the %d interrupted operation(s) named above.", r.spec.Kind, d.Ref.Name, len(pending))
		}
	}
	for _, b := range sortedKeys(drift) {
		diags.warnf(path.Root(aDrift), "Drift in "+b, "%s %s: %s. The plan updates it back to the configuration.", r.spec.Kind, d.Ref.Name, drift[b])
	}
	if !creating {
		fields := r.spec.replaceFields(state, plan)
		replace = append(replace, fields...)
		if old, ok := strVal(state[aName]); ok && len(fields) > 0 && r.eng != nil {
			// The replacement deletes the object first: its delete protections, checked now.
			diags.cascade(r.spec, replacementDeleteFindings(r.spec.Kind, fields, r.eng.PlanReplace(ctx, backend.Ref{Kind: r.spec.Kind, Namespace: d.Ref.Namespace, Name: old})))
		}
	}
	return tftypes.NewValue(typ, plan), replace, true
}

func (r *fabricResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer scrub(&resp.Diagnostics)
	w := engine.Write{Op: backend.OpCreate, Adopt: boolAttr(attrs(req.Plan.Raw)[aAdopt])}
	r.write(ctx, req.Plan.Raw, w, stateRef{&resp.State}, &resp.Diagnostics)
	setIdentity(ctx, resp.Identity, resp.State.Raw)
}

func (r *fabricResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer scrub(&resp.Diagnostics)
	w := r.writeFromState(ctx, attrs(req.State.Raw), req.State.Raw.Type(), backend.OpUpdate)
	w.Adopt = boolAttr(attrs(req.Plan.Raw)[aAdopt])
	if b, _ := req.Private.GetKey(ctx, privateAdopt); len(b) > 0 {
		w.Adopt = true
	}
	r.write(ctx, req.Plan.Raw, w, stateRef{&resp.State}, &resp.Diagnostics)
	if !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateAdopt, nil)...)
	}
	setIdentity(ctx, resp.Identity, resp.State.Raw)
}

// writeFromState is what a write needs from Terraform state: the checkpoints every backend is held to, the
// manifest for the journal and the resource's name for the audit trail.
func (r *fabricResource) writeFromState(ctx context.Context, m map[string]tftypes.Value, typ tftypes.Type, op string) engine.Write {
	name, _ := strVal(m[aName])
	w := engine.Write{Op: op, Expect: map[string]map[string]string{}, Resource: "hedgehog_" + r.spec.TypeName + " " + name}
	add := func(b, key, attr string) {
		if v, ok := strVal(m[attr]); ok && v != "" {
			if w.Expect[b] == nil {
				w.Expect[b] = map[string]string{}
			}
			w.Expect[b][key] = v
		}
	}
	add(backend.Git, "path", aGitPath)
	add(backend.Git, "commit", aGitCommit)
	add(backend.Kubernetes, "uid", aClusterUID)
	if cp, ok := readCheckpoints(m[aCheckpoints]); ok {
		for b, fields := range checkpointFields {
			for _, k := range fields {
				if v := cp[b][k]; v != "" {
					if w.Expect[b] == nil {
						w.Expect[b] = map[string]string{}
					}
					w.Expect[b][k] = v
				}
			}
		}
	}
	if ids, ok := intMapVal(m[aNetBoxIDs]); ok && len(ids) > 0 {
		w.Expect[backend.NetBox] = map[string]string{}
		for k, v := range ids {
			w.Expect[backend.NetBox][k] = strconv.FormatInt(v, 10)
		}
	}
	// The manifest the state describes (its typed attributes, rendered as the plan that wrote them did), for
	// the journal: an interrupted update is rolled back to it. A delete is finished, never rolled back to it,
	// so a destroy of many objects does not render each one again.
	if op == backend.OpUpdate {
		if rd, ok := r.render(ctx, r.eng, tftypes.NewValue(typ, m), &diagnostics{}); ok {
			w.Prior = cloneJSON(rd.d.Object.Manifest)
		}
	}
	return w
}

func (r *fabricResource) write(ctx context.Context, planned tftypes.Value, w engine.Write, st stateSetter, out diagAppender) {
	diags := &diagnostics{}
	defer func() { out.Append(diags.d...) }()
	if r.eng == nil {
		diags.errorf(path.Empty(), "Provider not configured", "The provider has no backend configured.")
		return
	}
	rd, ok := r.render(ctx, r.eng, planned, diags)
	if !ok || diags.hasError() {
		if !diags.hasError() {
			diags.errorf(path.Empty(), "Unknown values at apply", "Some values are still unknown at apply time; this is a bug in the provider.")
		}
		return
	}
	// The cascade runs again, integration included, against the fabric as this process sees it now;
	// nothing is written on error.
	integ, _ := r.eng.Integration(ctx)
	diags.cascade(r.spec, integ)
	if diags.hasError() {
		return
	}
	diags.cascade(r.spec, r.eng.ValidateWrite(ctx, rd.d))
	if diags.hasError() {
		return
	}
	if w.Resource == "" {
		w.Resource = "hedgehog_" + r.spec.TypeName + " " + rd.d.Ref.Name
	}
	res, err := r.eng.Apply(ctx, rd.d, w)
	r.reportRecovered(diags)
	if err != nil {
		diags.sagaError(r.spec.Kind, rd.d.Ref, w.Op, err)
		return
	}
	m := attrs(planned)
	known := attrs(planned)
	applyCheckpoints(m, res)
	keepPlanned(m, known)
	m[aDrift] = tftypes.NewValue(strMapType, map[string]tftypes.Value{})
	st.setRaw(tftypes.NewValue(planned.Type(), m))
}

// sameKeys is whether two maps have the same key set.
func sameKeys[A, B any](a map[string]A, b map[string]B) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			return false
		}
	}
	return true
}

// importAdopting is whether the first apply after an import is planned (it may take over records).
func importAdopting(ctx context.Context, p interface {
	GetKey(context.Context, string) ([]byte, fwdiag.Diagnostics)
}) bool {
	if p == nil {
		return false
	}
	b, _ := p.GetKey(ctx, privateAdopt)
	return len(b) > 0
}

// sameObject is whether the planned object's attributes (name, namespace, labels, annotations and the spec,
// defaults planned) are those the state holds.
func (r *fabricResource) sameObject(state, plan map[string]tftypes.Value) bool {
	names := []string{aName, aNamespace, aLabels, aAnnotations}
	if r.spec.CRD.Spec != nil {
		for _, f := range r.spec.CRD.Spec.Fields {
			names = append(names, f.TF)
		}
	}
	for _, a := range names {
		if !state[a].Equal(plan[a]) {
			return false
		}
	}
	return true
}

// untouchedBackend is whether a plan leaves backend name as it is: the state has its checkpoint, the
// refresh found no drift there, and the object's projection for it (its digest) does not change.
func untouchedBackend(creating bool, drift map[string]string, prior checkpointSet, d *engine.Desired, name string) bool {
	_, drifted := drift[name]
	return !creating && !drifted && prior.digest(name) != "" && prior.digest(name) == d.Digests[name]
}

// unchangedObject is whether a plan writes nothing: every backend that holds the object is untouched and
// no other backend joins.
func unchangedObject(creating bool, drift map[string]string, prior checkpointSet, d *engine.Desired) bool {
	if creating || len(drift) > 0 || len(prior) != len(d.Digests) {
		return false
	}
	for name := range d.Digests {
		if !untouchedBackend(creating, drift, prior, d, name) {
			return false
		}
	}
	return true
}

// keepPlanned puts back every checkpoint the plan showed as known: the plan promised those values, and a
// backend that was not written still holds them (a later refresh records any change).
func keepPlanned(m map[string]tftypes.Value, planned map[string]tftypes.Value) {
	for _, a := range []string{aGitCommit, aNetBoxIDs} {
		if v, ok := planned[a]; ok && v.IsFullyKnown() {
			m[a] = v
		}
	}
	keepPlannedCheckpoints(m, planned[aCheckpoints])
}

// applyCheckpoints copies what each backend reported after a write or read into the state attributes.
func applyCheckpoints(m map[string]tftypes.Value, res engine.Result) {
	m[aCheckpoints] = checkpointsFrom(res, nil).value()
	if g, ok := res[backend.Git]; ok {
		m[aGitPath] = tfStrOrNull(g.Checkpoint["path"])
		m[aGitCommit] = tfStrOrNull(g.Checkpoint["commit"])
	}
	if k, ok := res[backend.Kubernetes]; ok {
		m[aClusterUID] = tfStrOrNull(k.Checkpoint["uid"])
	}
	if n, ok := res[backend.NetBox]; ok {
		ids := map[string]int64{}
		for k, v := range n.Checkpoint {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil {
				ids[k] = id
			}
		}
		m[aNetBoxIDs] = tfIntMap(ids)
	}
}

func (r *fabricResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	defer scrub(&resp.Diagnostics)
	diags := &diagnostics{}
	defer func() {
		resp.Diagnostics.Append(diags.d...)
		// From the prior state: a refresh never changes the name, and the framework wants the identity even
		// when the object is gone (RemoveResource).
		setIdentity(ctx, resp.Identity, req.State.Raw)
	}()
	if r.eng == nil {
		return
	}
	m := attrs(req.State.Raw)
	ref := refFromState(r.spec.Kind, m)
	checkpoint, read := readCheckpoints(m[aCheckpoints])
	if !read {
		// Only name and namespace: an import, read now.
		r.readImport(ctx, ref, req.State.Raw.Type(), stateRef{&resp.State}, diags)
		return
	}
	r.readKnown(ctx, ref, req.State.Raw, checkpoint, stateRef{&resp.State}, diags)
}

// refFromState is the object a state's attributes name: its namespace (the fabric's, when unset) and name.
func refFromState(kind string, m map[string]tftypes.Value) backend.Ref {
	name, _ := strVal(m[aName])
	ns, ok := strVal(m[aNamespace])
	if !ok {
		ns = fabricNamespace
	}
	return backend.Ref{Kind: kind, Namespace: ns, Name: name}
}

// readKnown refreshes the state of an object this state wrote (current, with its checkpoints): the state is
// removed when no backend holds the object; otherwise drift against the checkpoints is reported, a drifted
// whole object is shown, and the checkpoints follow the backends when nothing drifted.
//
// Read and the protocol server's own read path (direct.go) both run it.
func (r *fabricResource) readKnown(ctx context.Context, ref backend.Ref, current tftypes.Value, checkpoint checkpointSet, st stateSetter, diags *diagnostics) {
	m := attrs(current)
	res, err := r.eng.Read(ctx, ref)
	if err != nil {
		diags.errorf(path.Empty(), "Cannot refresh "+r.spec.Kind+" "+ref.Namespace+"/"+ref.Name, "%v", err)
		return
	}
	anyExists := false
	for _, s := range res {
		anyExists = anyExists || s.Exists
	}
	if !anyExists {
		st.setRaw(tftypes.NewValue(current.Type(), nil)) // gone from every backend: Terraform plans a create
		return
	}
	drift := map[string]string{}
	for name, s := range res {
		switch {
		case !s.Exists:
			drift[name] = "the object is missing from " + name
		case checkpoint.digest(name) != "" && s.Digest != checkpoint.digest(name):
			drift[name] = name + " holds a different object than the checkpoint (changed outside Terraform)"
		case checkpoint.digest(name) == "":
			// Imported, or the backend joined the provider configuration later: this state never wrote it.
			drift[name] = name + " holds the object, but this state has not written it there yet (imported, or the backend was configured later)"
		}
	}
	// When a backend that holds whole objects drifted, show its content so the plan diffs attributes.
	for _, name := range []string{backend.Kubernetes, backend.Git} {
		s, ok := res[name]
		if _, drifted := drift[name]; ok && drifted && s.Exists && s.Object != nil {
			if err := r.setFromManifest(m, s.Object.Manifest); err != nil {
				diags.warnf(path.Empty(), "Cannot show the drifted object", "%v", err)
			}
			break
		}
	}
	m[aDrift] = tfStrMap(drift)
	if len(drift) == 0 {
		priorCommit, priorBlob := m[aGitCommit], checkpoint[backend.Git]["blob"]
		applyCheckpoints(m, res)
		// A list reports the branch head; while the file's blob is unchanged the commit that wrote it is
		// still the checkpoint.
		if priorBlob != "" && res[backend.Git].Checkpoint["blob"] == priorBlob {
			m[aGitCommit] = priorCommit
		}
	}
	st.setRaw(tftypes.NewValue(current.Type(), m))
}

// setFromManifest sets metadata and spec attributes from a manifest read from a backend.
func (r *fabricResource) setFromManifest(m map[string]tftypes.Value, manifest map[string]any) error {
	md, _ := manifest["metadata"].(map[string]any)
	m[aLabels] = tfStrMap(anyStringMap(md["labels"], ""))
	m[aAnnotations] = tfStrMap(anyStringMap(md["annotations"], backend.OwnerAnnotation))
	if r.spec.CRD.Spec == nil {
		return nil
	}
	spec, _ := manifest["spec"].(map[string]any)
	v, err := r.spec.CRD.Spec.ToValue(spec)
	if err != nil {
		return err
	}
	if spec == nil {
		v, _ = r.spec.CRD.Spec.ToValue(map[string]any{})
	}
	for k, x := range attrs(v) {
		m[k] = x
	}
	return nil
}

func anyStringMap(x any, drop string) map[string]string {
	in, _ := x.(map[string]any)
	if len(in) == 0 {
		return nil
	}
	out := map[string]string{}
	for k, v := range in {
		if k != drop {
			out[k] = fmt.Sprint(v)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// readImport fills a state that holds only name and namespace (after import) from the backend that holds
// whole objects, and the checkpoints from every backend.
func (r *fabricResource) readImport(ctx context.Context, ref backend.Ref, typ tftypes.Type, st stateSetter, diags *diagnostics) {
	if r.eng.Source() == nil {
		diags.errorf(path.Root(aName), "Import needs Git or Kubernetes", "%s %s cannot be imported from NetBox alone: NetBox does not hold the whole object. Configure the git or kubernetes backend.", r.spec.Kind, ref.Name)
		return
	}
	s, from, tried, err := r.eng.GetWhole(ctx, ref)
	if err != nil {
		diags.errorf(path.Root(aName), "Cannot read "+ref.String(), "Looked in %s.", strings.Join(tried, ", "))
		return
	}
	if !s.Exists || s.Object == nil {
		diags.errorf(path.Root(aName), "Cannot import "+ref.String(), "No %s named %q in namespace %q: looked in %s.", ref.Kind, ref.Name, ref.Namespace, strings.Join(tried, ", "))
		return
	}
	m := map[string]tftypes.Value{}
	for name, at := range typ.(tftypes.Object).AttributeTypes {
		m[name] = tfNull(at)
	}
	m[aName], m[aNamespace], m[aID] = tfStr(ref.Name), tfStr(ref.Namespace), tfStr(ref.Namespace+"/"+ref.Name)
	if err := r.setFromManifest(m, s.Object.Manifest); err != nil {
		diags.errorf(path.Empty(), "Cannot import "+ref.String(), "%v", err)
		return
	}
	// Render what the configuration would produce from the imported object, so that the next plan is empty
	// when the configuration matches.
	rd, ok := r.render(ctx, r.eng, tftypes.NewValue(typ, m), diags)
	if !ok {
		return
	}
	// The fabric's defaults are part of the object: state holds them as the plan would, so that a configuration
	// generated from it (-generate-config-out) writes them instead of `= null`, and a configuration that
	// leaves them out plans them the same way.
	if r.spec.CRD.Spec != nil {
		pv, err := r.spec.CRD.Spec.ToValue(r.spec.CRD.Spec.Overlay(rd.cfgSpec, rd.d.Spec))
		if err != nil {
			diags.errorf(path.Empty(), "Cannot import "+ref.String(), "%v", err)
			return
		}
		for k, v := range attrs(pv) {
			m[k] = v
		}
	}
	m[aBackendChanges] = tfStrMap(rd.d.Describe)
	res, err := r.eng.ReadEach(ctx, ref)
	if err != nil {
		diags.errorf(path.Empty(), "Cannot read "+ref.String(), "%v", err)
		return
	}
	drift, held := importDrift(res, rd.d.Digests, from, r.eng.MarkedDigest)
	applyCheckpoints(m, held)
	// Only a backend that holds the imported object as this state describes it has a checkpoint digest; the
	// others are drift, so the first apply writes them (and a refresh before it still says so).
	m[aCheckpoints] = checkpointsFrom(held, func(name string) bool { _, drifted := drift[name]; return !drifted }).value()
	m[aDrift] = tfStrMap(drift)
	st.setRaw(tftypes.NewValue(typ, m))
}

// importDrift compares what each backend holds with the imported object as rendered (desired digests): a
// backend that lacks it or holds another form is drift, which the next plan converges. held is the part
// of res whose backends hold the object at all (their checkpoints are real; the others have none).
//
// An object that differs from the rendered one only by this provider's mark (marked gives its digest with the
// mark; nil: not checked) is not drift: adopting a running fabric plans only imports, and the mark is added
// by the first update.
func importDrift(res engine.Result, desired map[string]string, from string, marked func(string, backend.Object) string) (drift map[string]string, held engine.Result) {
	drift, held = map[string]string{}, engine.Result{}
	for name, s := range res {
		switch {
		case !s.Exists:
			drift[name] = fmt.Sprintf("the object is missing from %s (imported from %s)", name, from)
			continue
		case desired[name] != "" && s.Digest != desired[name] && (marked == nil || s.Object == nil || marked(name, *s.Object) != desired[name]):
			drift[name] = fmt.Sprintf("%s holds the object in another form than the imported object renders to (without the fabric's defaults or this provider's mark, say)", name)
		}
		held[name] = s
	}
	return drift, held
}

func (r *fabricResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	defer scrub(&resp.Diagnostics)
	diags := &diagnostics{}
	defer func() { resp.Diagnostics.Append(diags.d...) }()
	if r.eng == nil {
		diags.errorf(path.Empty(), "Provider not configured", "The provider has no backend configured.")
		return
	}
	m := attrs(req.State.Raw)
	ref := refFromState(r.spec.Kind, m)
	integ, _ := r.eng.Integration(ctx)
	diags.cascade(r.spec, integ)
	diags.cascade(r.spec, r.eng.ValidateDelete(ctx, ref))
	if diags.hasError() {
		return
	}
	w := r.writeFromState(ctx, m, req.State.Raw.Type(), backend.OpDelete)
	notes, err := r.eng.Delete(ctx, ref, w)
	r.reportRecovered(diags)
	if err != nil {
		diags.sagaError(r.spec.Kind, ref, "delete", err)
		return
	}
	for _, n := range notes {
		diags.warnf(path.Root(aName), "Left an object alone", "%s. The resource is removed from state; nothing that this state did not write was deleted.", n)
	}
}

// planOwnership reports at plan, without writing: names this create would take from another owner, tool or
// person; this owner's incomplete operations in the journal (once per run); whose objects the backend holds
// when it is shared (once per run).
func (r *fabricResource) planOwnership(ctx context.Context, d *engine.Desired, create bool, diags *diagnostics) {
	if create {
		for _, oe := range r.eng.Taken(ctx, d) {
			diags.errorf(path.Root(aName), fmt.Sprintf("%s %q is taken in %s", r.spec.Kind, d.Ref.Name, oe.Backend), "%s.\n\n%s", oe.Error(), oe.Hint())
		}
	}
	if r.eng.ReportOnce("pending") {
		pending, err := r.eng.Pending(ctx)
		switch {
		case err != nil:
			diags.warnf(path.Empty(), "Cannot read the journal", "The journal (%s) of incomplete operations could not be read, so this plan cannot say whether an interrupted earlier run left writes behind: %v. The apply reads it again before its first write and stops, writing nothing, if it still cannot.", r.eng.JournalWhere(), err)
		case len(pending) > 0:
			var lines []string
			for _, en := range pending {
				line := engine.SettledText(en)
				if en.Note != "" {
					line += " (" + en.Note + ")"
				}
				lines = append(lines, line)
			}
			diags.warnf(path.Empty(), "Interrupted operations will be settled", "The journal (%s) holds %d operation(s) of owner %q that did not complete (a crash, or a rollback that failed). The next apply that writes anything settles them first, touching only objects marked with this owner:\n- %s", r.eng.JournalWhere(), len(pending), r.eng.Owner(), strings.Join(lines, "\n- "))
		}
	}
	if r.eng.ReportOnce("owners") {
		if s := r.eng.OwnersSeen(ctx); s != "" {
			diags.warnf(path.Empty(), "Shared backend", "%s", s)
		}
	}
}

// reportRecovered says, once per run, which interrupted operations the journal settled before this write.
func (r *fabricResource) reportRecovered(diags *diagnostics) {
	done := r.eng.Recovered()
	if len(done) == 0 || !r.eng.ReportOnce("recovered") {
		return
	}
	diags.warnf(path.Empty(), "Settled interrupted operations", "Before writing anything, this apply settled incomplete operations recorded in the journal (%s):\n- %s", r.eng.JournalWhere(), strings.Join(done, "\n- "))
}

func (r *fabricResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	defer scrub(&resp.Diagnostics)
	ns, name, err := importTarget(ctx, req)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("%v. Import by name (terraform import hedgehog_%s.x NAME), by NAMESPACE/NAME, or by identity (import { identity = { name = \"NAME\" } }).", err, r.spec.TypeName))
		return
	}
	if ns != fabricNamespace {
		resp.Diagnostics.AddError("Unsupported namespace", fmt.Sprintf("The import names namespace %q; the fabric keeps its objects in namespace %q only (DECISIONS.md).", ns, fabricNamespace))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(aName), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(aNamespace), ns)...)
	if resp.Identity != nil {
		resp.Diagnostics.Append(resp.Identity.SetAttribute(ctx, path.Root(aName), name)...)
		resp.Diagnostics.Append(resp.Identity.SetAttribute(ctx, path.Root(aNamespace), ns)...)
	}
	// Importing is the deliberate adoption: the first apply after it may take over what the backends hold.
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateAdopt, []byte(`{"import":true}`))...)
}

// cloneJSON copies a JSON-form map deeply, so that rendering cannot change the configuration's spec.
func cloneJSON(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return copyJSON(m).(map[string]any)
}

func copyJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = copyJSON(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = copyJSON(e)
		}
		return out
	default:
		return x
	}
}

// asWarnings returns a copy of ds with every finding downgraded to a warning.
func asWarnings(ds diag.Diagnostics) diag.Diagnostics {
	out := make(diag.Diagnostics, len(ds))
	for i, d := range ds {
		d.Severity = diag.Warning
		out[i] = d
	}
	return out
}

// withHint appends a way forward to the errors of ds.
func withHint(ds diag.Diagnostics, hint string) diag.Diagnostics {
	out := make(diag.Diagnostics, len(ds))
	for i, d := range ds {
		if d.Severity == diag.Error {
			d.Detail += ". " + hint
		}
		out[i] = d
	}
	return out
}

func rewritePath(rw tfschema.Rewrite) path.Path {
	var p path.Path
	for i, step := range rw.Path {
		switch {
		case i == 0:
			p = path.Root(step)
		case rw.IsKeyOrElem[i]:
			p = p.AtMapKey(step)
		default:
			p = p.AtName(step)
		}
	}
	return p
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// validateKnown checks, at validate, an object whose configuration is known but for some top-level spec
// attributes (typically references to other resources, such as a VPC's namespaces): the spec stage runs on
// the rest, and findings on the unknown attributes are left out. An object with unknown parts deeper down, or
// an unknown name, is checked at plan.
func (r *fabricResource) validateKnown(v tftypes.Value, diags *diagnostics) {
	if r.spec.CRD.Spec == nil {
		return
	}
	m := attrs(v)
	name, ok := strVal(m[aName])
	if !ok || !m[aNamespace].IsKnown() || !m[aLabels].IsKnown() || !m[aAnnotations].IsKnown() {
		return
	}
	vals := map[string]tftypes.Value{}
	unknown := map[string]bool{} // JSON names of the top-level spec fields not known yet
	for _, f := range r.spec.CRD.Spec.Fields {
		fv := m[f.TF]
		if !fv.IsKnown() {
			unknown[f.JSON] = true
			fv = tfNull(fv.Type())
		} else if !fv.IsFullyKnown() {
			return
		}
		vals[f.TF] = fv
	}
	if len(unknown) == 0 {
		return
	}
	x, _, err := r.spec.CRD.Spec.FromValue(tftypes.NewValue(r.spec.CRD.Spec.TerraformType(), vals))
	if err != nil {
		return
	}
	spec, _ := x.(map[string]any)
	labels, _ := strMapVal(m[aLabels])
	ann, _ := strMapVal(m[aAnnotations])
	d, ds := engine.New(engine.Options{}).Render(r.spec.Kind, engine.Meta{Namespace: fabricNamespace, Name: name, Labels: labels, Annotations: ann}, spec)
	keep := func(ds diag.Diagnostics) diag.Diagnostics {
		var out diag.Diagnostics
		for _, f := range ds {
			if len(f.Path) >= 2 && f.Path[0].Field == "spec" && unknown[f.Path[1].Field] {
				continue // about an attribute not known yet: checked at plan
			}
			if f.Rule == cascade.RuleStagesSkipped || strings.HasPrefix(f.Rule, "schema.required") {
				continue
			}
			out = append(out, f)
		}
		return out
	}
	if d == nil {
		diags.cascade(r.spec, keep(ds))
		return
	}
	diags.cascade(r.spec, keep(engine.ValidateAlone(d)))
}

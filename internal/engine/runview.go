package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// The engine keeps two views of the fabric (DECISIONS.md, "The fabric after this plan"):
//
//   - the plan view: the fabric as read, plus every object this run declares (Declared), plans (ModifyPlan)
//     or destroys. Plan-time checks run against it through cascade.View.Deferring, so that an object of
//     this owner that the plan has not reached yet does not make another one fail: it is either destroyed
//     by this plan or checked itself when Terraform plans it.
//   - the written view: the fabric as read, plus every write and delete this process has completed.
//     Apply-time checks run against it: it holds what the fabric holds, so that a write the fabric would
//     reject (a subnet still held by a VPC this run has not updated yet) waits for the write it needs.

// DeclaredWait bounds how long a plan-time check waits for an object this configuration declares (seen by
// Terraform's validate walk) but Terraform has not planned yet.
var DeclaredWait = 10 * time.Second

// OrderWait bounds how long an apply-time write waits for the other writes of the run that the plan
// counted on (a subnet freed by a VPC destroyed or updated in the same run, a VPC created in the same run).
var OrderWait = 60 * time.Second

// OrderQuiet ends that wait early: when no other write of this process is running and none ended for this
// long, nothing the write waits for is coming.
var OrderQuiet = 2 * time.Second

// Declared is what Terraform's validate walk saw of the configuration, before any resource was planned:
// the objects whose configuration was fully known, and the names known per kind. It lets a plan-time check
// find an object declared by a literal name that Terraform plans after the object that refers to it.
type Declared struct {
	Objects []fabric.Object
	Names   map[string]map[string]bool // kind → names known at validate
	Unknown map[string]int             // kind → resources whose name was not known at validate
	// ClaimedSubnets and ClaimedVLANs are the literal subnets and VLANs of VPCs whose configuration was
	// not fully known at validate: address plans keep clear of them (in every namespace).
	ClaimedSubnets []string
	ClaimedVLANs   []int
}

// declares reports whether the run may still plan an object of kind and name.
func (d *Declared) declares(kind, name string) bool {
	if d == nil {
		return false
	}
	return d.Names[kind][name] || d.Unknown[kind] > 0
}

// notify wakes every waiter (a view changed).
func (e *Engine) notify() {
	e.chMu.Lock()
	if e.changed != nil {
		close(e.changed)
	}
	e.changed = make(chan struct{})
	e.lastChange = time.Now()
	e.chMu.Unlock()
}

// busy marks a write or delete of this process as running until the returned func is called.
func (e *Engine) busy() func() {
	e.chMu.Lock()
	e.running++
	e.chMu.Unlock()
	return func() {
		e.chMu.Lock()
		e.running--
		e.chMu.Unlock()
		e.notify()
	}
}

// waitOrder waits for the next view change while the run may still bring the change a write waits for: until
// the deadline, and only while another write of this process is running or one ended within OrderQuiet.
func (e *Engine) waitOrder(ctx context.Context, ch <-chan struct{}, deadline time.Time) bool {
	e.chMu.Lock()
	quietFor := time.Since(e.lastChange)
	running := e.running
	e.chMu.Unlock()
	if running == 0 && quietFor >= OrderQuiet {
		return false
	}
	until := deadline
	if running == 0 {
		if q := time.Now().Add(OrderQuiet - quietFor); q.Before(until) {
			until = q
		}
	}
	if waitChange(ctx, ch, until) {
		return true
	}
	return time.Now().Before(deadline) && ctx.Err() == nil // woke at the quiet mark: look again
}

// changes returns a channel closed at the next view change.
func (e *Engine) changes() <-chan struct{} {
	e.chMu.Lock()
	defer e.chMu.Unlock()
	if e.changed == nil {
		e.changed = make(chan struct{})
	}
	return e.changed
}

// waitChange waits for the next view change, the deadline or the end of ctx; false when it should stop.
func waitChange(ctx context.Context, ch <-chan struct{}, deadline time.Time) bool {
	d := time.Until(deadline)
	if d <= 0 {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// awaitDeclared waits (at most DeclaredWait) until every object obj refers to is in v or is not declared
// by this configuration. It returns the references still missing and declared when it gave up.
func (e *Engine) awaitDeclared(ctx context.Context, v *cascade.View, obj fabric.Object) []cascade.Reference {
	dec := e.opts.Declared
	if dec == nil {
		return nil
	}
	deadline := time.Now().Add(DeclaredWait)
	for {
		ch := e.changes()
		var missing []cascade.Reference
		for _, r := range cascade.References(obj) {
			if !v.Has(r.Kind, r.Name) && dec.declares(r.Kind, r.Name) {
				missing = append(missing, r)
			}
		}
		if len(missing) == 0 || !waitChange(ctx, ch, deadline) {
			return missing
		}
	}
}

// ApplyWalk reports whether this process is Terraform's apply walk (or a saved plan's apply): no validate
// record reached it although the provider asked for one (CrossNeedsDeclared).
func (e *Engine) ApplyWalk() bool { return e.opts.CrossNeedsDeclared && e.opts.Declared == nil }

// OnlyBackend reports whether name is the only configured backend that stores kind.
func (e *Engine) OnlyBackend(kind, name string) bool {
	hs := e.handling(kind)
	return len(hs) == 1 && hs[0].Name() == name
}

// PlanCheck is what the plan-time check of one object found.
type PlanCheck struct {
	Diags diag.Diagnostics
	// Notes say, to the first caller only, why the view is limited.
	Notes []string
}

// ValidatePlan runs every stage but integration for a planned object against the fabric after this plan
// (the plan view), and records the object in it so that objects planned later in the same run are checked
// against it. replaces, when set, names the object this one replaces (a rename): it leaves the view.
func (e *Engine) ValidatePlan(ctx context.Context, d *Desired, replaces *backend.Ref) PlanCheck {
	var pc PlanCheck
	cfg, _ := e.FabricConfig(ctx)
	v, note := e.View(ctx)
	if note != "" && !e.viewNoteReported.Swap(true) {
		pc.Notes = append(pc.Notes, note) // once per run, not once per resource
	}
	pc.Notes = append(pc.Notes, e.fabricNotes()...)
	if replaces != nil && *replaces != d.Ref {
		v.Remove(replaces.Kind, replaces.Name)
	}
	v.Upsert(d.Typed)
	e.notify()
	if e.opts.CrossNeedsDeclared && e.opts.Declared == nil {
		pc.Diags = cascade.ValidateObject(d.Typed, nil, cfg, e.opts.Policy) // the object alone
		return pc
	}
	missing := e.awaitDeclared(ctx, v, d.Typed)
	pc.Diags = cascade.ValidateObject(d.Typed, v.Deferring(), cfg, e.opts.Policy)
	if len(missing) > 0 {
		softenMissing(pc.Diags, missing)
	}
	return pc
}

// softenMissing turns "not found" errors about objects this configuration declares but Terraform had not
// planned within DeclaredWait into warnings: the apply checks them again, in order.
func softenMissing(ds diag.Diagnostics, missing []cascade.Reference) {
	var names []string
	for _, m := range missing {
		names = append(names, fmt.Sprintf("%s %q", m.Kind, m.Name))
	}
	for i := range ds {
		if d := &ds[i]; d.Severity == diag.Error && strings.HasSuffix(d.Rule, "-exists") {
			d.Severity = diag.Warning
			d.Detail += fmt.Sprintf(" — %s is declared in this configuration but was not planned within %s; the apply checks again before writing.", strings.Join(names, ", "), DeclaredWait)
		}
	}
}

// onlyStageErrors reports whether every error of ds is of stage st.
func onlyStageErrors(ds diag.Diagnostics, st diag.Stage) bool {
	for _, d := range ds {
		if d.Severity == diag.Error && d.Stage != st {
			return false
		}
	}
	return true
}

// PlanDelete records at plan that the run destroys ref (it leaves the plan view) and returns its delete
// protections against the fabric after this plan: what still refers to it and is not this owner's object
// that the plan has yet to reach.
func (e *Engine) PlanDelete(ctx context.Context, ref backend.Ref) diag.Diagnostics {
	v, _ := e.View(ctx)
	v.Remove(ref.Kind, ref.Name)
	e.notify()
	return cascade.ValidateDelete(ref.Kind, ref.Name, v.Deferring())
}

// PlanReplace returns, at plan, the delete protections of an object this plan replaces (deleted, then
// created again): what refers to it in the plan view, without waiting (the apply checks again, in order).
func (e *Engine) PlanReplace(ctx context.Context, ref backend.Ref) diag.Diagnostics {
	v, _ := e.View(ctx)
	return cascade.ValidateDelete(ref.Kind, ref.Name, v)
}

// ValidateWrite runs the cascade for a write at apply against the fabric as this process has written it.
// Terraform orders only writes that refer to each other by expression, so a write may come before the write
// it needs (the subnet it takes is freed by a VPC this run destroys; the VPC it attaches to is created in
// this run under a literal name). A cross-resource finding therefore waits for the run's other writes
// (waitOrder): the check runs again after each write or delete this process completes. Nothing is recorded
// in the view: a write that fails or is rolled back leaves no trace.
func (e *Engine) ValidateWrite(ctx context.Context, d *Desired) diag.Diagnostics {
	cfg, _ := e.FabricConfig(ctx)
	v := e.writtenView(ctx)
	start := time.Now()
	deadline := start.Add(OrderWait)
	for {
		ch := e.changes()
		ds := cascade.ValidateObject(d.Typed, v, cfg, e.opts.Policy)
		if !ds.HasError() || !onlyStageErrors(ds, diag.StageCross) || !e.waitOrder(ctx, ch, deadline) {
			if ds.HasError() && time.Since(start) > time.Second {
				noteWaited(ds, time.Since(start))
			}
			if vpc, ok := d.Typed.(*fabric.VPC); ok && !ds.HasError() {
				ds = append(ds, e.recheckVPC(ctx, v, vpc)...)
			}
			return ds
		}
	}
}

// writtenView returns the written view (built on first use) and marks activity: a write waiting for room
// keeps waiting while the run is busy.
func (e *Engine) writtenView(ctx context.Context) *cascade.View {
	e.View(ctx)
	e.notify()
	e.viewMu.Lock()
	defer e.viewMu.Unlock()
	return e.written
}

func noteWaited(ds diag.Diagnostics, waited time.Duration) {
	for i := range ds {
		if d := &ds[i]; d.Severity == diag.Error {
			d.Detail += fmt.Sprintf(" (The apply waited %s for the other writes of this run, in case one of them made room; none did. When more writes wait on each other than Terraform's -parallelism allows to run at once, run the apply again or raise -parallelism; when this object replaces one that holds what it needs, do not set create_before_destroy on it.)", waited.Round(time.Second))
		}
	}
}

// ValidateDelete runs the delete protections at apply against the fabric as this process has written it.
// When everything that still refers to the object is this owner's (objects this run may be deleting or
// changing), it waits (at most OrderWait) for those writes, checking again after each.
func (e *Engine) ValidateDelete(ctx context.Context, ref backend.Ref) diag.Diagnostics {
	v := e.writtenView(ctx)
	start := time.Now()
	deadline := start.Add(OrderWait)
	for {
		ch := e.changes()
		ds, blockers := cascade.DeleteBlockers(ref.Kind, ref.Name, v)
		if !ds.HasError() {
			return ds
		}
		own := true
		for _, b := range blockers {
			own = own && v.IsOwn(b.Kind, b.Name)
		}
		if !own || !e.waitOrder(ctx, ch, deadline) {
			if own && time.Since(start) > time.Second {
				noteWaited(ds, time.Since(start))
			}
			return ds
		}
	}
}

// recordWritten records a completed write (obj) or delete (obj nil) of ref in both views.
func (e *Engine) recordWritten(ref backend.Ref, obj fabric.Object) {
	e.viewMu.Lock()
	views := []*cascade.View{e.written}
	if e.view != nil {
		views = append(views, e.view)
	}
	e.viewMu.Unlock()
	for _, v := range views {
		if v == nil {
			continue
		}
		if obj == nil {
			v.Remove(ref.Kind, ref.Name)
		} else {
			v.Upsert(obj)
		}
	}
	e.notify()
}

// MarkedDigest returns the digest the backend called name would report for obj once it carries this owner's
// mark: an object adopted as it is differs from what this provider writes only by the mark, which is not drift.
func (e *Engine) MarkedDigest(name string, obj backend.Object) string {
	b := e.Backend(name)
	if b == nil || obj.Manifest == nil {
		return ""
	}
	raw, err := json.Marshal(obj.Manifest)
	if err != nil {
		return ""
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	e.mark(m)
	return b.Digest(backend.Object{Ref: obj.Ref, APIVersion: obj.APIVersion, Manifest: m})
}

// Listed is one object a backend that holds whole objects lists, with its mark.
type Listed struct {
	Kind, Namespace, Name string
	Manifest              map[string]any
	Owned                 bool   // carries this provider's mark
	Owner                 string // the owner the mark names
}

// ListWhole lists every object of kinds from the first source that answers (the cluster, else Git), for
// adoption and the list resources. from names the source.
func (e *Engine) ListWhole(ctx context.Context, kinds []string) (out []Listed, from string, err error) {
	srcs := e.sources()
	if len(srcs) == 0 {
		return nil, "", fmt.Errorf("no kubernetes or git backend is configured: adoption reads whole objects from one of them")
	}
	var failures []string
	for _, src := range srcs {
		var objs []Listed
		var lerr error
		for _, k := range kinds {
			states, err := e.list(ctx, src, k)
			if err != nil {
				lerr = err
				break
			}
			for _, st := range states {
				if st.Object != nil {
					objs = append(objs, Listed{Kind: k, Namespace: st.Object.Ref.Namespace, Name: st.Object.Ref.Name, Manifest: st.Object.Manifest, Owned: st.Owned, Owner: st.Owner})
				}
			}
		}
		if lerr != nil {
			failures = append(failures, fmt.Sprintf("%s: %v", src.Name(), lerr))
			continue
		}
		return objs, src.Name(), nil
	}
	return nil, "", fmt.Errorf("no source could be listed (%s)", strings.Join(failures, "; "))
}

// PlanAddresses chooses and reserves addresses for VPC subnets in the plan view (cascade.PlanAddresses).
// A namespace this configuration declares but Terraform has not planned yet is waited for (at most
// DeclaredWait), as a planned object's references are.
func (e *Engine) PlanAddresses(ctx context.Context, ipv4ns, vlanns string, reqs []cascade.AddressRequest) ([]cascade.Allocation, []cascade.AddressError, string) {
	v, note := e.View(ctx)
	if dec := e.opts.Declared; dec != nil {
		deadline := time.Now().Add(DeclaredWait)
		for {
			ch := e.changes()
			missing := (ipv4ns != "" && !v.Has(fabric.KindIPv4Namespace, ipv4ns) && dec.declares(fabric.KindIPv4Namespace, ipv4ns)) ||
				(vlanns != "" && !v.Has(fabric.KindVLANNamespace, vlanns) && dec.declares(fabric.KindVLANNamespace, vlanns))
			if !missing || !waitChange(ctx, ch, deadline) {
				break
			}
		}
	}
	got, errs := cascade.PlanAddresses(v, ipv4ns, vlanns, reqs)
	e.notify()
	return got, errs, note
}

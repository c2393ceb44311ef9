package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
)

// DryRunResult is the cluster's judgement of one planned write (Engine.DryRun).
type DryRunResult struct {
	// Ran is true when the cluster was asked.
	Ran bool
	// Denial is the cluster's refusal (nil: accepted, or not asked).
	Denial *backend.Denial
	// Absent are the objects the denied object refers to that the cluster does not hold yet, each with
	// whether it is planned in this run. Empty when every referenced object exists in the cluster.
	Absent []AbsentRef
	// Err says why the cluster could not be asked (unreachable, a list of referenced kinds failed, ...).
	Err error
	// AfterRun is set when the object is valid only in the fabric after this plan, not in the fabric as the
	// cluster holds it now (it takes a subnet, VLAN or port that an object this run destroys or changes still
	// holds): the refusal may be the cluster judging it too early, and the apply writes it after the others.
	AfterRun string
}

// AbsentRef is a referenced object the cluster does not hold.
type AbsentRef struct {
	cascade.Reference
	// Planned is true when the object is planned in this run (it will be written before the referrer).
	Planned bool
}

func (a AbsentRef) String() string {
	s := fmt.Sprintf("%s %q", a.Kind, a.Name)
	if a.Planned {
		return s + " (planned in this run)"
	}
	return s + " (neither in the cluster nor planned here)"
}

// Blocking reports whether the denial is a plan error: the cluster refused the object although every
// object it references already exists there, so the apply would be refused the same way. A denial while
// referenced objects are still to be written may be the cluster waiting for them: a warning.
func (r DryRunResult) Blocking() bool {
	return r.Denial != nil && len(r.Absent) == 0 && r.Err == nil && r.AfterRun == ""
}

// AbsentText names the absent referenced objects, e.g. `IPv4Namespace "a" (planned in this run)`.
func (r DryRunResult) AbsentText() string {
	parts := make([]string, len(r.Absent))
	for i, a := range r.Absent {
		parts[i] = a.String()
	}
	return strings.Join(parts, ", ")
}

// DryRun asks the cluster to judge the write of d without making it (a server-side apply with
// dryRun=All: admission webhooks, the CRD's schema and rules, admission policies) after the cascade
// passed at plan. It does nothing (Ran false) when dry runs at plan are off, no cluster is configured,
// or the cluster only observes (a GitOps controller applies there). A denial comes with the referenced
// objects the cluster does not hold yet (read from the same lists as the fabric view), which decide
// whether it is an error (Blocking) or a warning.
func (e *Engine) DryRun(ctx context.Context, d *Desired) DryRunResult {
	if !e.opts.DryRunAtPlan || d == nil {
		return DryRunResult{}
	}
	k := e.Backend(backend.Kubernetes)
	if k == nil || !k.Handles(d.Ref.Kind) {
		return DryRunResult{}
	}
	if o, ok := k.(backend.Observer); ok && o.Observes() {
		return DryRunResult{}
	}
	dr, ok := k.(backend.DryRunner)
	if !ok {
		return DryRunResult{}
	}
	err := dr.DryRun(ctx, d.Object)
	switch {
	case err == nil:
		return DryRunResult{Ran: true}
	case errors.Is(err, backend.ErrNoDryRun):
		return DryRunResult{}
	}
	den, ok := backend.AsDenial(err)
	if !ok {
		return DryRunResult{Ran: true, Err: err}
	}
	res := DryRunResult{Ran: true, Denial: den}
	v, _ := e.View(ctx)
	cfg, _ := e.FabricConfig(ctx)
	e.viewMu.Lock()
	written := e.written
	e.viewMu.Unlock()
	for _, f := range cascade.ValidateObject(d.Typed, written, cfg, nil) {
		if f.Severity == diag.Error && f.Stage == diag.StageCross {
			res.AfterRun = f.Detail // what the fabric as it is now still holds
			break
		}
	}
	for _, ref := range cascade.References(d.Typed) {
		st, lerr := e.lists.lookup(ctx, k, backend.Ref{Kind: ref.Kind, Namespace: d.Ref.Namespace, Name: ref.Name})
		if lerr != nil {
			res.Err = fmt.Errorf("reading the cluster's %s objects to tell whether the refusal waits for them: %w", ref.Kind, lerr)
			continue
		}
		if st.Exists {
			continue
		}
		res.Absent = append(res.Absent, AbsentRef{Reference: ref, Planned: v.Planned(ref.Kind, ref.Name)})
	}
	return res
}

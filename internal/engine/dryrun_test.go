package engine

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// fakeCluster is an in-memory cluster for the dry-run logic: it lists what it holds and judges writes
// with judge.
type fakeCluster struct {
	backend.Backend
	observes bool
	judge    func(obj backend.Object) error
	mu       sync.Mutex
	held     map[string]map[string]backend.State // kind → ListKey → state
	dryRuns  []string
}

func (f *fakeCluster) Name() string                   { return backend.Kubernetes }
func (f *fakeCluster) Handles(string) bool            { return true }
func (f *fakeCluster) Describe(backend.Object) string { return "kubernetes: apply" }
func (f *fakeCluster) Digest(o backend.Object) string { return backend.ManifestDigest(o.Manifest) }
func (f *fakeCluster) Observes() bool                 { return f.observes }

func (f *fakeCluster) List(_ context.Context, kind string) (map[string]backend.State, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]backend.State{}
	for k, v := range f.held[kind] {
		out[k] = v
	}
	return out, nil
}

func (f *fakeCluster) DryRun(_ context.Context, obj backend.Object) error {
	f.mu.Lock()
	f.dryRuns = append(f.dryRuns, obj.Ref.Name)
	f.mu.Unlock()
	if f.observes {
		return backend.ErrNoDryRun
	}
	return f.judge(obj)
}

// hold puts a rendered object into the fake cluster.
func (f *fakeCluster) hold(d *Desired) {
	if f.held == nil {
		f.held = map[string]map[string]backend.State{}
	}
	if f.held[d.Ref.Kind] == nil {
		f.held[d.Ref.Kind] = map[string]backend.State{}
	}
	obj := d.Object
	f.held[d.Ref.Kind][backend.ListKey(d.Ref)] = backend.State{Exists: true, Object: &obj, Owned: true, Owner: backend.DefaultOwner}
}

// denyPrefix refuses objects whose name starts with "deny-", as the test webhook does.
func denyPrefix(obj backend.Object) error {
	if strings.HasPrefix(obj.Ref.Name, "deny-") {
		return &backend.Denial{Backend: backend.Kubernetes, Ref: obj.Ref, Code: 403, Reason: "Forbidden",
			Message: `admission webhook "vpc-names.test" denied the request: VPC names must not start with "deny-"`}
	}
	return nil
}

func renderKind(t *testing.T, e *Engine, kind, name string, spec map[string]any) *Desired {
	t.Helper()
	d, ds := e.Render(kind, Meta{Name: name}, spec)
	if ds.HasError() {
		t.Fatalf("render %s %s: %v", kind, name, ds)
	}
	return d
}

func vpcIn(ipns, vlanns, cidr string, vlan int) map[string]any {
	s := vpcSpec(map[string]sub{"default": {cidr, vlan}})
	s["ipv4Namespace"], s["vlanNamespace"] = ipns, vlanns
	return s
}

func ipnsSpec(cidr string) map[string]any { return map[string]any{"subnets": []any{cidr}} }

func vlannsSpec() map[string]any {
	return map[string]any{"ranges": []any{map[string]any{"from": 1000, "to": 2999}}}
}

// newDryRunEngine returns an engine over a fake cluster that holds IPv4Namespace "held-ns" and
// VLANNamespace "held-vl".
func newDryRunEngine(t *testing.T, on bool, judge func(backend.Object) error) (*Engine, *fakeCluster) {
	t.Helper()
	f := &fakeCluster{judge: judge}
	scratch := New(Options{})
	f.hold(renderKind(t, scratch, fabric.KindIPv4Namespace, "held-ns", ipnsSpec("10.50.0.0/16")))
	f.hold(renderKind(t, scratch, fabric.KindVLANNamespace, "held-vl", vlannsSpec()))
	return New(Options{Backends: []backend.Backend{f}, DryRunAtPlan: on}), f
}

// planned renders d and runs the plan's cascade, as ModifyPlan does before the dry run.
func planned(t *testing.T, e *Engine, kind, name string, spec map[string]any) *Desired {
	t.Helper()
	d := renderKind(t, e, kind, name, spec)
	if pc := e.ValidatePlan(context.Background(), d, nil); pc.Diags.HasError() {
		t.Fatalf("cascade refused %s: %v", name, pc.Diags)
	}
	return d
}

// Every referenced object exists in the cluster: a denial is a plan error (Blocking).
func TestDryRunDenialWithEverythingInTheClusterBlocks(t *testing.T) {
	ctx := context.Background()
	e, _ := newDryRunEngine(t, true, denyPrefix)
	r := e.DryRun(ctx, planned(t, e, fabric.KindVPC, "deny-web", vpcIn("held-ns", "held-vl", "10.50.1.0/24", 1001)))
	if !r.Ran || r.Denial == nil || !r.Blocking() || len(r.Absent) != 0 || r.Err != nil {
		t.Fatalf("want a blocking denial, got %+v", r)
	}
	if !strings.Contains(r.Denial.Message, `denied the request: VPC names must not start with "deny-"`) {
		t.Fatalf("denial message %q", r.Denial.Message)
	}
}

// A referenced object is only planned in this run: the denial may be the cluster waiting for it, a warning
// naming it.
func TestDryRunDenialWaitingForPlannedObjectWarns(t *testing.T) {
	ctx := context.Background()
	e, _ := newDryRunEngine(t, true, denyPrefix)
	planned(t, e, fabric.KindIPv4Namespace, "new-ns", ipnsSpec("10.60.0.0/16"))
	r := e.DryRun(ctx, planned(t, e, fabric.KindVPC, "deny-app", vpcIn("new-ns", "held-vl", "10.60.1.0/24", 1002)))
	if !r.Ran || r.Denial == nil || r.Blocking() {
		t.Fatalf("want a non-blocking denial, got %+v", r)
	}
	if len(r.Absent) != 1 || r.Absent[0].Kind != fabric.KindIPv4Namespace || r.Absent[0].Name != "new-ns" || !r.Absent[0].Planned {
		t.Fatalf("absent %+v", r.Absent)
	}
	if got := r.AbsentText(); got != `IPv4Namespace "new-ns" (planned in this run)` {
		t.Fatalf("AbsentText %q", got)
	}
}

// Accepted objects, dry runs switched off and an observing cluster: no finding (and no request when off).
func TestDryRunAcceptedOffAndObserve(t *testing.T) {
	ctx := context.Background()
	e, f := newDryRunEngine(t, true, denyPrefix)
	if r := e.DryRun(ctx, planned(t, e, fabric.KindVPC, "web", vpcIn("held-ns", "held-vl", "10.50.2.0/24", 1003))); !r.Ran || r.Denial != nil || r.Err != nil || r.Blocking() {
		t.Fatalf("accepted: %+v", r)
	}
	off, fo := newDryRunEngine(t, false, denyPrefix)
	if r := off.DryRun(ctx, planned(t, off, fabric.KindVPC, "deny-off", vpcIn("held-ns", "held-vl", "10.50.3.0/24", 1004))); r.Ran || r.Denial != nil {
		t.Fatalf("off: %+v", r)
	}
	if len(fo.dryRuns) != 0 {
		t.Fatalf("dry runs switched off, yet the cluster was asked: %v", fo.dryRuns)
	}
	f.observes = true
	if r := e.DryRun(ctx, planned(t, e, fabric.KindVPC, "deny-obs", vpcIn("held-ns", "held-vl", "10.50.4.0/24", 1005))); r.Ran || r.Denial != nil {
		t.Fatalf("observe: %+v", r)
	}
}

// A cluster that cannot be asked is not a denial: the result carries the error and does not block.
func TestDryRunFailureIsNotADenial(t *testing.T) {
	ctx := context.Background()
	e, _ := newDryRunEngine(t, true, func(backend.Object) error { return errors.New("connection refused") })
	r := e.DryRun(ctx, planned(t, e, fabric.KindVPC, "deny-x", vpcIn("held-ns", "held-vl", "10.50.5.0/24", 1006)))
	if !r.Ran || r.Denial != nil || r.Err == nil || r.Blocking() {
		t.Fatalf("want a failure, got %+v", r)
	}
}

// The object takes the subnet of a VPC this plan destroys: the cluster, which still holds that VPC, refuses
// it (as the fabric's webhook would), but the apply writes it after the delete, so the denial is a warning.
func TestDryRunDenialOfAMoveWarns(t *testing.T) {
	ctx := context.Background()
	overlap := func(obj backend.Object) error {
		if obj.Ref.Name == "moved-to" {
			return &backend.Denial{Backend: backend.Kubernetes, Ref: obj.Ref, Code: 403, Reason: "Forbidden",
				Message: `admission webhook "vpc.test" denied the request: subnet 10.50.9.0/24 overlaps VPC moved-from`}
		}
		return nil
	}
	e, f := newDryRunEngine(t, true, overlap)
	f.hold(renderKind(t, New(Options{}), fabric.KindVPC, "moved-from", vpcIn("held-ns", "held-vl", "10.50.9.0/24", 1009)))
	if ds := e.PlanDelete(ctx, backend.Ref{Kind: fabric.KindVPC, Namespace: "default", Name: "moved-from"}); ds.HasError() {
		t.Fatal(ds)
	}
	r := e.DryRun(ctx, planned(t, e, fabric.KindVPC, "moved-to", vpcIn("held-ns", "held-vl", "10.50.9.0/24", 1009)))
	if r.Denial == nil || r.Blocking() || !strings.Contains(r.AfterRun, "moved-from") {
		t.Fatalf("want a non-blocking denial naming what the cluster still holds, got %+v", r)
	}
}

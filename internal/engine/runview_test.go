package engine

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// seedFabric writes the default namespaces and the given VPCs (name → subnet, VLAN) to a fresh repository,
// as owner, and returns the repository.
func seedFabric(t *testing.T, prefix, owner string, vpcs map[string]sub) repo {
	t.Helper()
	ctx := context.Background()
	r := newRepo(t, prefix)
	e := New(Options{Backends: []backend.Backend{r.b}, Owner: owner})
	for _, d := range []*Desired{
		renderKind(t, e, fabric.KindIPv4Namespace, "default", map[string]any{"subnets": []any{"10.0.0.0/8"}}),
		renderKind(t, e, fabric.KindVLANNamespace, "default", map[string]any{"ranges": []any{map[string]any{"from": 1000, "to": 2999}}}),
	} {
		if _, err := e.Apply(ctx, d, createW); err != nil {
			t.Fatal(err)
		}
	}
	for name, s := range vpcs {
		if _, err := e.Apply(ctx, render(t, e, name, vpcSpec(map[string]sub{"default": s})), createW); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func vpcRef(name string) backend.Ref {
	return backend.Ref{Kind: fabric.KindVPC, Namespace: "default", Name: name}
}

func errorsOf(ds diag.Diagnostics) string {
	var out []string
	for _, d := range ds {
		if d.Severity == diag.Error {
			out = append(out, d.Rule+": "+d.Detail)
		}
	}
	return strings.Join(out, "; ")
}

// TestPlanViewIsTheFabricAfterThePlan: a subnet and VLAN moved from a VPC this plan destroys to a new one
// plan cleanly in either order; when the old VPC stays, the conflict is reported by whichever of the two is
// planned second; a VPC of another owner always conflicts.
func TestPlanViewIsTheFabricAfterThePlan(t *testing.T) {
	ctx := context.Background()
	moved := sub{"10.20.1.0/24", 1201}
	r := seedFabric(t, "planview", backend.DefaultOwner, map[string]sub{"old": moved})
	newVPC := func(e *Engine) *Desired { return render(t, e, "new", vpcSpec(map[string]sub{"default": moved})) }

	t.Run("destroy first", func(t *testing.T) {
		e := engineOf(r.b)
		if ds := e.PlanDelete(ctx, vpcRef("old")); ds.HasError() {
			t.Fatal(errorsOf(ds))
		}
		if pc := e.ValidatePlan(ctx, newVPC(e), nil); pc.Diags.HasError() {
			t.Fatal(errorsOf(pc.Diags))
		}
	})
	t.Run("create first", func(t *testing.T) {
		e := engineOf(r.b)
		if pc := e.ValidatePlan(ctx, newVPC(e), nil); pc.Diags.HasError() {
			t.Fatal(errorsOf(pc.Diags))
		}
		if ds := e.PlanDelete(ctx, vpcRef("old")); ds.HasError() {
			t.Fatal(errorsOf(ds))
		}
	})
	t.Run("old stays, planned first", func(t *testing.T) {
		e := engineOf(r.b)
		if pc := e.ValidatePlan(ctx, render(t, e, "old", vpcSpec(map[string]sub{"default": moved})), nil); pc.Diags.HasError() {
			t.Fatal(errorsOf(pc.Diags))
		}
		if pc := e.ValidatePlan(ctx, newVPC(e), nil); !pc.Diags.HasError() {
			t.Fatal("the new VPC must conflict with the VPC that stays")
		}
	})
	t.Run("old stays, planned second", func(t *testing.T) {
		e := engineOf(r.b)
		if pc := e.ValidatePlan(ctx, newVPC(e), nil); pc.Diags.HasError() {
			t.Fatal(errorsOf(pc.Diags))
		}
		pc := e.ValidatePlan(ctx, render(t, e, "old", vpcSpec(map[string]sub{"default": moved})), nil)
		if !strings.Contains(errorsOf(pc.Diags), `VPC "new"`) {
			t.Fatalf("the VPC that stays must report the conflict with the new one: %s", errorsOf(pc.Diags))
		}
	})
	t.Run("another owner's VPC", func(t *testing.T) {
		e := New(Options{Backends: []backend.Backend{r.b}, Owner: "team-b"})
		if pc := e.ValidatePlan(ctx, newVPC(e), nil); !strings.Contains(errorsOf(pc.Diags), `VPC "old"`) {
			t.Fatalf("a VPC this owner did not write must conflict: %s", errorsOf(pc.Diags))
		}
	})
}

// TestPlanWaitsForDeclaredObjects: a reference to an object the configuration declares by a literal name is
// resolved whatever order Terraform plans the two in.
func TestPlanWaitsForDeclaredObjects(t *testing.T) {
	ctx := context.Background()
	r := seedFabric(t, "declared", backend.DefaultOwner, nil)
	lateNS := func(e *Engine) *Desired {
		return renderKind(t, e, fabric.KindIPv4Namespace, "late", map[string]any{"subnets": []any{"10.30.0.0/16"}})
	}
	vpc := func(e *Engine) *Desired {
		spec := vpcSpec(map[string]sub{"default": {"10.30.1.0/24", 1301}})
		spec["ipv4Namespace"] = "late"
		return render(t, e, "uses-late", spec)
	}
	t.Run("declared whole: no wait", func(t *testing.T) {
		probe := engineOf(r.b)
		e := New(Options{Backends: []backend.Backend{r.b}, Declared: &Declared{Objects: []fabric.Object{lateNS(probe).Typed}, Names: map[string]map[string]bool{fabric.KindIPv4Namespace: {"late": true}}}})
		start := time.Now()
		if pc := e.ValidatePlan(ctx, vpc(e), nil); pc.Diags.HasError() {
			t.Fatal(errorsOf(pc.Diags))
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("waited %s", d)
		}
	})
	t.Run("declared by name: waits for its plan", func(t *testing.T) {
		e := New(Options{Backends: []backend.Backend{r.b}, Declared: &Declared{Names: map[string]map[string]bool{fabric.KindIPv4Namespace: {"late": true}}}})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(300 * time.Millisecond)
			e.ValidatePlan(ctx, lateNS(e), nil)
		}()
		if pc := e.ValidatePlan(ctx, vpc(e), nil); pc.Diags.HasError() {
			t.Fatal(errorsOf(pc.Diags))
		}
		wg.Wait()
	})
	t.Run("not declared: fails at once", func(t *testing.T) {
		e := New(Options{Backends: []backend.Backend{r.b}, Declared: &Declared{Names: map[string]map[string]bool{}}})
		start := time.Now()
		if pc := e.ValidatePlan(ctx, vpc(e), nil); !strings.Contains(errorsOf(pc.Diags), "late") {
			t.Fatalf("want a missing IPv4Namespace: %s", errorsOf(pc.Diags))
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("waited %s for an undeclared object", d)
		}
	})
	t.Run("declared, never planned: a warning after the wait", func(t *testing.T) {
		defer func(d time.Duration) { DeclaredWait = d }(DeclaredWait)
		DeclaredWait = 200 * time.Millisecond
		e := New(Options{Backends: []backend.Backend{r.b}, Declared: &Declared{Unknown: map[string]int{fabric.KindIPv4Namespace: 1}}})
		pc := e.ValidatePlan(ctx, vpc(e), nil)
		if pc.Diags.HasError() || len(pc.Diags) == 0 || !strings.Contains(pc.Diags[0].Detail, "apply checks again") {
			t.Fatalf("want a warning: %v", pc.Diags)
		}
	})
}

// TestApplyWaitsForTheWriteItNeeds: at apply, a VPC that takes the subnet of a VPC the same run deletes waits
// for that delete instead of failing; a genuine conflict fails once the run is quiet.
func TestApplyWaitsForTheWriteItNeeds(t *testing.T) {
	ctx := context.Background()
	moved := sub{"10.40.1.0/24", 1401}
	r := seedFabric(t, "applyorder", backend.DefaultOwner, map[string]sub{"old": moved, "kept": {"10.40.2.0/24", 1402}})
	e := engineOf(r.b)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(500 * time.Millisecond)
		if ds := e.ValidateDelete(ctx, vpcRef("old")); ds.HasError() {
			t.Error(errorsOf(ds))
			return
		}
		if _, err := e.Delete(ctx, vpcRef("old"), Write{}); err != nil {
			t.Error(err)
		}
	}()
	start := time.Now()
	d := render(t, e, "new", vpcSpec(map[string]sub{"default": moved}))
	if ds := e.ValidateWrite(ctx, d); ds.HasError() {
		t.Fatalf("the write must wait for the delete that frees its subnet: %s", errorsOf(ds))
	}
	wg.Wait()
	if waited := time.Since(start); waited < 400*time.Millisecond {
		t.Errorf("passed after %s, before the delete ran", waited)
	}
	if _, err := e.Apply(ctx, d, createW); err != nil {
		t.Fatal(err)
	}

	start = time.Now()
	clash := render(t, e, "clash", vpcSpec(map[string]sub{"default": {"10.40.2.0/24", 1403}}))
	ds := e.ValidateWrite(ctx, clash)
	if !strings.Contains(errorsOf(ds), `VPC "kept"`) {
		t.Fatalf("want the conflict with the VPC that stays: %s", errorsOf(ds))
	}
	if waited := time.Since(start); waited > OrderQuiet+3*time.Second {
		t.Errorf("a genuine conflict waited %s with nothing else running", waited)
	}
}

// TestRolledBackWriteLeavesNoTrace: a write whose saga fails and is compensated never enters the view, so a
// later write that needs the same subnet is not refused because of it.
func TestRolledBackWriteLeavesNoTrace(t *testing.T) {
	ctx := context.Background()
	r := seedFabric(t, "rolledback", backend.DefaultOwner, nil)
	e := New(Options{Backends: []backend.Backend{tnb, r.b}, Faults: &Faults{FailStep: backend.Git}})
	failed := render(t, e, "rb-failed", vpcSpec(map[string]sub{"default": {"10.50.1.0/24", 1501}}))
	if ds := e.ValidateWrite(ctx, failed); ds.HasError() {
		t.Fatal(errorsOf(ds))
	}
	if _, err := e.Apply(ctx, failed, createW); err == nil {
		t.Fatal("the injected Git failure did not fail the saga (the test would prove nothing)")
	}
	next := render(t, e, "rb-next", vpcSpec(map[string]sub{"default": {"10.50.1.0/24", 1501}}))
	if ds := e.ValidateWrite(ctx, next); ds.HasError() {
		t.Fatalf("the rolled-back VPC is still in the view: %s", errorsOf(ds))
	}
	if v, _ := e.View(ctx); v.Has(fabric.KindVPC, "rb-failed") {
		t.Error("the plan view holds the rolled-back VPC")
	}
}

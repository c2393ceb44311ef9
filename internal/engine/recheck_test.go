package engine

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// TestRecheckVPC: a subnet or VLAN another writer took after this process read the fabric fails the write
// (the apply's last look); values the VPC already held, and VPCs of this owner, are not looked at.
func TestRecheckVPC(t *testing.T) {
	ctx := context.Background()
	e := New(Options{Backends: []backend.Backend{tkube}, Owner: backend.DefaultOwner})
	v := e.writtenView(ctx) // read before the other writer
	applyAs(t, "other-workspace", "rc-other", nil, vpcSpec(map[string]sub{"main": {"10.61.0.0/24", 1610}}))
	defer func() { _ = tdyn.Resource(vpcGVR).Namespace("default").Delete(ctx, "rc-other", metav1.DeleteOptions{}) }()

	d := render(t, e, "rc-web", vpcSpec(map[string]sub{"default": {"10.61.0.0/25", 1610}, "free": {"10.61.9.0/24", 1619}}))
	ds := e.recheckVPC(ctx, v, d.Typed.(*fabric.VPC))
	if len(ds) != 2 {
		t.Fatalf("want the subnet and the VLAN reported, got %v", ds)
	}
	for _, want := range []string{`spec.subnets["default"].subnet: Subnet taken since the plan`, `spec.subnets["default"].vlan: VLAN taken since the plan`} {
		found := false
		for _, x := range ds {
			found = found || strings.Contains(x.Path.String()+": "+x.Summary, want) && strings.Contains(x.Detail, "rc-other")
		}
		if !found {
			t.Fatalf("missing %q in %v", want, ds)
		}
	}
	// Another state of the same (default) owner is another writer too.
	applyAs(t, "terraform-provider-hedgehog", "rc-same-owner", map[string]any{backend.OwnerAnnotation: backend.OwnerValue},
		vpcSpec(map[string]sub{"main": {"10.61.9.0/24", 1630}}))
	defer func() {
		_ = tdyn.Resource(vpcGVR).Namespace("default").Delete(ctx, "rc-same-owner", metav1.DeleteOptions{})
	}()
	if ds := e.recheckVPC(ctx, v, d.Typed.(*fabric.VPC)); len(ds) != 3 || !strings.Contains(ds[2].Detail, "rc-same-owner") {
		t.Fatalf("a VPC of this owner written after the read must be reported too: %v", ds)
	}
	// The VPC held those values already when the process read the fabric: nothing new, nothing to look at.
	v.Upsert(d.Typed)
	if ds := e.recheckVPC(ctx, v, d.Typed.(*fabric.VPC)); len(ds) != 0 {
		t.Fatalf("values the VPC held are not new: %v", ds)
	}
}

type countingList struct {
	backend.Backend
	n atomic.Int64
}

func (c *countingList) List(ctx context.Context, kind string) (map[string]backend.State, error) {
	c.n.Add(1)
	return c.Backend.List(ctx, kind)
}

// TestFreshListerShares: concurrent callers share Lists, each of which started after they asked.
func TestFreshListerShares(t *testing.T) {
	c := &countingList{Backend: tkube}
	var f freshLister
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.list(context.Background(), func(ctx context.Context) (map[string]backend.State, error) {
				return c.List(ctx, fabric.KindVPC)
			}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := c.n.Load(); n < 1 || n > 10 {
		t.Fatalf("40 concurrent callers made %d Lists", n)
	}
	t.Logf("40 concurrent callers, %d Lists", c.n.Load())
}

// TestRecheckSkipsNamespacesCreatedHere: values in namespaces this process created are not listed again.
func TestRecheckSkipsNamespacesCreatedHere(t *testing.T) {
	ctx := context.Background()
	c := &countingList{Backend: tkube}
	e := engineOf(c)
	v := e.writtenView(ctx)
	before := c.n.Load()
	e.createdHere.Store(fabric.KindIPv4Namespace+"/default", true)
	e.createdHere.Store(fabric.KindVLANNamespace+"/default", true)
	d := render(t, e, "rc-here", vpcSpec(map[string]sub{"default": {"10.62.0.0/24", 1620}}))
	if ds := e.recheckVPC(ctx, v, d.Typed.(*fabric.VPC)); len(ds) != 0 || c.n.Load() != before {
		t.Fatalf("namespaces created here: %v, %d Lists", ds, c.n.Load()-before)
	}
	e.createdHere.Delete(fabric.KindVLANNamespace + "/default")
	if e.recheckVPC(ctx, v, d.Typed.(*fabric.VPC)); c.n.Load() != before+1 {
		t.Fatalf("the VLAN is new in a namespace not created here: want one List, got %d", c.n.Load()-before)
	}
}

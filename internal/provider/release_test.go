package provider

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

type marker struct{ _ [64]byte }

type markerKey struct{}

// The framework keeps every request's context until StopProvider; the server must not let it keep the
// requests' values (in Terraform: the gRPC stream and the SDK's loggers). 300 validations of VPCs, each with a
// context carrying a value that reports its collection: after them, with the server still in use, almost none
// may be left. Without releasingContext every one is kept.
func TestRequestContextsReleased(t *testing.T) {
	p := newProtoProvider(t)
	var live atomic.Int64
	typ := p.schema.ResourceSchemas["hedgehog_vpc"].ValueType()
	const n = 300
	for i := range n {
		m := &marker{}
		live.Add(1)
		runtime.SetFinalizer(m, func(*marker) { live.Add(-1) })
		ctx, cancel := context.WithCancel(context.WithValue(context.Background(), markerKey{}, m))
		cfg := map[string]any{"name": fmt.Sprintf("v-%d", i), "subnets": map[string]any{"default": map[string]any{"subnet": fmt.Sprintf("10.0.%d.0/24", i%256), "vlan": 1000 + i}}}
		dv := dynValue(t, typ, cfg)
		vr, err := p.srv.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "hedgehog_vpc", Config: &dv})
		if err != nil {
			t.Fatal(err)
		}
		requireNoErrors(t, "ValidateResourceConfig", vr.Diagnostics)
		cancel()
	}
	deadline := time.Now().Add(5 * time.Second)
	for live.Load() > n/10 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
	if l := live.Load(); l > n/10 {
		t.Errorf("%d of %d request contexts are still reachable after their requests", l, n)
	}
	// The server is still in use (the contexts would be collected with it otherwise).
	if _, err := p.srv.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{}); err != nil {
		t.Fatal(err)
	}
	runtime.KeepAlive(p)
}

// While the request runs, the releasing context is the request's: values, deadline, cancellation; after it,
// it is an ended context with no values.
func TestReleasingContext(t *testing.T) {
	parent, cancel := context.WithTimeout(context.WithValue(context.Background(), markerKey{}, "v"), time.Hour)
	rc := newReleasingContext(parent)
	child, childCancel := context.WithCancel(rc)
	defer childCancel()
	if rc.Value(markerKey{}) != "v" || child.Value(markerKey{}) != "v" {
		t.Fatal("values of the request not visible")
	}
	if d, ok := rc.Deadline(); !ok || time.Until(d) < 59*time.Minute {
		t.Fatalf("deadline %v %v", d, ok)
	}
	cancel()
	select {
	case <-child.Done():
	case <-time.After(time.Second):
		t.Fatal("cancelling the request did not reach a context derived from the releasing one")
	}
	rc2 := newReleasingContext(context.WithValue(context.Background(), markerKey{}, "w"))
	rc2.release()
	if rc2.Value(markerKey{}) != nil || !errors.Is(rc2.Err(), context.Canceled) {
		t.Fatalf("released context: value %v, err %v", rc2.Value(markerKey{}), rc2.Err())
	}
	select {
	case <-rc2.Done():
	default:
		t.Fatal("released context not done")
	}
}

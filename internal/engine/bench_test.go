package engine

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/kube"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/apiserver"
)

// benchCounting counts the reads that reach a backend; it exists only for the assertions of the benchmarks.
type benchCounting struct {
	backend.Backend
	lists, gets atomic.Int64
}

func (c *benchCounting) List(ctx context.Context, kind string) (map[string]backend.State, error) {
	c.lists.Add(1)
	return c.Backend.List(ctx, kind)
}

func (c *benchCounting) Get(ctx context.Context, ref backend.Ref) (backend.State, error) {
	c.gets.Add(1)
	return c.Backend.Get(ctx, ref)
}

func benchVPCSpec(i int) map[string]any {
	return map[string]any{"subnets": map[string]any{"default": map[string]any{
		"subnet": fmt.Sprintf("10.%d.%d.0/24", i/256, i%256), "vlan": 1000 + i}}}
}

// BenchmarkRead500 reads 500 different VPCs through one fresh Engine per iteration (ten readers at a time,
// as Terraform's default parallelism), with a kube backend against a real API server started here (not in
// TestMain, which belongs to the fault tests). The list cache must turn the 500 reads into one List of the
// kind and no Get.
func BenchmarkRead500(b *testing.B) {
	const n, readers = 500, 10
	b.StopTimer()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	srv, err := apiserver.Start(ctx)
	if err != nil {
		b.Fatalf("start API server: %v", err)
	}
	defer srv.Stop()
	kb := kube.New(kube.Config{Kubeconfig: string(srv.Kubeconfig()), Namespace: "bench"})

	// Create the 500 VPCs through an engine of their own (server-side apply, ten at a time).
	setup := New(Options{Backends: []backend.Backend{kb}})
	refs := make([]backend.Ref, n)
	sem := make(chan struct{}, readers)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		d, ds := setup.Render("VPC", Meta{Namespace: "bench", Name: fmt.Sprintf("bench-%04d", i)}, benchVPCSpec(i))
		if ds.HasError() {
			b.Fatalf("render: %v", ds)
		}
		refs[i] = d.Ref
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if _, err := setup.Apply(ctx, d, createW); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatalf("create: %v", err)
	}

	cb := &benchCounting{Backend: kb}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		e := New(Options{Backends: []backend.Backend{cb}})
		cb.lists.Store(0)
		cb.gets.Store(0)
		var next atomic.Int64
		var missing atomic.Int64
		errs := make(chan error, readers)
		b.StartTimer()
		var wg sync.WaitGroup
		for range readers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= n {
						return
					}
					res, err := e.Read(ctx, refs[i])
					if err != nil {
						errs <- err
						return
					}
					if !res[backend.Kubernetes].Exists {
						missing.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		b.StopTimer()
		close(errs)
		if err := <-errs; err != nil {
			b.Fatalf("read: %v", err)
		}
		if m := missing.Load(); m != 0 {
			b.Fatalf("%d of %d VPCs read as absent", m, n)
		}
		if l, g := cb.lists.Load(), cb.gets.Load(); l != 1 || g != 0 {
			b.Fatalf("500 reads made %d List and %d Get calls, want 1 List and 0 Get", l, g)
		}
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(n), "reads/op")
}

// BenchmarkRender renders one VPC (schema validation, decoding, fabric defaulting, manifest YAML and the
// kube backend's digest and description). No I/O: the backend is never contacted.
func BenchmarkRender(b *testing.B) {
	e := New(Options{Backends: []backend.Backend{kube.New(kube.Config{Host: "https://127.0.0.1:1"})}})
	meta := Meta{Name: "bench-vpc", Labels: map[string]string{"team": "bench"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, ds := e.Render("VPC", meta, benchVPCSpec(7)); ds.HasError() {
			b.Fatalf("render: %v", ds)
		}
	}
}

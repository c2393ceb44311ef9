package kube

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/backendtest"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/guard"
)

// A dry run is judged like the real apply and persists nothing: a create leaves no object, an update
// leaves the object's resourceVersion and spec, and a refusal is a *backend.Denial with the server's
// message and field causes.
func TestDryRunWritesNothing(t *testing.T) {
	ctx := context.Background()
	b := newBackend(t, "dryrun")
	if err := b.DryRun(ctx, ipns("new", "10.1.0.0/16")); err != nil {
		t.Fatalf("dry run of a valid create: %v", err)
	}
	if mustGet(t, b, backend.Ref{Kind: "IPv4Namespace", Name: "new"}).Exists {
		t.Fatal("a dry-run create persisted the object")
	}

	mustPut(t, b, ipns("old", "10.1.0.0/16"), false)
	before, err := raw("dryrun").Get(ctx, "old", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.DryRun(ctx, ipns("old", "10.9.0.0/16")); err != nil {
		t.Fatalf("dry run of a valid update: %v", err)
	}
	after, _ := raw("dryrun").Get(ctx, "old", metav1.GetOptions{})
	if after.GetResourceVersion() != before.GetResourceVersion() {
		t.Fatalf("a dry-run update changed the object: resourceVersion %s -> %s", before.GetResourceVersion(), after.GetResourceVersion())
	}

	// The CRD's schema refuses an IPv4Namespace without subnets: a denial naming the field.
	err = b.DryRun(ctx, ipns("bad"))
	d, ok := backend.AsDenial(err)
	if !ok {
		t.Fatalf("want a denial, got %v", err)
	}
	if d.Code != 422 || d.Reason != string(metav1.StatusReasonInvalid) || len(d.Causes) == 0 || !strings.HasPrefix(d.Causes[0].Field, "spec.subnets") {
		t.Fatalf("denial %+v", d)
	}
	if mustGet(t, b, backend.Ref{Kind: "IPv4Namespace", Name: "bad"}).Exists {
		t.Fatal("a refused dry run persisted the object")
	}
}

// With force_conflicts = false, the dry run refuses what the apply would: fields another manager owns.
func TestDryRunSameForceAsApply(t *testing.T) {
	ctx := context.Background()
	b := newBackend(t, "dryrun-force", func(c *Config) { c.NoForceConflicts = true })
	mustPut(t, b, ipns("c", "10.1.0.0/16"), false)
	other := `{"apiVersion":"vpc.githedgehog.com/v1beta1","kind":"IPv4Namespace","metadata":{"name":"c"},"spec":{"subnets":["10.7.0.0/16"]}}`
	force := true
	if _, err := raw("dryrun-force").Patch(ctx, "c", types.ApplyPatchType, []byte(other), metav1.PatchOptions{FieldManager: "other-manager", Force: &force}); err != nil {
		t.Fatal(err)
	}
	d, ok := backend.AsDenial(b.DryRun(ctx, ipns("c", "10.2.0.0/16")))
	if !ok || d.Code != 409 || !strings.Contains(d.Message, "other-manager") {
		t.Fatalf("want a conflict denial naming other-manager, got %+v", d)
	}
	forced := newBackend(t, "dryrun-force")
	if err := forced.DryRun(ctx, ipns("c", "10.2.0.0/16")); err != nil {
		t.Fatalf("forced dry run: %v", err)
	}
}

// Observe mode makes no dry runs; an unreachable server is a failure, not a denial; the guard keeps DryRun.
func TestDryRunObserveAndUnreachable(t *testing.T) {
	ctx := context.Background()
	obs := newBackend(t, "dryrun-obs", func(c *Config) { c.Mode = ModeObserve })
	if err := obs.DryRun(ctx, ipns("x", "10.1.0.0/16")); !errors.Is(err, backend.ErrNoDryRun) {
		t.Fatalf("observe mode: %v", err)
	}
	g := guard.New(backend.Kubernetes, guard.Config{RequestTimeout: 2 * time.Second})
	gone := New(Config{Host: "https://127.0.0.1:1", Insecure: true, Guard: g})
	wrapped, ok := g.Wrap(gone).(backend.DryRunner)
	if !ok {
		t.Fatal("the guard dropped DryRun")
	}
	err := wrapped.DryRun(ctx, ipns("x", "10.1.0.0/16"))
	if _, denied := backend.AsDenial(err); err == nil || denied {
		t.Fatalf("unreachable server: want a failure that is not a denial, got %v", err)
	}
}

// BenchmarkDryRun is the cost the plan pays per created or changed object: one server-side apply with
// dryRun=All (compare BenchmarkGet, one read of the same object).
func BenchmarkDryRun(b *testing.B) {
	ctx := context.Background()
	kb := newBackend(b, "bench-dryrun")
	o := ipns("bench", "10.1.0.0/16")
	for b.Loop() {
		if err := kb.DryRun(ctx, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	kb := newBackend(b, "bench-dryrun")
	o := ipns("bench-get", "10.1.0.0/16")
	if _, _, err := kb.Put(ctx, o, backendtest.IntentOf(false)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := kb.Get(ctx, o.Ref); err != nil {
			b.Fatal(err)
		}
	}
}

// Which refusals are judgements of the object: a webhook's 403 is, the authorizer's 403 (credentials that
// may not patch, e.g. a read-only plan) is not, nor is a server error.
func TestDenialClassification(t *testing.T) {
	ref := backend.Ref{Kind: "VPC", Namespace: "default", Name: "x"}
	gr := schema.GroupResource{Group: "vpc.githedgehog.com", Resource: "vpcs"}
	webhook := apierrors.NewForbidden(gr, "x", errors.New(`admission webhook "v.example.com" denied the request: no`))
	rbac := apierrors.NewForbidden(gr, "x", errors.New(`User "ci" cannot patch resource "vpcs" in API group "vpc.githedgehog.com" in the namespace "default"`))
	if d := denial(ref, webhook); d == nil || d.Code != 403 || !strings.Contains(d.Message, "denied the request: no") {
		t.Errorf("webhook: %+v", d)
	}
	if d := denial(ref, rbac); d != nil {
		t.Errorf("authorization counted as a denial: %+v", d)
	}
	if d := denial(ref, apierrors.NewInternalError(errors.New("boom"))); d != nil {
		t.Errorf("server error counted as a denial: %+v", d)
	}
	if d := denial(ref, errors.New("connection refused")); d != nil {
		t.Errorf("transport error counted as a denial: %+v", d)
	}
}

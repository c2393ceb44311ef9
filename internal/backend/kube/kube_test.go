package kube

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/flowcontrol"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/backendtest"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/apiserver"
)

var srv *apiserver.Server

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	s, err := apiserver.Start(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start API server:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "API server started in %v\n", s.StartDuration)
	srv = s
	code := m.Run()
	s.Stop()
	os.Exit(code)
}

const ipnsAPI = "vpc.githedgehog.com/v1beta1"

// newBackend returns an admin backend on its own namespace (the harness has no namespace objects to create).
func newBackend(t testing.TB, ns string, mod ...func(*Config)) *Backend {
	t.Helper()
	cfg := Config{Kubeconfig: string(srv.Kubeconfig()), Namespace: ns}
	for _, f := range mod {
		f(&cfg)
	}
	return New(cfg)
}

func ipns(name string, subnets ...string) backend.Object {
	s := make([]any, len(subnets))
	for i, v := range subnets {
		s[i] = v
	}
	return backend.Object{Ref: backend.Ref{Kind: "IPv4Namespace", Name: name}, APIVersion: ipnsAPI,
		Manifest: map[string]any{"apiVersion": ipnsAPI, "kind": "IPv4Namespace",
			"metadata": map[string]any{"name": name}, "spec": map[string]any{"subnets": s}}}
}

func withLabel(o backend.Object, k, v string) backend.Object {
	o.Manifest["metadata"].(map[string]any)["labels"] = map[string]any{k: v}
	return o
}

// raw is an admin dynamic client for out-of-band changes ("another manager", "the GitOps controller").
func raw(ns string) dynamic.ResourceInterface {
	return dynamic.NewForConfigOrDie(srv.RESTConfig()).Resource(ipnsGVR).Namespace(ns)
}

var ipnsGVR = New(Config{}).gvrs["IPv4Namespace"]

func foreign(t *testing.T, ns, name, manager string, subnets ...string) *unstructured.Unstructured {
	t.Helper()
	o := ipns(name, subnets...)
	u := &unstructured.Unstructured{Object: o.Manifest}
	u.SetNamespace(ns)
	got, err := raw(ns).Create(context.Background(), u, metav1.CreateOptions{FieldManager: manager})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func mustPut(t *testing.T, b *Backend, o backend.Object, adopt bool) (backend.State, backend.State) {
	t.Helper()
	p, a, err := b.Put(context.Background(), o, backendtest.IntentOf(adopt))
	if err != nil {
		t.Fatalf("put %s: %v", o.Ref, err)
	}
	return p, a
}

func mustGet(t *testing.T, b *Backend, ref backend.Ref) backend.State {
	t.Helper()
	s, err := b.Get(context.Background(), ref)
	if err != nil {
		t.Fatalf("get %s: %v", ref, err)
	}
	return s
}

func TestPutGetList500(t *testing.T) {
	ctx := context.Background()
	b := newBackend(t, "list500")
	const n = 500
	t0 := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 10) // Terraform's default parallelism
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if _, _, err := b.Put(ctx, ipns(fmt.Sprintf("ns-%03d", i), fmt.Sprintf("10.%d.%d.0/24", i/256, i%256)), backendtest.Update); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	t.Logf("put %d objects (parallelism 10): %v", n, time.Since(t0))

	t0 = time.Now()
	all, err := b.List(ctx, "IPv4Namespace")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("list %d objects: %v", len(all), time.Since(t0))
	if len(all) != n {
		t.Fatalf("list: %d objects", len(all))
	}
	for i := range n {
		o := ipns(fmt.Sprintf("ns-%03d", i), fmt.Sprintf("10.%d.%d.0/24", i/256, i%256))
		s := all["list500/"+o.Name]
		if !s.Exists || !s.Owned || s.Digest != b.Digest(o) || s.Checkpoint["uid"] == "" {
			t.Fatalf("list %s: %+v", o.Name, s)
		}
	}

	o := ipns("ns-007", "10.0.7.0/24")
	s := mustGet(t, b, o.Ref)
	want := map[string]any{"apiVersion": ipnsAPI, "kind": "IPv4Namespace",
		"metadata": map[string]any{"name": "ns-007", "namespace": "list500",
			"annotations": map[string]any{backend.OwnerAnnotation: backend.OwnerValue}},
		"spec": map[string]any{"subnets": []any{"10.0.7.0/24"}}}
	if !reflect.DeepEqual(s.Object.Manifest, want) {
		t.Errorf("stripped manifest:\n got %v\nwant %v", s.Object.Manifest, want)
	}
	if s.Object.Ref != (backend.Ref{Kind: "IPv4Namespace", Namespace: "list500", Name: "ns-007"}) || s.Object.APIVersion != ipnsAPI {
		t.Errorf("object ref: %+v %s", s.Object.Ref, s.Object.APIVersion)
	}
	if s.Checkpoint["resource_version"] == "" || !reflect.DeepEqual(all["list500/ns-007"].Object.Manifest, want) {
		t.Errorf("checkpoint %v / list manifest %v", s.Checkpoint, all["list500/ns-007"].Object.Manifest)
	}
	if s, err := b.Get(ctx, backend.Ref{Kind: "IPv4Namespace", Name: "missing"}); err != nil || s.Exists {
		t.Errorf("missing: %+v %v", s, err)
	}
}

func TestLastAppliedStripped(t *testing.T) {
	b := newBackend(t, "lastapplied")
	u := &unstructured.Unstructured{Object: ipns("x", "10.1.0.0/16").Manifest}
	u.SetNamespace("lastapplied")
	u.SetAnnotations(map[string]string{lastApplied: "{}", "keep": "me"})
	if _, err := raw("lastapplied").Create(context.Background(), u, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	s := mustGet(t, b, backend.Ref{Kind: "IPv4Namespace", Name: "x"})
	ann := s.Object.Manifest["metadata"].(map[string]any)["annotations"]
	if !reflect.DeepEqual(ann, map[string]any{"keep": "me"}) || s.Owned {
		t.Errorf("annotations %v owned %v", ann, s.Owned)
	}
}

func TestUpdateAndDelete(t *testing.T) {
	ctx := context.Background()
	b := newBackend(t, "update")
	v1, v2 := ipns("a", "10.1.0.0/16"), withLabel(ipns("a", "10.2.0.0/16"), "tier", "gold")
	p, a1 := mustPut(t, b, v1, false)
	if p.Exists || !a1.Exists || a1.Digest != b.Digest(v1) {
		t.Fatalf("create: prior %+v after %+v", p, a1)
	}
	p, a2 := mustPut(t, b, v2, false)
	if !p.Exists || p.Digest != b.Digest(v1) || a2.Digest != b.Digest(v2) || b.Digest(v1) == b.Digest(v2) {
		t.Fatalf("update digests: prior %s after %s", p.Digest, a2.Digest)
	}
	if a2.Checkpoint["uid"] != a1.Checkpoint["uid"] || a2.Checkpoint["resource_version"] == a1.Checkpoint["resource_version"] {
		t.Errorf("checkpoints %v → %v", a1.Checkpoint, a2.Checkpoint)
	}
	// Idempotent: a second identical Put writes nothing.
	_, a3 := mustPut(t, b, v2, false)
	if a3.Checkpoint["resource_version"] != a2.Checkpoint["resource_version"] {
		t.Errorf("no-op put changed resourceVersion %v → %v", a2.Checkpoint, a3.Checkpoint)
	}
	p, err := b.Delete(ctx, v2.Ref, backendtest.Delete)
	if err != nil || !p.Exists || p.Digest != b.Digest(v2) {
		t.Fatalf("delete: %+v %v", p, err)
	}
	if s := mustGet(t, b, v2.Ref); s.Exists {
		t.Fatal("still there after delete")
	}
	if p, err := b.Delete(ctx, v2.Ref, backendtest.Delete); err != nil || p.Exists {
		t.Errorf("delete of missing: %+v %v", p, err)
	}
}

func TestRestore(t *testing.T) {
	ctx := context.Background()
	b := newBackend(t, "restore")
	v1, v2 := ipns("r", "10.1.0.0/16"), withLabel(ipns("r", "10.2.0.0/16"), "tier", "gold")

	t.Run("after create", func(t *testing.T) {
		p, _ := mustPut(t, b, ipns("created", "10.9.0.0/16"), false)
		if err := b.Restore(ctx, backend.Ref{Kind: "IPv4Namespace", Name: "created"}, p); err != nil {
			t.Fatal(err)
		}
		if mustGet(t, b, backend.Ref{Kind: "IPv4Namespace", Name: "created"}).Exists {
			t.Error("restore after create left the object")
		}
	})
	t.Run("after update", func(t *testing.T) {
		mustPut(t, b, v1, false)
		p, _ := mustPut(t, b, v2, false)
		if err := b.Restore(ctx, v1.Ref, p); err != nil {
			t.Fatal(err)
		}
		s := mustGet(t, b, v1.Ref)
		if s.Digest != b.Digest(v1) {
			t.Errorf("restored %v, want %v", s.Object.Manifest, b.desired(v1).Object)
		}
	})
	t.Run("after delete", func(t *testing.T) {
		p, err := b.Delete(ctx, v1.Ref, backendtest.Delete)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Restore(ctx, v1.Ref, p); err != nil {
			t.Fatal(err)
		}
		if s := mustGet(t, b, v1.Ref); !s.Exists || s.Digest != b.Digest(v1) || !s.Owned {
			t.Errorf("restored after delete: %+v", s)
		}
	})
	t.Run("not ours", func(t *testing.T) {
		orig := foreign(t, "restore", "theirs", "someone", "10.5.0.0/16")
		p, _ := mustPut(t, b, withLabel(ipns("theirs", "10.5.0.0/16"), "x", "y"), true)
		if p.Owned {
			t.Fatal("prior reported owned")
		}
		ref := backend.Ref{Kind: "IPv4Namespace", Name: "theirs"}
		if !mustGet(t, b, ref).Owned {
			t.Fatal("adopted object not owned")
		}
		if err := b.Restore(ctx, ref, p); err != nil {
			t.Fatal(err)
		}
		got, err := raw("restore").Get(ctx, "theirs", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.GetLabels()) != 0 || len(got.GetAnnotations()) != 0 || got.GetUID() != orig.GetUID() {
			t.Errorf("restored metadata: labels %v annotations %v", got.GetLabels(), got.GetAnnotations())
		}
		for _, mf := range got.GetManagedFields() {
			if mf.Manager == DefaultFieldManager {
				t.Errorf("our field manager still listed: %+v", got.GetManagedFields())
			}
		}
		if mustGet(t, b, ref).Owned {
			t.Error("still owned after restore")
		}
	})
}

func TestAdopt(t *testing.T) {
	ctx := context.Background()
	b := newBackend(t, "adopt")
	orig := foreign(t, "adopt", "f", "someone", "10.3.0.0/16")
	o := withLabel(ipns("f", "10.3.0.0/16"), "a", "b")
	_, _, err := b.Put(ctx, o, backendtest.Update)
	if oe, ok := backend.AsOwnership(err); !errors.Is(err, backend.ErrNotOwned) || !ok || oe.Op != backend.OpUpdate || oe.Backend != "kubernetes" || !strings.Contains(err.Error(), "someone") {
		t.Fatalf("want ErrNotOwned, got %v", err)
	}
	got, _ := raw("adopt").Get(ctx, "f", metav1.GetOptions{})
	if got.GetResourceVersion() != orig.GetResourceVersion() {
		t.Error("refused put changed the object")
	}
	p, a := mustPut(t, b, o, true)
	if !p.Exists || p.Owned || !a.Owned || a.Digest != b.Digest(o) {
		t.Errorf("adopt: prior %+v after %+v", p, a)
	}
}

// With force_conflicts = false, a field another manager took over makes the apply fail, naming it.
func TestConflictingManager(t *testing.T) {
	ctx := context.Background()
	b := newBackend(t, "conflict", func(c *Config) { c.NoForceConflicts = true })
	mustPut(t, b, ipns("c", "10.1.0.0/16"), false)
	// Another manager force-applies the subnets and so takes them over.
	other := `{"apiVersion":"vpc.githedgehog.com/v1beta1","kind":"IPv4Namespace","metadata":{"name":"c"},"spec":{"subnets":["10.7.0.0/16"]}}`
	force := true
	before, err := raw("conflict").Patch(ctx, "c", types.ApplyPatchType, []byte(other), metav1.PatchOptions{FieldManager: "other-manager", Force: &force})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = b.Put(ctx, ipns("c", "10.2.0.0/16"), backendtest.Update)
	if err == nil || !strings.Contains(err.Error(), "other-manager") || !apierrors.IsConflict(err) {
		t.Fatalf("want a conflict naming other-manager, got %v", err)
	}
	after, _ := raw("conflict").Get(ctx, "c", metav1.GetOptions{})
	if after.GetResourceVersion() != before.GetResourceVersion() {
		t.Error("conflicting put changed the object")
	}
}

// By default an object this provider owns takes its fields back from another manager (drift converges).
func TestOwnedObjectTakesFieldsBack(t *testing.T) {
	ctx := context.Background()
	b := newBackend(t, "takeback")
	mustPut(t, b, ipns("c", "10.1.0.0/16"), false)
	other := `{"apiVersion":"vpc.githedgehog.com/v1beta1","kind":"IPv4Namespace","metadata":{"name":"c"},"spec":{"subnets":["10.7.0.0/16"]}}`
	force := true
	if _, err := raw("takeback").Patch(ctx, "c", types.ApplyPatchType, []byte(other), metav1.PatchOptions{FieldManager: "other-manager", Force: &force}); err != nil {
		t.Fatal(err)
	}
	want := ipns("c", "10.2.0.0/16")
	_, after := mustPut(t, b, want, false)
	if after.Digest != b.Digest(want) {
		t.Fatalf("object not converged: %+v", after)
	}
	got, _ := raw("takeback").Get(ctx, "c", metav1.GetOptions{})
	subnets, _, _ := unstructured.NestedStringSlice(got.Object, "spec", "subnets")
	if len(subnets) != 1 || subnets[0] != "10.2.0.0/16" {
		t.Fatalf("subnets %v", subnets)
	}
}

func TestSchemaViolation(t *testing.T) {
	b := newBackend(t, "invalid")
	_, _, err := b.Put(context.Background(), ipns("bad"), backendtest.Update)
	if err == nil || !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "invalid fields: spec.subnets") {
		t.Fatalf("want 422 naming spec.subnets, got %v", err)
	}
	if mustGet(t, b, backend.Ref{Kind: "IPv4Namespace", Name: "bad"}).Exists {
		t.Error("invalid object stored")
	}
}

func TestObserveMode(t *testing.T) {
	ctx := context.Background()
	b := newBackend(t, "observe", func(c *Config) {
		c.Mode, c.ObserveTimeout, c.PollInterval = ModeObserve, 20*time.Second, 20*time.Millisecond
	})
	o := ipns("o", "10.1.0.0/16")
	go func() {
		time.Sleep(300 * time.Millisecond)
		u := b.desired(o) // what GitOps applies from Git
		_, _ = raw("observe").Create(ctx, u, metav1.CreateOptions{FieldManager: "gitops"})
	}()
	t0 := time.Now()
	p, a, err := b.Put(ctx, o, backendtest.Update)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d < 250*time.Millisecond || p.Exists || !a.Exists || a.Digest != b.Digest(o) {
		t.Errorf("put returned after %v: prior %+v after %+v", d, p, a)
	}
	if mf := a.Restore.(*unstructured.Unstructured).GetManagedFields(); len(mf) != 1 || mf[0].Manager != "gitops" {
		t.Errorf("observe mode wrote: %+v", mf)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		_ = raw("observe").Delete(ctx, "o", metav1.DeleteOptions{})
	}()
	if p, err := b.Delete(ctx, o.Ref, backendtest.Delete); err != nil || !p.Exists {
		t.Fatalf("observe delete: %+v %v", p, err)
	}
	short := newBackend(t, "observe", func(c *Config) {
		c.Mode, c.ObserveTimeout, c.PollInterval = ModeObserve, 300*time.Millisecond, 20*time.Millisecond
	})
	if _, _, err := short.Put(ctx, ipns("never", "10.1.0.0/16"), backendtest.Update); err == nil || !strings.Contains(err.Error(), "within 300ms") {
		t.Errorf("want a timeout, got %v", err)
	}
	if mustGet(t, b, backend.Ref{Kind: "IPv4Namespace", Name: "never"}).Exists {
		t.Error("observe mode created the object")
	}
}

func TestAuthErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		token string
		is    func(error) bool
		msg   string
	}{{srv.DeniedToken, apierrors.IsForbidden, "authorization denied"}, {"bogus", apierrors.IsUnauthorized, "authentication failed"}} {
		b := New(Config{Host: srv.URL, CAData: string(srv.CAData), Token: tc.token})
		_, err := b.Get(ctx, backend.Ref{Kind: "VPC", Name: "x"})
		if !tc.is(err) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("get with token %q: %v", tc.token, err)
		}
		if err := b.Check(ctx); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("check with token %q: %v", tc.token, err)
		}
	}
	// The admin token through the same explicit settings works.
	if err := New(Config{Host: srv.URL, CAData: string(srv.CAData), Token: srv.AdminToken}).Check(ctx); err != nil {
		t.Error(err)
	}
}

// rateLimiter is the limiter client-go gives a REST client built from rc.
func rateLimiter(t *testing.T, rc *rest.Config) flowcontrol.RateLimiter {
	t.Helper()
	c := rest.CopyConfig(rc)
	c.GroupVersion = &schema.GroupVersion{Version: "v1"}
	c.APIPath = "/api"
	c.NegotiatedSerializer = serializer.NewCodecFactory(runtime.NewScheme()).WithoutConversion()
	client, err := rest.RESTClientFor(c)
	if err != nil {
		t.Fatal(err)
	}
	return client.GetRateLimiter()
}

func TestClientConfig(t *testing.T) {
	b := New(Config{Host: "https://127.0.0.1:1"}) // nothing listens there; New must not dial
	rc, err := b.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	// No client-side rate limiter by default: client-go builds none for a negative QPS.
	if rc.QPS >= 0 || rateLimiter(t, rc) != nil {
		t.Errorf("default QPS %v: client has a rate limiter", rc.QPS)
	}
	rc, _ = New(Config{Host: "https://x", QPS: 7, Burst: 9}).RESTConfig()
	if rc.QPS != 7 || rc.Burst != 9 {
		t.Errorf("QPS/Burst %v/%d", rc.QPS, rc.Burst)
	}
	if rl := rateLimiter(t, rc); rl == nil || rl.QPS() != 7 {
		t.Errorf("QPS 7: rate limiter %v", rl)
	}
	var be *backend.Error
	if _, err := b.Get(context.Background(), backend.Ref{Kind: "VPC", Name: "x"}); !errors.As(err, &be) {
		t.Errorf("want *backend.Error, got %v", err)
	}
	if _, err := New(Config{Kubeconfig: "{not yaml"}).RESTConfig(); err == nil {
		t.Error("bad kubeconfig accepted")
	}
	// A kubeconfig file with a client certificate and an explicit context.
	dir := t.TempDir()
	p, err := srv.WriteKubeconfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := New(Config{KubeconfigPath: p, Context: "test"}).Check(context.Background()); err != nil {
		t.Error(err)
	}
	if _, err := New(Config{KubeconfigPath: p, Context: "nope"}).RESTConfig(); err == nil {
		t.Error("unknown context accepted")
	}
	cert := fmt.Sprintf("apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: %q, certificate-authority-data: %q}}]\n"+
		"users: [{name: u, user: {client-certificate-data: %q, client-key-data: %q}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n",
		srv.URL, b64(srv.CAData), b64(srv.ClientCertData), b64(srv.ClientKeyData))
	cb := New(Config{Kubeconfig: cert, Namespace: "certs"})
	if _, _, err := cb.Put(context.Background(), ipns("viacert", "10.1.0.0/16"), backendtest.Update); err != nil {
		t.Errorf("client certificate: %v", err)
	}
}

func TestCheck(t *testing.T) {
	ctx := context.Background()
	b := newBackend(t, "check")
	if err := b.Check(ctx); err != nil {
		t.Fatal(err)
	}
	bogus := New(Config{Kubeconfig: string(srv.Kubeconfig())})
	g := bogus.gvrs["VPC"]
	g.Resource = "bogi"
	bogus.gvrs["Bogus"] = g
	if err := bogus.Check(ctx); err == nil || !strings.Contains(err.Error(), "fabric CRDs not installed for kinds: Bogus") {
		t.Errorf("missing CRD: %v", err)
	}
}

func TestCheckStoppedServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := apiserver.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b := New(Config{Kubeconfig: string(s.Kubeconfig())})
	if err := b.Check(ctx); err != nil {
		s.Stop()
		t.Fatal(err)
	}
	s.Stop()
	err = b.Check(ctx)
	if err == nil || !strings.Contains(err.Error(), "unreachable") || !strings.Contains(err.Error(), s.URL) {
		t.Errorf("want unreachable naming %s, got %v", s.URL, err)
	}
}

func TestReadFabricConfig(t *testing.T) {
	ctx := context.Background()
	b := newBackend(t, "default")
	if got, err := b.ReadFabricConfig(ctx); err != nil || got != nil {
		t.Fatalf("before: %q %v", got, err)
	}
	srv.SetConfigMap("default", FabricConfigMap, map[string]string{FabricConfigKey: "spineLeaf: true\n"})
	got, err := b.ReadFabricConfig(ctx)
	if err != nil || string(got) != "spineLeaf: true\n" {
		t.Errorf("after: %q %v", got, err)
	}
	denied := New(Config{Host: srv.URL, CAData: string(srv.CAData), Token: srv.DeniedToken})
	if _, err := denied.ReadFabricConfig(ctx); !apierrors.IsForbidden(err) {
		t.Errorf("denied: %v", err)
	}
}

func putN(b testing.TB, be *Backend, n int, gen int) {
	ctx := context.Background()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 10)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if _, _, err := be.Put(ctx, ipns(fmt.Sprintf("b-%03d", i), fmt.Sprintf("10.%d.%d.0/24", gen%200, i%256)), backendtest.Update); err != nil {
				b.Error(err)
			}
		}()
	}
	wg.Wait()
}

// BenchmarkPut500 applies 500 objects with parallelism 10 (each iteration changes every object), with the
// default client (no client-side rate limit: a Put is a GET and an apply) and with limits of 100 and 1000
// requests per second (burst twice that).
func BenchmarkPut500(b *testing.B) {
	for _, qps := range []float32{DefaultQPS, 100, 1000} {
		b.Run(fmt.Sprintf("qps-%v", qps), func(b *testing.B) {
			burst := 2 * int(qps)
			if qps < 0 {
				burst = 0
			}
			be := newBackend(b, fmt.Sprintf("bench-put-%v", qps), func(c *Config) { c.QPS, c.Burst = qps, burst })
			for i := 0; b.Loop(); i++ {
				putN(b, be, 500, i)
			}
		})
	}
}

// BenchmarkList500 lists 500 objects of one kind.
func BenchmarkList500(b *testing.B) {
	be := newBackend(b, "bench-list")
	putN(b, be, 500, 0)
	for b.Loop() {
		if m, err := be.List(context.Background(), "IPv4Namespace"); err != nil || len(m) != 500 {
			b.Fatal(len(m), err)
		}
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func TestKinds(t *testing.T) {
	b := New(Config{})
	if len(b.gvrs) != 14 || !b.Handles("VPC") || !b.Handles("Connection") || b.Handles("ConfigMap") {
		t.Errorf("kinds: %v", b.gvrs)
	}
	if g := b.gvrs["Switch"]; g.String() != "wiring.githedgehog.com/v1beta1, Resource=switches" {
		t.Errorf("Switch: %v", g)
	}
	if d := b.Describe(ipns("a", "10.0.0.0/8")); !strings.Contains(d, "server-side apply IPv4Namespace default/a") {
		t.Errorf("describe: %s", d)
	}
	if d := New(Config{Mode: ModeObserve}).Describe(ipns("a")); !strings.Contains(d, "wait") {
		t.Errorf("describe observe: %s", d)
	}
}

// An exec credential plugin supplies the token (host + CA + exec, as EKS and GKE users configure it); a token
// the server refuses surfaces as an error.
func TestExecPlugin(t *testing.T) {
	dir := t.TempDir()
	plugin := filepath.Join(dir, "cred.sh")
	script := "#!/bin/sh\nprintf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%s\"}}' \"$HH_TOKEN\"\n"
	if err := os.WriteFile(plugin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	backendWith := func(token string) *Backend {
		return New(Config{Host: srv.URL, CAData: string(srv.CAData), Namespace: "exec",
			Exec: &Exec{Command: plugin, Env: map[string]string{"HH_TOKEN": token}}})
	}
	ctx := context.Background()
	if _, _, err := backendWith(srv.AdminToken).Put(ctx, ipns("e", "10.9.0.0/16"), backendtest.Update); err != nil {
		t.Fatalf("put with the exec plugin's token: %v", err)
	}
	if _, err := backendWith("not-a-token").Get(ctx, ipns("e").Ref); err == nil {
		t.Fatal("a token the server refuses must fail")
	}
}

// tracked adds what Flux and Argo CD put on the objects they apply.
func tracked(u *unstructured.Unstructured) *unstructured.Unstructured {
	l := u.GetLabels()
	if l == nil {
		l = map[string]string{}
	}
	l["kustomize.toolkit.fluxcd.io/name"] = "fabric"
	l["kustomize.toolkit.fluxcd.io/namespace"] = "flux-system"
	l["helm.toolkit.fluxcd.io/name"] = "fabric"
	l["app.kubernetes.io/instance"] = "fabric"
	u.SetLabels(l)
	a := u.GetAnnotations()
	a["argocd.argoproj.io/tracking-id"] = "fabric:vpc.githedgehog.com/IPv4Namespace:" + u.GetNamespace() + "/" + u.GetName()
	a["argocd.argoproj.io/sync-wave"] = "1"
	a["kubectl.kubernetes.io/last-applied-configuration"] = `{"kind":"IPv4Namespace"}`
	u.SetAnnotations(a)
	return u
}

// TestObserveModeGitOpsTracking: a GitOps controller that adds its tracking labels and annotations applies
// the object; observe mode sees the fields it owns (spec, its labels and annotations) in place and stops
// waiting, and neither Get nor List reports drift. A spec the controller did not apply is still waited for.
func TestObserveModeGitOpsTracking(t *testing.T) {
	ctx := context.Background()
	b := newBackend(t, "observe-tracked", func(c *Config) {
		c.Mode, c.ObserveTimeout, c.PollInterval = ModeObserve, 20*time.Second, 20*time.Millisecond
	})
	o := withLabel(ipns("t", "10.2.0.0/16"), "team", "web")
	go func() {
		time.Sleep(200 * time.Millisecond)
		_, _ = raw("observe-tracked").Create(ctx, tracked(b.desired(o)), metav1.CreateOptions{FieldManager: "flux"})
	}()
	_, a, err := b.Put(ctx, o, backendtest.Update)
	if err != nil {
		t.Fatalf("observe put with tracking metadata: %v", err)
	}
	if a.Digest != b.Digest(o) {
		t.Errorf("digest %s, want %s", a.Digest, b.Digest(o))
	}
	if s := mustGet(t, b, o.Ref); s.Digest != b.Digest(o) {
		t.Error("Get reports drift for tracking metadata")
	}
	l, err := b.List(ctx, "IPv4Namespace")
	if err != nil || l["observe-tracked/t"].Digest != b.Digest(o) {
		t.Errorf("List reports drift for tracking metadata (%v)", err)
	}
	// Our own label still counts: a changed value is drift, and observe mode waits for it.
	if b.Digest(withLabel(ipns("t", "10.2.0.0/16"), "team", "db")) == a.Digest {
		t.Error("a change of our own label is not drift")
	}
	short := newBackend(t, "observe-tracked", func(c *Config) {
		c.Mode, c.ObserveTimeout, c.PollInterval = ModeObserve, 300*time.Millisecond, 20*time.Millisecond
	})
	if _, _, err := short.Put(ctx, withLabel(ipns("t", "10.3.0.0/16"), "team", "web"), backendtest.Update); err == nil {
		t.Error("observe mode stopped waiting although the spec differs")
	}
}

func TestDefaultObserveTimeout(t *testing.T) {
	if DefaultObserveTimeout != 5*time.Minute || New(Config{}).cfg.ObserveTimeout != 5*time.Minute {
		t.Errorf("default observe timeout %v, the docs say 5m", DefaultObserveTimeout)
	}
}

package apiserver

import (
	"context"
	"net/http"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

var vpcGVR = schema.GroupVersionResource{Group: "vpc.githedgehog.com", Version: "v1beta1", Resource: "ipv4namespaces"}

func TestServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	t.Logf("start took %v", s.StartDuration)

	// The kubeconfig goes through clientcmd like any user's.
	p, err := s.WriteKubeconfig(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", p)
	if err != nil {
		t.Fatal(err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rl, err := dc.ServerResourcesForGroupVersion("wiring.githedgehog.com/v1beta1")
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	if len(rl.APIResources) < 7 {
		t.Fatalf("wiring resources: %d", len(rl.APIResources))
	}
	if _, err := dc.ServerResourcesForGroupVersion("v1"); err != nil {
		t.Fatalf("core discovery: %v", err)
	}

	// A create right after Start must not hit the 2 s "just established" sleep.
	dyn := dynamic.NewForConfigOrDie(cfg)
	obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "vpc.githedgehog.com/v1beta1", "kind": "IPv4Namespace",
		"metadata": map[string]any{"name": "a", "namespace": "default"}, "spec": map[string]any{"subnets": []any{"10.0.0.0/16"}}}}
	t0 := time.Now()
	if _, err := dyn.Resource(vpcGVR).Namespace("default").Create(ctx, obj, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d > time.Second {
		t.Errorf("create took %v", d)
	}
	// Schema validation is real.
	bad := obj.DeepCopy()
	bad.SetName("b")
	bad.Object["spec"] = map[string]any{"subnets": []any{}}
	if _, err := dyn.Resource(vpcGVR).Namespace("default").Create(ctx, bad, metav1.CreateOptions{}); !apierrors.IsInvalid(err) {
		t.Errorf("want 422, got %v", err)
	}

	// Tokens: denied → 403, unknown → 401; client certificates authenticate.
	for tok, want := range map[string]func(error) bool{s.DeniedToken: apierrors.IsForbidden, "nope": apierrors.IsUnauthorized} {
		c := rest.CopyConfig(cfg)
		c.BearerToken = tok
		_, err := dynamic.NewForConfigOrDie(c).Resource(vpcGVR).Namespace("default").List(ctx, metav1.ListOptions{})
		if !want(err) {
			t.Errorf("token %q: got %v", tok, err)
		}
		_, err = dynamic.NewForConfigOrDie(c).Resource(cmGVR).Namespace("default").List(ctx, metav1.ListOptions{})
		if !want(err) {
			t.Errorf("configmaps, token %q: got %v", tok, err)
		}
	}
	cc := &rest.Config{Host: s.URL, TLSClientConfig: rest.TLSClientConfig{CAData: s.CAData, CertData: s.ClientCertData, KeyData: s.ClientKeyData}}
	if l, err := dynamic.NewForConfigOrDie(cc).Resource(vpcGVR).Namespace("default").List(ctx, metav1.ListOptions{}); err != nil || len(l.Items) != 1 {
		t.Errorf("client cert list: %v", err)
	}
	cc.Host = s.APIServerURL
	if _, err := dynamic.NewForConfigOrDie(cc).Resource(vpcGVR).Namespace("default").List(ctx, metav1.ListOptions{}); err != nil {
		t.Errorf("client cert list, direct: %v", err)
	}

	// Core ConfigMaps from memory.
	cms := dyn.Resource(cmGVR).Namespace("default")
	if _, err := cms.Get(ctx, "fabric-ctrl-config", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("want not found, got %v", err)
	}
	s.SetConfigMap("default", "fabric-ctrl-config", map[string]string{"config.yaml": "a: 1\n"})
	got, err := cms.Get(ctx, "fabric-ctrl-config", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v, _, _ := unstructured.NestedString(got.Object, "data", "config.yaml"); v != "a: 1\n" {
		t.Errorf("data: %q", v)
	}
	got.Object["data"] = map[string]any{"config.yaml": "a: 2\n"}
	upd, err := cms.Update(ctx, got, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if upd.GetResourceVersion() == got.GetResourceVersion() || upd.GetUID() != got.GetUID() {
		t.Errorf("update: rv %s uid %s", upd.GetResourceVersion(), upd.GetUID())
	}
	if _, err := cms.Update(ctx, got, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Errorf("stale update: %v", err)
	}
	l, err := cms.List(ctx, metav1.ListOptions{})
	if err != nil || len(l.Items) != 1 {
		t.Fatalf("list: %v %v", l, err)
	}

	// Stop really stops it.
	s.Stop()
	hc, _ := rest.HTTPClientFor(cfg)
	if resp, err := hc.Get(s.URL + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("server still answers after Stop")
		}
	}
}

var cmGVR = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

// TestParallel runs two servers in one process.
func TestParallel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	errs := make(chan error, 2)
	servers := make(chan *Server, 2)
	for range 2 {
		go func() {
			s, err := Start(ctx)
			errs <- err
			servers <- s
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		s := <-servers
		defer s.Stop()
		t.Logf("parallel start took %v", s.StartDuration)
		dyn := dynamic.NewForConfigOrDie(s.RESTConfig())
		if _, err := dyn.Resource(vpcGVR).Namespace("default").List(ctx, metav1.ListOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	gitbackend "github.com/githedgehog/terraform-provider-hedgehog/internal/backend/git"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/gitserver"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// adoptionFabric is a small fabric made without Terraform: every reference is a name.
const adoptionFabric = `
apiVersion: vpc.githedgehog.com/v1beta1
kind: IPv4Namespace
metadata: {name: ad-ip}
spec: {subnets: [10.85.0.0/16]}
---
apiVersion: wiring.githedgehog.com/v1beta1
kind: VLANNamespace
metadata: {name: ad-vl}
spec: {ranges: [{from: 1850, to: 1859}]}
---
apiVersion: wiring.githedgehog.com/v1beta1
kind: Switch
metadata: {name: ad-leaf}
spec: {role: server-leaf, profile: accad-vs, asn: 65185, ip: 172.30.1.185/21, protocolIP: 172.30.9.185/32, vtepIP: 172.30.13.185/32, vlanNamespaces: [ad-vl]}
---
apiVersion: wiring.githedgehog.com/v1beta1
kind: Server
metadata: {name: ad-srv}
spec: {description: made by hand}
---
apiVersion: wiring.githedgehog.com/v1beta1
kind: Connection
metadata: {name: ad-srv--unbundled--ad-leaf}
spec: {unbundled: {link: {server: {port: ad-srv/enp2s1}, switch: {port: ad-leaf/E1/9}}}}
---
apiVersion: vpc.githedgehog.com/v1beta1
kind: VPC
metadata: {name: ad-vpc}
spec: {ipv4Namespace: ad-ip, vlanNamespace: ad-vl, subnets: {default: {subnet: 10.85.1.0/24, vlan: 1851}}}
---
apiVersion: vpc.githedgehog.com/v1beta1
kind: VPCAttachment
metadata: {name: ad-att}
spec: {subnet: ad-vpc/default, connection: ad-srv--unbundled--ad-leaf}
`

// loadByHand puts objects into the cluster as the fabric would hold them (defaulted), without any mark of
// this provider, each labelled label=value.
func loadByHand(t *testing.T, yaml, label, value string) {
	t.Helper()
	createDefaulted(t, dyn(t), yaml, func(md map[string]any) { md["labels"] = map[string]any{label: value} })
}

// createDefaulted creates the objects of yaml in the cluster of c, namespace default, as the fabric would hold
// them (defaulted), with their metadata as written (edit, when set, changes it first).
func createDefaulted(t *testing.T, c dynamic.Interface, yaml string, edit func(md map[string]any)) {
	t.Helper()
	objs, err := fabric.Decode([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		fabric.Default(o)
		m, err := fabric.ToUnstructured(o)
		if err != nil {
			t.Fatal(err)
		}
		delete(m, "status")
		md := m["metadata"].(map[string]any)
		md["namespace"] = "default"
		if edit != nil {
			edit(md)
		}
		u := &unstructured.Unstructured{Object: m}
		if _, err := c.Resource(gvr(o.GetKind())).Namespace("default").Create(context.Background(), u, metav1.CreateOptions{FieldManager: "kubectl-create"}); err != nil {
			t.Fatalf("%s %s: %v", o.GetKind(), o.Meta().Name, err)
		}
	}
}

// TestAccAdoption_RunningFabric: a fabric made with kubectl is adopted. The data source generates an import
// block and a resource block per object, with references as expressions; with that configuration the plan
// is only imports (nothing to add, change or destroy), the apply adopts every object, the next plan is
// empty, and destroy removes them.
func TestAccAdoption_RunningFabric(t *testing.T) {
	accPreCheck(t)
	createSwitchProfile(t, "accad-vs")
	// Terraform imports and destroys unrelated resources in any order: the whole workflow runs ten times.
	for i := 0; i < fidelityRuns; i++ {
		adoptOnce(t, i)
	}
}

func adoptOnce(t *testing.T, run int) {
	t.Helper()
	loadByHand(t, adoptionFabric, "adopt-test", "ad1")
	prov := stk.ProviderHCL(stack.Backends{Kubernetes: true})
	w := newWorkdir(t, fmt.Sprintf("w%d", run))
	w.write(prov + `
data "hedgehog_adoption" "fabric" {
  labels = { "adopt-test" = "ad1" }
}

output "hcl" {
  value = data.hedgehog_adoption.fabric.hcl
}

output "count" {
  value = data.hedgehog_adoption.fabric.object_count
}
`)
	w.must("apply", "-auto-approve", "-no-color")
	if n := strings.TrimSpace(w.must("output", "-raw", "count")); n != "7" {
		t.Fatalf("adopted %s objects, want 7", n)
	}
	hcl := w.must("output", "-raw", "hcl")
	for _, want := range []string{
		`import {` + "\n" + `  to = hedgehog_vpc.ad-vpc`,
		`subnet = "${hedgehog_vpc.ad-vpc.name}/default"`,
		`connection_name = hedgehog_connection.ad-srv--unbundled--ad-leaf.name`,
		`ipv4_namespace = hedgehog_ipv4_namespace.ad-ip.name`,
		`port = "${hedgehog_switch.ad-leaf.name}/E1/9"`,
		`hedgehog_vlan_namespace.ad-vl.name,`,
	} {
		if !strings.Contains(hcl, want) {
			t.Errorf("the generated configuration lacks %q:\n%s", want, hcl)
		}
	}
	w.write(prov)
	if err := os.WriteFile(filepath.Join(w.dir, "adopted.tf"), []byte(hcl), 0o644); err != nil {
		t.Fatal(err)
	}
	defer w.run(nil, "destroy", "-auto-approve", "-no-color") //nolint:errcheck // cleanup
	plan := w.must("plan", "-no-color")
	if !strings.Contains(plan, "Plan: 7 to import, 0 to add, 0 to change, 0 to destroy.") {
		t.Fatalf("the adoption plan is not only imports:\n%s", plan)
	}
	w.must("apply", "-auto-approve", "-no-color")
	if out, err := w.run(nil, "plan", "-detailed-exitcode", "-no-color"); err != nil {
		t.Fatalf("the plan after the adoption is not empty: %v\n%s", err, out)
	}
	// Adopted as they are: the objects get this provider's mark with their first update, and until then the
	// state's checkpoints (the cluster uid) make them this state's (the destroy below removes them).
	w.must("destroy", "-auto-approve", "-no-color")
	if kubeGet(t, fabric.KindVPC, "ad-vpc") != nil {
		t.Error("destroy left the adopted VPC")
	}
}

// TestAccAdoption_SampleFabric: the 184-object sample fabric (internal/fabric/testdata/samples), loaded by
// hand into a cluster and a Git repository of their own (a stack of its own, so that no other test's
// objects share the fabric), is adopted with a plan of only imports; the apply records all 184 and the next
// plan is empty.
func TestAccAdoption_SampleFabric(t *testing.T) {
	accPreCheck(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s2, err := stack.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	url, dir, err := s2.NewRepo("adopt")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("..", "fabric", "testdata", "samples", "nvidia-air-demo--include.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := fabric.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	client, err := dynamic.NewForConfig(s2.API.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	// The fabric's configuration, as hhfab leaves it in the cluster (the sample's management subnet).
	fc, err := os.ReadFile(filepath.Join("..", "cascade", "testdata", "fabric-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cm := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "fabric-ctrl-config", "namespace": "default"},
		"data":     map[string]any{"config.yaml": string(fc)}}}
	if _, err := client.Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).Namespace("default").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	layout := gitbackend.New(gitbackend.Config{URL: url})
	files := map[string][]byte{}
	for _, o := range objs {
		fabric.Default(o)
		m, err := fabric.ToUnstructured(o)
		if err != nil {
			t.Fatal(err)
		}
		delete(m, "status")
		m["metadata"].(map[string]any)["namespace"] = "default"
		if _, err := client.Resource(gvr(o.GetKind())).Namespace("default").Create(ctx, &unstructured.Unstructured{Object: m}, metav1.CreateOptions{FieldManager: "hhfab"}); err != nil {
			t.Fatalf("%s %s: %v", o.GetKind(), o.Meta().Name, err)
		}
		ref := backend.Ref{Kind: o.GetKind(), Namespace: "default", Name: o.Meta().Name}
		p, err := layout.Path(ref)
		if err != nil {
			t.Fatal(err)
		}
		if files[p], err = backend.YAML(backend.Object{Ref: ref, APIVersion: fmt.Sprint(m["apiVersion"]), Manifest: m}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := gitserver.CommitFiles(dir, "main", files, "the fabric, by hand"); err != nil {
		t.Fatal(err)
	}
	prov := s2.ProviderHCL(stack.Backends{Kubernetes: true, Git: true, GitURL: url})
	w := newWorkdir(t, "w")
	w.write(prov + `
data "hedgehog_adoption" "fabric" {}

output "hcl" {
  value = data.hedgehog_adoption.fabric.hcl
}
`)
	w.must("apply", "-auto-approve", "-no-color")
	hcl := w.must("output", "-raw", "hcl")
	w.write(prov)
	if err := os.WriteFile(filepath.Join(w.dir, "adopted.tf"), []byte(hcl), 0o644); err != nil {
		t.Fatal(err)
	}
	plan := w.must("plan", "-no-color")
	if want := fmt.Sprintf("Plan: %d to import, 0 to add, 0 to change, 0 to destroy.", len(objs)); !strings.Contains(plan, want) {
		t.Fatalf("want %q:\n%s", want, tail(plan, 80))
	}
	w.must("apply", "-auto-approve", "-no-color")
	if n := strings.Count(w.must("state", "list"), "\n"); n != len(objs) {
		t.Errorf("state holds %d resources, want %d", n, len(objs))
	}
	if out, err := w.run(nil, "plan", "-detailed-exitcode", "-no-color"); err != nil {
		t.Fatalf("the plan after the adoption is not empty: %v\n%s", err, tail(out, 80))
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

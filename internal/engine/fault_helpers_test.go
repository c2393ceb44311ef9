package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/git"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/kube"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/netbox"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/gitserver"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// The one stack of this package's tests, started in TestMain.
var (
	tstack *stack.Stack
	tdyn   dynamic.Interface
	tnb    *netbox.Backend
	tkube  *kube.Backend
)

// vpcGVR is the cluster resource of VPCs.
var vpcGVR = func() schema.GroupVersionResource {
	ki, _ := fabric.LookupKind("VPC")
	return schema.GroupVersionResource{Group: ki.Group, Version: ki.Version, Resource: ki.Plural}
}()

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	s, err := stack.Start(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start stack:", err)
		os.Exit(1)
	}
	tstack = s
	code := func() int {
		defer s.Close()
		if tdyn, err = dynamic.NewForConfig(s.API.RESTConfig()); err != nil {
			fmt.Fprintln(os.Stderr, "dynamic client:", err)
			return 1
		}
		tnb = netbox.New(netbox.Config{ServerURL: s.NetBoxURL, APIToken: s.NetBoxToken})
		tkube = kube.New(kube.Config{KubeconfigPath: s.Kubeconfig})
		// Create NetBox's ownership tag and custom field up front, so that the first case's snapshot
		// already renders the custom field on every record.
		cctx, ccancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer ccancel()
		if err := tnb.Check(cctx); err != nil {
			fmt.Fprintln(os.Stderr, "netbox check:", err)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// repo is a fresh Git repository on the stack's server and a backend writing to it.
type repo struct {
	url, dir string
	b        *git.Backend
}

func newRepo(t *testing.T, prefix string) repo {
	t.Helper()
	url, dir, err := tstack.NewRepo(prefix)
	if err != nil {
		t.Fatalf("new repo: %v", err)
	}
	return repo{url: url, dir: dir, b: git.New(git.Config{URL: url, Username: tstack.Git.Username, Password: tstack.Git.Password})}
}

func engineOf(bs ...backend.Backend) *Engine { return New(Options{Backends: bs}) }

// vpcSpec is a VPC spec with the given subnets: name → (cidr, vlan).
type sub struct {
	cidr string
	vlan int
}

func vpcSpec(subs map[string]sub) map[string]any {
	m := map[string]any{}
	for n, s := range subs {
		m[n] = map[string]any{"subnet": s.cidr, "vlan": s.vlan}
	}
	return map[string]any{"subnets": m}
}

func render(t *testing.T, e *Engine, name string, spec map[string]any) *Desired {
	t.Helper()
	d, ds := e.Render("VPC", Meta{Name: name, Labels: map[string]string{"team": "fault-" + name}}, spec)
	if ds.HasError() {
		t.Fatalf("render %s: %v", name, ds)
	}
	return d
}

// deepCopyManifest returns a deep copy of d with an independent manifest (to inject bad content).
func withManifest(d *Desired, mutate func(m map[string]any)) *Desired {
	c := *d
	raw, _ := json.Marshal(d.Object.Manifest)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	mutate(m)
	c.Object.Manifest = m
	c.Spec, _ = m["spec"].(map[string]any)
	return &c
}

// --- checkpoints -------------------------------------------------------------------------------------

// checkpoint is what every backend holds: the cluster's VPCs (spec, labels, annotations by name), every
// file of the case's repository at the branch head, and every NetBox IPAM record (normalized).
type checkpoint struct {
	Kube   map[string]map[string]any
	Git    map[string]string
	NetBox map[string][]string
}

var netboxModels = []string{"ipam.vrf", "ipam.prefix", "ipam.vlan", "ipam.vlangroup"}

func takeCheckpoint(t *testing.T, r repo) checkpoint {
	t.Helper()
	ctx := context.Background()
	cp := checkpoint{Kube: map[string]map[string]any{}, Git: map[string]string{}, NetBox: map[string][]string{}}
	l, err := tdyn.Resource(vpcGVR).Namespace("default").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("list VPCs: %v", err)
	}
	for _, u := range l.Items {
		cp.Kube[u.GetName()] = kubeProjection(&u)
	}
	if r.dir != "" {
		files, err := gitserver.ListFiles(r.dir, "main", "")
		if err != nil {
			t.Fatalf("list git files: %v", err)
		}
		for _, f := range files {
			c, found, err := gitserver.ReadFile(r.dir, "main", f)
			if err != nil || !found {
				t.Fatalf("read %s: found=%v err=%v", f, found, err)
			}
			cp.Git[f] = string(c)
		}
	}
	for _, m := range netboxModels {
		var recs []string
		for _, o := range tstack.NetBox.Objects(m) {
			b, err := json.Marshal(normalize(o))
			if err != nil {
				t.Fatalf("marshal %s record: %v", m, err)
			}
			recs = append(recs, string(b))
		}
		sort.Strings(recs)
		cp.NetBox[m] = recs
	}
	return cp
}

func kubeProjection(u *unstructured.Unstructured) map[string]any {
	return map[string]any{"spec": u.Object["spec"], "labels": u.GetLabels(), "annotations": u.GetAnnotations()}
}

// normalize drops what a re-created record legitimately changes (ids, urls, timestamps), also inside
// nested (brief) objects, so that references compare by what they point at (VRF name, VLAN vid and name).
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			switch k {
			case "id", "url", "display_url", "display", "created", "last_updated":
				continue
			}
			out[k] = normalize(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	}
	return v
}

// assertAtCheckpoint fails t when any backend differs from want.
func assertAtCheckpoint(t *testing.T, r repo, want checkpoint) {
	t.Helper()
	for _, d := range checkpointDiff(t, r, want) {
		t.Error(d)
	}
}

// checkpointDiff lists how the backends differ from want, one entry per difference, each starting with
// the backend's name.
func checkpointDiff(t *testing.T, r repo, want checkpoint) []string {
	t.Helper()
	var diffs []string
	got := takeCheckpoint(t, r)
	for name, w := range want.Kube {
		g, ok := got.Kube[name]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("kubernetes: VPC %s is gone, want it back as %v", name, w))
		} else if !reflect.DeepEqual(jsonRound(g), jsonRound(w)) {
			diffs = append(diffs, fmt.Sprintf("kubernetes: VPC %s differs from the checkpoint:\n got %v\nwant %v", name, jsonRound(g), jsonRound(w)))
		}
	}
	for name := range got.Kube {
		if _, ok := want.Kube[name]; !ok {
			diffs = append(diffs, fmt.Sprintf("kubernetes: VPC %s exists, the checkpoint had none", name))
		}
	}
	if !reflect.DeepEqual(got.Git, want.Git) {
		diffs = append(diffs, fmt.Sprintf("git: files at the branch head differ from the checkpoint:\n got %s\nwant %s", keysAndDiff(got.Git, want.Git), keysOf(want.Git)))
	}
	for _, m := range netboxModels {
		if !reflect.DeepEqual(got.NetBox[m], want.NetBox[m]) {
			diffs = append(diffs, fmt.Sprintf("netbox: %s records differ from the checkpoint:\n got %s\nwant %s", m,
				strings.Join(got.NetBox[m], "\n     "), strings.Join(want.NetBox[m], "\n     ")))
		}
	}
	return diffs
}

// noUndo is a backend whose compensation does nothing and reports success: the saga then calls the
// rollback clean, and only the checkpoint comparison can tell.
type noUndo struct{ backend.Backend }

func (noUndo) Restore(context.Context, backend.Ref, backend.State) error { return nil }

func jsonRound(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func keysOf(m map[string]string) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return fmt.Sprint(ks)
}

func keysAndDiff(got, want map[string]string) string {
	var out []string
	for k, v := range got {
		if w, ok := want[k]; !ok || w != v {
			out = append(out, fmt.Sprintf("%s (changed or new):\n%s", k, v))
		}
	}
	sort.Strings(out)
	return keysOf(got) + "\n" + strings.Join(out, "\n")
}

// --- cluster fixtures ---------------------------------------------------------------------------------

// applyAs server-side applies a VPC with another field manager (force), as someone else's tool would.
func applyAs(t *testing.T, manager, name string, annotations map[string]any, spec map[string]any) {
	t.Helper()
	ki, _ := fabric.LookupKind("VPC")
	md := map[string]any{"name": name, "namespace": "default"}
	if annotations != nil {
		md["annotations"] = annotations
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": ki.APIVersion(), "kind": "VPC", "metadata": md, "spec": spec}}
	data, err := u.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	force := true
	if _, err := tdyn.Resource(vpcGVR).Namespace("default").Patch(context.Background(), name,
		"application/apply-patch+yaml", data, metav1.PatchOptions{FieldManager: manager, Force: &force}); err != nil {
		t.Fatalf("apply VPC %s as %s: %v", name, manager, err)
	}
}

func clusterVPC(t *testing.T, name string) *unstructured.Unstructured {
	t.Helper()
	u, err := tdyn.Resource(vpcGVR).Namespace("default").Get(context.Background(), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		t.Fatalf("get VPC %s: %v", name, err)
	}
	return u
}

// netboxRecordsOf returns the NetBox records of model whose ownership mark belongs to the VPC.
func netboxRecordsOf(model, vpc string) []map[string]any {
	var out []map[string]any
	for _, o := range tstack.NetBox.Objects(model) {
		cf, _ := o["custom_fields"].(map[string]any)
		if mark, _ := cf["hedgehog_object"].(string); strings.HasPrefix(mark, "VPC/default/"+vpc+"#") {
			out = append(out, o)
		}
	}
	return out
}

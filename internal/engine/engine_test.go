package engine

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/kube"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// named is a minimal backend for ordering tests: only Name and Observes matter.
type named struct {
	backend.Backend
	name     string
	observes bool
}

func (n named) Name() string   { return n.name }
func (n named) Observes() bool { return n.observes }

func names(bs []backend.Backend) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Name())
	}
	return out
}

func TestDeleteOrder(t *testing.T) {
	nb, git := named{name: backend.NetBox}, named{name: backend.Git}
	apply, observe := named{name: backend.Kubernetes}, named{name: backend.Kubernetes, observes: true}
	cases := []struct {
		in   []backend.Backend
		want []string
	}{
		{[]backend.Backend{nb, git, apply}, []string{"kubernetes", "git", "netbox"}},
		// observe mode: the cluster object disappears only after its file left Git
		{[]backend.Backend{nb, git, observe}, []string{"git", "kubernetes", "netbox"}},
		{[]backend.Backend{git, observe}, []string{"git", "kubernetes"}},
		{[]backend.Backend{observe}, []string{"kubernetes"}},
	}
	for _, c := range cases {
		if got := names(deleteOrder(c.in)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("deleteOrder(%v) = %v, want %v", names(c.in), got, c.want)
		}
	}
}

func TestNewOrdersBackendsForTheSaga(t *testing.T) {
	e := New(Options{Backends: []backend.Backend{named{name: backend.Kubernetes}, named{name: backend.NetBox}, named{name: backend.Git}}})
	if got := names(e.Backends()); !reflect.DeepEqual(got, []string{"netbox", "git", "kubernetes"}) {
		t.Fatalf("saga order %v", got)
	}
	if e.Source().Name() != backend.Kubernetes {
		t.Fatalf("source %s", e.Source().Name())
	}
}

// TestViewFallsBackToGit: when the cluster cannot be read, the fabric view is read from Git, and the note
// says which source was used.
func TestViewFallsBackToGit(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t, "fview")
	seed := engineOf(r.b)
	if _, err := seed.Apply(ctx, render(t, seed, "fview-a", vpcSpec(map[string]sub{"default": {"10.113.1.0/24", 2301}})), createW); err != nil {
		t.Fatal(err)
	}
	e := engineOf(r.b, kube.New(kube.Config{Host: "https://127.0.0.1:1"}))
	v, note := e.View(ctx)
	if !strings.Contains(note, "reading the fabric from kubernetes failed") || !strings.Contains(note, "objects in git instead") {
		t.Errorf("note %q", note)
	}
	if v.Get(fabric.KindVPC, "fview-a") == nil {
		t.Error("the view read from Git lacks the VPC")
	}
	st, from, _, err := e.GetWhole(ctx, backend.Ref{Kind: fabric.KindVPC, Namespace: "default", Name: "fview-a"})
	if err != nil || !st.Exists || from != backend.Git {
		t.Errorf("import source: %v %q %v", st.Exists, from, err)
	}
}

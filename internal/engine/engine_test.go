package engine

import (
	"reflect"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
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

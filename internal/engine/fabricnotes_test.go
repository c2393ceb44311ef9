package engine

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// listing is a backend that only lists: a fixed manifest per kind and name.
type listing struct {
	backend.Backend
	objs map[string]map[string]map[string]any // kind → name → manifest
}

func (l listing) Name() string                   { return backend.Git }
func (l listing) Handles(string) bool            { return true }
func (l listing) Observes() bool                 { return false }
func (l listing) Check(context.Context) error    { return nil }
func (l listing) Digest(backend.Object) string   { return "" }
func (l listing) Describe(backend.Object) string { return "" }
func (l listing) List(_ context.Context, kind string) (map[string]backend.State, error) {
	out := map[string]backend.State{}
	for name, m := range l.objs[kind] {
		out[name] = backend.State{Exists: true, Object: &backend.Object{Manifest: m}}
	}
	return out, nil
}

func manifest(kind, name string, spec map[string]any) map[string]any {
	return map[string]any{"apiVersion": "vpc.githedgehog.com/v1beta1", "kind": kind,
		"metadata": map[string]any{"name": name, "namespace": "default"}, "spec": spec}
}

// TestViewNamesUndecodableObjects: an object of the fabric that does not decode is named (kind, name and
// the error) in a warning ValidatePlan returns once per run, and the objects that decode are in the view.
func TestViewNamesUndecodableObjects(t *testing.T) {
	ctx := context.Background()
	src := listing{objs: map[string]map[string]map[string]any{
		fabric.KindIPv4Namespace: {
			"good": manifest(fabric.KindIPv4Namespace, "good", map[string]any{"subnets": []any{"10.0.0.0/16"}}),
			"bad":  manifest(fabric.KindIPv4Namespace, "bad", map[string]any{"subnets": "not-a-list"}),
		},
	}}
	e := engineOf(src)
	d := render(t, e, "notes-a", vpcSpec(map[string]sub{"default": {"10.0.1.0/24", 1001}}))
	notes := e.ValidatePlan(ctx, d, nil).Notes
	var found string
	for _, n := range notes {
		if strings.Contains(n, "do not decode") {
			found = n
		}
	}
	if found == "" || !strings.Contains(found, `IPv4Namespace "bad"`) || !strings.Contains(found, "git") {
		t.Fatalf("no warning naming the undecodable object: %q", notes)
	}
	if strings.Contains(found, `"good"`) {
		t.Errorf("the warning names an object that decodes: %q", found)
	}
	v, _ := e.View(ctx)
	if v.Get(fabric.KindIPv4Namespace, "good") == nil {
		t.Error("the object that decodes is missing from the view")
	}
	again := e.ValidatePlan(ctx, render(t, e, "notes-b", vpcSpec(map[string]sub{"default": {"10.0.2.0/24", 1002}})), nil).Notes
	for _, n := range again {
		if strings.Contains(n, "do not decode") {
			t.Errorf("the warning is repeated: %q", n)
		}
	}
}

// TestFabricConfigReadFailureWarns: a fabric configuration that cannot be read (or parsed) is a warning
// naming the error and the defaults used, once per run; a cluster without the ConfigMap is not.
func TestFabricConfigReadFailureWarns(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		reader func(context.Context) ([]byte, error)
		want   string
	}{
		{"read error", func(context.Context) ([]byte, error) { return nil, errors.New("forbidden") }, "forbidden"},
		{"parse error", func(context.Context) ([]byte, error) { return []byte("fabricMTU: 9100\nspineASN: nope\n"), nil }, "fabric config"},
		{"absent", func(context.Context) ([]byte, error) { return nil, nil }, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := New(Options{ConfigReader: c.reader})
			d := render(t, e, "cfg-a", vpcSpec(map[string]sub{"default": {"10.0.1.0/24", 1001}}))
			notes := e.ValidatePlan(ctx, d, nil).Notes
			var found string
			for _, n := range notes {
				if strings.Contains(n, "fabric configuration") {
					found = n
				}
			}
			if c.want == "" {
				if found != "" {
					t.Fatalf("warning for an absent ConfigMap: %q", found)
				}
				return
			}
			if !strings.Contains(found, c.want) || !strings.Contains(found, "fabricMTU 9100") || !strings.Contains(found, "vpcIRBVLANRange 3000-3899") {
				t.Fatalf("warning %q lacks the error or the defaults used", found)
			}
			again := e.ValidatePlan(ctx, render(t, e, "cfg-b", vpcSpec(map[string]sub{"default": {"10.0.2.0/24", 1002}})), nil).Notes
			for _, n := range again {
				if strings.Contains(n, "fabric configuration") {
					t.Errorf("repeated: %q", n)
				}
			}
		})
	}
}

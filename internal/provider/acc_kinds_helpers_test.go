package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/terraform"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// kindObj names one fabric object a test creates (or must not create).
type kindObj struct{ kind, name string }

// createSwitchProfile puts a copy of the built-in "vs" SwitchProfile (ports E1/1–E1/48) into the cluster
// under name: the provider does not manage SwitchProfiles, and the cascade looks switch profiles up in the
// cluster. The profile is removed when the test ends.
func createSwitchProfile(t *testing.T, name string) {
	t.Helper()
	var vs fabric.Object
	for _, p := range cascade.BuiltinSwitchProfiles() {
		if p.Meta().Name == "vs" {
			vs = p
		}
	}
	if vs == nil {
		t.Fatal("the built-in switch profile catalog has no \"vs\"")
	}
	vs.Meta().Name = name
	m, err := fabric.ToUnstructured(vs)
	if err != nil {
		t.Fatal(err)
	}
	delete(m, "status")
	res := dyn(t).Resource(gvr(fabric.KindSwitchProfile)).Namespace("default")
	ctx := context.Background()
	if err := res.Delete(ctx, name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	if _, err := res.Create(ctx, &unstructured.Unstructured{Object: m}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating SwitchProfile %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := res.Delete(context.Background(), name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting SwitchProfile %s: %v", name, err)
		}
	})
}

// absentFromClusterAndGit fails when any of the objects is in the cluster or (when r is set) in Git.
func absentFromClusterAndGit(t *testing.T, r *repo, objs []kindObj) error {
	t.Helper()
	for _, o := range objs {
		if kubeGet(t, o.kind, o.name) != nil {
			return fmt.Errorf("%s %s is in the cluster", o.kind, o.name)
		}
		if r != nil && gitFile(t, *r, o.kind, o.name) != nil {
			return fmt.Errorf("%s %s is in Git", o.kind, o.name)
		}
	}
	return nil
}

// presentInClusterAndGit is a Check: every object is in the cluster and in Git, owned by the provider.
func presentInClusterAndGit(t *testing.T, r repo, objs []kindObj) func(*terraform.State) error {
	return func(*terraform.State) error {
		for _, o := range objs {
			u := kubeGet(t, o.kind, o.name)
			if u == nil {
				return fmt.Errorf("%s %s is not in the cluster", o.kind, o.name)
			}
			if u.GetAnnotations()[backend.OwnerAnnotation] == "" {
				return fmt.Errorf("%s %s in the cluster lacks the ownership annotation: %v", o.kind, o.name, u.GetAnnotations())
			}
			if gitFile(t, r, o.kind, o.name) == nil {
				return fmt.Errorf("%s %s is not in Git", o.kind, o.name)
			}
		}
		return nil
	}
}

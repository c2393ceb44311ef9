package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// moduleKit copies examples/modules into the work directory of w and returns w pointed at module name; the
// provider is configured from the environment (the cluster and a Git repository of the local backends).
func moduleKit(t *testing.T, name string) *workdir {
	t.Helper()
	w := newWorkdir(t, "kit")
	src := filepath.Join("..", "..", "examples", "modules")
	if err := os.CopyFS(w.dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	r := newRepo(t)
	w.env = append(w.env, "KUBE_CONFIG_PATH="+stk.Kubeconfig, "HEDGEHOG_GIT_URL="+r.url,
		"HEDGEHOG_GIT_USERNAME="+stk.Git.Username, "HEDGEHOG_GIT_PASSWORD="+stk.Git.Password, "TF_VAR_profile=accm-vs")
	w.dir = filepath.Join(w.dir, name)
	return w
}

// TestAccModules: the module kits' own `terraform test` files pass against the local backends, and the root
// example that composes them applies, plans empty and destroys.
func TestAccModules(t *testing.T) {
	accPreCheck(t)
	createSwitchProfile(t, "accm-vs")
	loadByHand(t, "apiVersion: wiring.githedgehog.com/v1beta1\nkind: VLANNamespace\nmetadata: {name: accm-vl}\nspec: {ranges: [{from: 1870, to: 1879}]}\n", "module-test", "kits")
	for _, kit := range []string{"tenant", "rack"} {
		t.Run(kit, func(t *testing.T) {
			w := moduleKit(t, kit)
			out := w.must("test", "-no-color")
			if !strings.Contains(out, "0 failed") {
				t.Fatalf("terraform test:\n%s", out)
			}
		})
	}
	t.Run("example", func(t *testing.T) {
		w := moduleKit(t, "example")
		w.must("get", "-no-color") // installs the local modules (init would look the provider up in the registry)
		w.must("apply", "-auto-approve", "-no-color")
		defer w.run(nil, "destroy", "-auto-approve", "-no-color") //nolint:errcheck // cleanup on failure
		if kubeGet(t, fabric.KindVPCAttachment, "ex-web--default--ex-srv2--eslag--ex-rack") == nil {
			t.Error("the example's ESLAG attachment is not in the cluster")
		}
		if out, err := w.run(nil, "plan", "-detailed-exitcode", "-no-color"); err != nil {
			t.Fatalf("the plan after the example's apply is not empty: %v\n%s", err, out)
		}
		w.must("destroy", "-auto-approve", "-no-color")
	})
}

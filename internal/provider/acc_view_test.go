package provider

import (
	"strings"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/gitserver"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// TestAccView_UndecodableObjectWarns: a fabric object in Git that does not decode is named in a plan
// warning (kind, name and the error), once, instead of silently missing from the cross-resource checks.
func TestAccView_UndecodableObjectWarns(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	bad := "apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPC\nmetadata:\n  name: uv-broken\n  namespace: default\nspec:\n  subnets: not-a-map\n"
	if _, err := gitserver.CommitFile(r.dir, "main", "fabric/vpc/uv-broken.yaml", []byte(bad), "a hand-written object that does not decode"); err != nil {
		t.Fatal(err)
	}
	prov := stk.ProviderHCL(stack.Backends{Git: true, GitURL: r.url})
	w := newWorkdir(t, "w")
	w.write(prov + `
resource "hedgehog_ipv4_namespace" "a" {
  name    = "uv-ip-a"
  subnets = ["10.192.0.0/16"]
}

resource "hedgehog_ipv4_namespace" "b" {
  name    = "uv-ip-b"
  subnets = ["10.193.0.0/16"]
}
`)
	out := strings.Join(strings.Fields(w.must("plan", "-no-color")), " ")
	for _, want := range []string{"Validation was limited", "do not decode as fabric objects", `VPC "uv-broken"`} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, `VPC "uv-broken"`); n != 1 {
		t.Errorf("the warning appears %d times, want once per run:\n%s", n, out)
	}
}

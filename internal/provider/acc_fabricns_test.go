package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// TestAccNamespace_DefaultOnly: the fabric keeps its objects in namespace default only (DECISIONS.md), so
// another namespace is refused where it is named — the provider's kubernetes.namespace, a resource's
// namespace, an import ID — instead of writing to one namespace and listing another; an object in default
// is created, refreshed and imported against the real API server.
func TestAccNamespace_DefaultOnly(t *testing.T) {
	accPreCheck(t)
	b := stack.Backends{Kubernetes: true}
	prov := stk.ProviderHCL(b)
	other := stk.ProviderHCL(stack.Backends{Kubernetes: true, Extra: ""})
	other = regexp.MustCompile(`mode            = "apply"`).ReplaceAllString(other, "mode = \"apply\"\n    namespace = \"fabric-other\"")
	res := `
resource "hedgehog_ipv4_namespace" "n" {
  name      = "dfo-ip"
  namespace = %s
  subnets   = ["10.66.0.0/16"]
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		Steps: []resource.TestStep{
			{Config: other + fmt.Sprintf(res, `"default"`), ExpectError: regexp.MustCompile(`(?s)Unsupported namespace.*"fabric-other"`)},
			{Config: prov + fmt.Sprintf(res, `"fabric-other"`), ExpectError: regexp.MustCompile(`(?s)Unsupported namespace.*"fabric-other"`)},
			{Config: prov + fmt.Sprintf(res, `"default"`)},
			{ResourceName: "hedgehog_ipv4_namespace.n", ImportState: true, ImportStateId: "default/dfo-ip", ImportStateVerify: true, ImportStateVerifyIgnore: importIgnoresGitCommit},
			{ResourceName: "hedgehog_ipv4_namespace.n", ImportState: true, ImportStateId: "fabric-other/dfo-ip", ExpectError: regexp.MustCompile(`(?s)Unsupported namespace`)},
		},
	})
}

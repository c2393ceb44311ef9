package provider

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// TestAccTopology_DrawsTheFabric: hedgehog_topology draws a fabric made by hand: the switch, the server, the
// connection between them and, with include_attachments, the VPC attached to the server.
func TestAccTopology_DrawsTheFabric(t *testing.T) {
	accPreCheck(t)
	createSwitchProfile(t, "accad-vs")
	r := strings.NewReplacer("ad-", "tp-", "E1/9", "E1/11")
	loadByHand(t, r.Replace(adoptionFabric), "topology-test", "tp1")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		Steps: []resource.TestStep{{
			Config: stk.ProviderHCL(stack.Backends{Kubernetes: true}) + `
data "hedgehog_topology" "fabric" {
  include_attachments = true
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.hedgehog_topology.fabric", tfjsonpath.New("mermaid"),
					knownvalue.StringRegexp(regexp.MustCompile(`(?s)subgraph role_server_2d_leaf\["server-leaf"\].*sw_tp_2d_leaf\["tp-leaf"\].*sw_tp_2d_leaf ---\|"unbundled"\| srv_tp_2d_srv`))),
				statecheck.ExpectKnownValue("data.hedgehog_topology.fabric", tfjsonpath.New("dot"),
					knownvalue.StringRegexp(regexp.MustCompile(`vpc_tp_2d_vpc -- srv_tp_2d_srv \[label="default", style=dashed\]`))),
			},
		}},
	})
}

package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

const lonelyVPC = `
resource "hedgehog_vpc" "v" {
  name    = "pv-vpc"
  subnets = { default = { subnet = "10.63.1.0/24", vlan = 1301 } }
}
`

// Configuring no backend is a clear error; a block whose attributes are all null counts as absent.
func TestAccProvider_NoBackend(t *testing.T) {
	accPreCheck(t)
	t.Setenv("NETBOX_SERVER_URL", "")
	t.Setenv("HEDGEHOG_GIT_URL", "")
	t.Setenv("KUBE_CONFIG_PATH", "")
	t.Setenv("KUBE_HOST", "")
	t.Setenv("HEDGEHOG_KUBECONFIG", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		Steps: []resource.TestStep{{
			Config:      `provider "hedgehog" {` + "\n" + `  git { url = null }` + "\n}\n" + lonelyVPC,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`No backend configured`),
		}},
	})
}

// A plan needs no reachable backend: with every backend unreachable the plan still shows the manifest (and
// warns that cross-resource checks saw only the planned objects).
func TestAccProvider_PlanWithBackendsUnreachable(t *testing.T) {
	accPreCheck(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		Steps: []resource.TestStep{{
			Config: `
provider "hedgehog" {
  netbox {
    server_url = "http://127.0.0.1:1"
    api_token  = "0123456789abcdef0123456789abcdef01234567"
  }
  git { url = "http://127.0.0.1:1/nothing.git" }
  kubernetes {
    host  = "https://127.0.0.1:1"
    token = "x"
  }
}
` + lonelyVPC,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue("hedgehog_vpc.v", tfjsonpath.New("manifest"), knownvalue.StringRegexp(regexp.MustCompile(`subnet: 10\.63\.1\.0/24`))),
			}},
		}},
	})
}

// A bad compliance policy is rejected when the provider is configured.
func TestAccProvider_InvalidPolicy(t *testing.T) {
	accPreCheck(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		Steps: []resource.TestStep{{
			Config: `
provider "hedgehog" {
  git { url = "http://127.0.0.1:1/nothing.git" }
  policy = {
    name_patterns = [{ kind = "VPC", pattern = "([" }]
  }
}
` + lonelyVPC,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`Invalid compliance policy`),
		}},
	})
}

// The compliance policy is the last stage of the cascade and stops a plan that breaks it.
func TestAccProvider_PolicyAtPlan(t *testing.T) {
	accPreCheck(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		Steps: []resource.TestStep{{
			Config: `
provider "hedgehog" {
  git { url = "http://127.0.0.1:1/nothing.git" }
  policy = {
    name_patterns   = [{ kind = "VPC", pattern = "^team-" }]
    forbidden_cidrs = [{ cidr = "10.63.0.0/16", severity = "error" }]
  }
}
` + lonelyVPC,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)policy stage, rule policy\.name-pattern.*policy stage, rule policy\.forbidden-cidr|(?s)policy stage, rule policy\.forbidden-cidr.*policy stage, rule policy\.name-pattern`),
		}},
	})
}

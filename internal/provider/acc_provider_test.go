package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

const lonelyVPC = `
resource "hedgehog_vpc" "v" {
  name    = "pv-vpc"
  subnets = { default = { subnet = "10.63.1.0/24", vlan = 1301 } }
}

output "manifest" {
  value = provider::hedgehog::manifest("hedgehog_vpc", hedgehog_vpc.v)
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

// unreachableProvider configures every backend at an address where nothing listens.
func unreachableProvider(extra string) string {
	return `
provider "hedgehog" {
` + extra + `
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
`
}

// An unreachable backend fails the plan by default, naming the backend, the cause and the offline setting:
// a plan that passes must be able to apply.
func TestAccProvider_PlanFailsWhenABackendIsUnreachable(t *testing.T) {
	accPreCheck(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		Steps: []resource.TestStep{{
			Config:      unreachableProvider("") + lonelyVPC,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)backend "(git|kubernetes|netbox)" is not ready.*plan_without_backends = true`),
		}},
	})
}

// With plan_without_backends, a plan needs no reachable backend: with every backend unreachable the plan
// still shows the manifest (and warns that cross-resource checks saw only the planned objects).
func TestAccProvider_PlanWithBackendsUnreachable(t *testing.T) {
	accPreCheck(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		Steps: []resource.TestStep{{
			Config: `
provider "hedgehog" {
  plan_without_backends = true
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
				plancheck.ExpectKnownOutputValue("manifest", knownvalue.StringRegexp(regexp.MustCompile(`subnet: 10\.63\.1\.0/24`))),
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
  plan_without_backends = true
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

// The integration stage runs before the first write of an apply: a NetBox that refuses the token fails the
// apply naming the backend, and nothing reaches Git or the cluster. (The plan fails on it first by default;
// plan_without_backends lets this plan through so that the apply's own check is what is tested.)
func TestAccProvider_IntegrationStopsApply(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	b := stack.All(r.url)
	b.NetBox = false
	prov := strings.Replace(stk.ProviderHCL(b), "provider \"hedgehog\" {\n", fmt.Sprintf("provider \"hedgehog\" {\n  plan_without_backends = true\n  netbox {\n    server_url = %q\n    api_token  = \"ffffffffffffffffffffffffffffffffffffffff\"\n  }\n", stk.NetBoxURL), 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		Steps: []resource.TestStep{{
			Config:      sliceConfig(prov, "in", "in-vpc", false),
			ExpectError: regexp.MustCompile(`(?s)integration stage.*netbox`),
			Check:       nil,
		}, {
			PreConfig: func() {
				if kubeGet(t, fabric.KindVPC, "in-vpc") != nil || gitFile(t, r, fabric.KindVPC, "in-vpc") != nil || kubeGet(t, fabric.KindIPv4Namespace, "in-ip") != nil {
					t.Fatal("an apply that failed integration wrote something")
				}
			},
			Config:   sliceConfig(prov, "in", "in-vpc", false),
			PlanOnly: true, ExpectNonEmptyPlan: true,
		}},
	})
}

// The kubernetes block authenticates through an exec credential plugin with host and CA, no kubeconfig.
func TestAccProvider_KubernetesExec(t *testing.T) {
	accPreCheck(t)
	plugin := filepath.Join(t.TempDir(), "cred.sh")
	script := fmt.Sprintf("#!/bin/sh\nprintf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%%s\"}}' \"$HH_TOKEN\"\n")
	if err := os.WriteFile(plugin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	prov := fmt.Sprintf(`
provider "hedgehog" {
  kubernetes {
    host                   = %q
    cluster_ca_certificate = %q
    exec = {
      command = %q
      env     = { HH_TOKEN = %q }
    }
  }
}
`, stk.API.URL, string(stk.API.CAData), plugin, stk.API.AdminToken)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		CheckDestroy:             absentEverywhere(t, nil, fabric.KindVPC, "ex-vpc"),
		Steps: []resource.TestStep{{
			Config: sliceConfig(prov, "ex", "ex-vpc", false),
			Check: checkAll(t, func(t *testing.T) {
				if kubeGet(t, fabric.KindVPC, "ex-vpc") == nil {
					t.Error("VPC not in the cluster")
				}
			}),
		}},
	})
}

// TestAccProvider_EnvironmentOnly configures all three backends from environment variables alone, with the
// kubeconfig as content: what a Terraform Cloud run without local files does.
func TestAccProvider_EnvironmentOnly(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	t.Setenv("NETBOX_SERVER_URL", stk.NetBoxURL)
	t.Setenv("NETBOX_API_TOKEN", stk.NetBoxToken)
	t.Setenv("HEDGEHOG_GIT_URL", r.url)
	t.Setenv("HEDGEHOG_GIT_USERNAME", stk.Git.Username)
	t.Setenv("HEDGEHOG_GIT_PASSWORD", stk.Git.Password)
	t.Setenv("HEDGEHOG_KUBECONFIG", string(stk.API.Kubeconfig()))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		CheckDestroy:             absentEverywhere(t, &r, fabric.KindVPC, "en-vpc"),
		Steps: []resource.TestStep{{
			Config: sliceConfig(`provider "hedgehog" {}`+"\n", "en", "en-vpc", false),
			Check: checkAll(t, func(t *testing.T) {
				if kubeGet(t, fabric.KindVPC, "en-vpc") == nil || gitFile(t, r, fabric.KindVPC, "en-vpc") == nil || !netboxHas(t, "/api/ipam/vrfs/", "name", "en-vpc") {
					t.Error("a backend configured from the environment was not written")
				}
			}),
		}},
	})
}

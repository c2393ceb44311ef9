package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// Secrets of TestAccSecrets_NeverShown: a token in the username position of the Git URL, the git token and
// password settings and the NetBox API token.
const (
	secURLToken = "ghp_urlTokenInUsername0123456789"
	secGitToken = "gittoken-setting-abcdef987654"
	secGitPass  = "gitpassword-setting-zyx13579"
)

// secretsConfig passes every credential through sensitive variables, as a real configuration would. Their
// values come from TF_VAR_* environment variables, so that the configuration the test framework logs holds
// none of them.
func secretsConfig(withSettings bool, netboxURL string) string {
	settings := ""
	if withSettings {
		settings = "\n    token    = var.git_token\n    password = var.git_password"
	}
	prov := fmt.Sprintf(`
variable "git_url" {
  type      = string
  sensitive = true
}
variable "git_token" {
  type      = string
  sensitive = true
}
variable "git_password" {
  type      = string
  sensitive = true
}
variable "netbox_token" {
  type      = string
  sensitive = true
}

provider "hedgehog" {
  netbox {
    server_url = %q
    api_token  = var.netbox_token
  }
  git {
    url          = var.git_url%s
    author_name  = "acceptance"
    author_email = "acc@example.com"
  }
  kubernetes {
    kubeconfig_path = %q
  }
}
`, netboxURL, settings, stk.Kubeconfig)
	return sliceConfig(prov, "sec", "sec-vpc", false)
}

// secretsIn returns the secrets found in b.
func secretsIn(b []byte, secrets []string) []string {
	var found []string
	for _, s := range secrets {
		if strings.Contains(string(b), s) {
			found = append(found, s)
		}
	}
	return found
}

// noSecretsInPlan is a plan check: neither the planned values, the resource changes nor the prior state of
// the plan (`terraform show -json`) hold a secret. The plan's configuration and variables sections are the
// user's own input and are left out.
type noSecretsInPlan struct{ secrets []string }

func (c noSecretsInPlan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	parts := map[string]any{"planned_values": req.Plan.PlannedValues, "resource_changes": req.Plan.ResourceChanges,
		"resource_drift": req.Plan.ResourceDrift, "prior_state": req.Plan.PriorState, "output_changes": req.Plan.OutputChanges}
	b, err := json.Marshal(parts)
	if err != nil {
		resp.Error = err
		return
	}
	if !strings.Contains(string(b), "REDACTED@") {
		resp.Error = fmt.Errorf("the plan does not show the masked Git URL in backend_changes")
		return
	}
	if f := secretsIn(b, c.secrets); len(f) > 0 {
		resp.Error = fmt.Errorf("the plan holds secrets %q", f)
	}
}

// TestAccSecrets_NeverShown: a Git URL with a token in the username position, the git token and password
// settings and the NetBox token, all from sensitive variables, through a failing plan (a missing repository,
// whose error names the URL), plan and apply with the URL's token as the credential, then plan and apply
// with the settings as credentials. No plan, no state and no line of the TRACE log holds any of them.
func TestAccSecrets_NeverShown(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	stk.Git.Allow(secURLToken, "")
	stk.Git.Allow("x-access-token", secGitToken)
	withToken := func(u string) string { return strings.Replace(u, "http://", "http://"+secURLToken+"@", 1) }
	secrets := []string{secURLToken, secGitToken, secGitPass, stk.NetBoxToken}
	noneInState := func(s *terraform.State) error {
		b, err := json.Marshal(s)
		if err != nil {
			return err
		}
		if f := secretsIn(b, secrets); len(f) > 0 {
			return fmt.Errorf("the state holds secrets %q", f)
		}
		return nil
	}
	t.Setenv("TF_VAR_git_token", secGitToken)
	t.Setenv("TF_VAR_git_password", secGitPass)
	t.Setenv("TF_VAR_netbox_token", stk.NetBoxToken)
	planCheck := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{noSecretsInPlan{secrets}}}
	missing := withToken(strings.TrimSuffix(r.url, ".git") + "-missing.git")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		CheckDestroy:             absentEverywhere(t, &r, fabric.KindVPC, "sec-vpc"),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { t.Setenv("TF_VAR_git_url", missing) },
				Config:      secretsConfig(false, stk.NetBoxURL),
				ExpectError: regexp.MustCompile(`http://REDACTED@127\.0\.0\.1:\d+/\S*-missing\.git`),
			},
			{
				PreConfig:        func() { t.Setenv("TF_VAR_git_url", withToken(r.url)) },
				Config:           secretsConfig(false, stk.NetBoxURL),
				ConfigPlanChecks: planCheck,
				Check:            noneInState,
			},
			{
				Config:           secretsConfig(true, stk.NetBoxURL),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            noneInState,
			},
		},
	})
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatalf("the TRACE log: %v", err)
	}
	if len(b) == 0 || !strings.Contains(string(b), "hedgehog") {
		t.Fatalf("the TRACE log %s holds no provider lines (%d bytes)", logFile, len(b))
	}
	if f := secretsIn(b, secrets); len(f) > 0 {
		for _, s := range f {
			i := strings.Index(string(b), s)
			lo, hi := max(0, i-300), min(len(b), i+100)
			t.Errorf("the TRACE log holds secret %q: …%s…", s, b[lo:hi])
		}
	}
	if !strings.Contains(string(b), "REDACTED@") {
		t.Error("the TRACE log never shows the masked URL (did the provider log its diagnostics?)")
	}
}

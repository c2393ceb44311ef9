package provider

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// cliMinor returns the minor version of the CLI of w (Terraform or OpenTofu 1.x).
func cliMinor(t *testing.T, w *workdir) int {
	t.Helper()
	out := w.must("version")
	m := regexp.MustCompile(`v1\.(\d+)\.`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("cannot read the CLI version:\n%s", out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestAccIdentity_ImportByIdentity: an object that state no longer tracks is imported with
// `import { identity = { name = ... } }`: the plan is one import and nothing else, the apply writes nothing
// new, and the next plan is empty. Resource identity needs Terraform or OpenTofu ≥ 1.12.
func TestAccIdentity_ImportByIdentity(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	w := newWorkdir(t, "w")
	if cliMinor(t, w) < 12 {
		t.Skip("resource identity needs Terraform or OpenTofu 1.12 or later")
	}
	cfg := contractConfig(stk.ProviderHCL(stack.All(r.url)), "idn", "10.84", 1704)
	w.write(cfg)
	w.must("apply", "-auto-approve", "-no-color")
	defer w.run(nil, "destroy", "-auto-approve", "-no-color") //nolint:errcheck // cleanup on failure
	w.must("state", "rm", "hedgehog_vpc.idn-vpc")
	w.write(cfg + `
import {
  to       = hedgehog_vpc.idn-vpc
  identity = { name = "idn-vpc" }
}
`)
	plan := w.must("plan", "-no-color")
	if !strings.Contains(plan, "1 to import, 0 to add, 0 to change, 0 to destroy") {
		t.Fatalf("want exactly one import:\n%s", plan)
	}
	w.must("apply", "-auto-approve", "-no-color")
	show := w.must("state", "show", "-no-color", "hedgehog_vpc.idn-vpc")
	if !strings.Contains(show, `"10.84.1.0/24"`) {
		t.Errorf("the imported state lacks the subnet:\n%s", show)
	}
	if out, err := w.run(nil, "plan", "-detailed-exitcode", "-no-color"); err != nil {
		t.Fatalf("the plan after the import is not empty: %v\n%s", err, out)
	}
}

package provider

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/gitserver"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// The Terraform contract (issue 8): exit codes of plans, imports followed by changes, generated configuration.
// These tests run the real CLI (newWorkdir), since exit codes and -generate-config-out are the CLI's.

// exitCode runs the CLI and returns its exit code (0, 1 or 2 with -detailed-exitcode) and output.
func (w *workdir) exitCode(args ...string) (int, string) {
	w.t.Helper()
	out, err := w.run(nil, args...)
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, out
	case errors.As(err, &ee):
		return ee.ExitCode(), out
	}
	w.t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	return -1, out
}

// contractConfig: two namespaces and a VPC that depends on both; the kinds every backend stores (NetBox
// holds all three).
func contractConfig(prov, p, cidr16 string, vlan int) string {
	return ownConfig(prov, p, []string{cidr16 + ".0.0/16"}, map[string][]string{p + "-vpc": {"default=" + cidr16 + ".1.0/24/" + strconv.Itoa(vlan)}}, "")
}

// TestAccContract_RefreshOnlyExitCode: after an apply, `plan -refresh-only -detailed-exitcode` and
// `plan -detailed-exitcode` exit 0 (nothing changed) for every backend combination; the state JSON is the
// same before and after a refresh-only apply.
func TestAccContract_RefreshOnlyExitCode(t *testing.T) {
	accPreCheck(t)
	cases := []struct {
		name string
		b    func(gitURL string) stack.Backends
	}{
		{"netbox", func(string) stack.Backends { return stack.Backends{NetBox: true} }},
		{"git", func(u string) stack.Backends { return stack.Backends{Git: true, GitURL: u} }},
		{"kubernetes", func(string) stack.Backends { return stack.Backends{Kubernetes: true} }},
		{"all", func(u string) stack.Backends { return stack.All(u) }},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRepo(t)
			p := "ec" + c.name[:2]
			w := newWorkdir(t, "w")
			w.write(contractConfig(stk.ProviderHCL(c.b(r.url)), p, "10.8"+strconv.Itoa(i), 1700+i))
			w.must("apply", "-auto-approve", "-no-color")
			defer w.run(nil, "destroy", "-auto-approve", "-no-color") //nolint:errcheck // cleanup on failure
			before := w.must("show", "-json")
			if code, out := w.exitCode("plan", "-refresh-only", "-detailed-exitcode", "-no-color"); code != 0 {
				t.Errorf("plan -refresh-only -detailed-exitcode exited %d, want 0:\n%s", code, out)
			}
			if code, out := w.exitCode("plan", "-detailed-exitcode", "-no-color"); code != 0 {
				t.Errorf("plan -detailed-exitcode exited %d, want 0:\n%s", code, out)
			}
			w.must("apply", "-refresh-only", "-auto-approve", "-no-color")
			if after := w.must("show", "-json"); after != before {
				t.Errorf("a refresh-only apply changed the state:\nbefore %s\nafter  %s", before, after)
			}
			// A change by hand is what a refresh-only plan is for: it exits 2 (Terraform; OpenTofu before 1.13
			// exits 0 in refresh-only mode whatever the refresh found).
			driftByHand(t, c.name, r, p+"-vpc", 1700+i)
			code, out := w.exitCode("plan", "-refresh-only", "-detailed-exitcode", "-no-color")
			if want := 2; code != want && !(isTofu() && code == 0) {
				t.Errorf("after a change by hand, plan -refresh-only -detailed-exitcode exited %d, want %d:\n%s", code, want, out)
			}
			w.must("apply", "-auto-approve", "-no-color")
			if code, out := w.exitCode("plan", "-detailed-exitcode", "-no-color"); code != 0 {
				t.Errorf("after converging, plan -detailed-exitcode exited %d, want 0:\n%s", code, out)
			}
			w.must("destroy", "-auto-approve", "-no-color")
		})
	}
}

func isTofu() bool {
	return strings.Contains(filepath.Base(os.Getenv("TF_ACC_TERRAFORM_PATH")), "tofu")
}

// driftByHand moves the VPC's VLAN in the backend the case names (the cluster when all are configured).
func driftByHand(t *testing.T, backendCase string, r repo, vpc string, vlan int) {
	t.Helper()
	switch backendCase {
	case "netbox":
		vlans := netboxList(t, "/api/ipam/vlans/", url.Values{"vid": {strconv.Itoa(vlan)}})
		if len(vlans) != 1 {
			t.Fatalf("vlans %v", vlans)
		}
		netboxPatch(t, fmt.Sprintf("/api/ipam/vlans/%v/", vlans[0]["id"]), map[string]any{"vid": vlan + 50})
	case "git":
		b := gitFile(t, r, fabric.KindVPC, vpc)
		b = bytes.Replace(b, []byte("vlan: "+strconv.Itoa(vlan)), []byte("vlan: "+strconv.Itoa(vlan+50)), 1)
		if _, err := gitserver.CommitFile(r.dir, "main", "fabric/vpc/"+vpc+".yaml", b, "hand edit"); err != nil {
			t.Fatal(err)
		}
	default:
		u := kubeGet(t, fabric.KindVPC, vpc)
		if err := unstructured.SetNestedField(u.Object, int64(vlan+50), "spec", "subnets", "default", "vlan"); err != nil {
			t.Fatal(err)
		}
		if _, err := dyn(t).Resource(gvr(fabric.KindVPC)).Namespace("default").Update(context.Background(), u, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
			t.Fatal(err)
		}
	}
}

// importConfig: the namespaces as resources, an import block for VPC name, and extra HCL (the VPC's own
// resource block, or nothing when the configuration is to be generated).
func importConfig(prov, p, name, vpcBlock string) string {
	return ownConfig(prov, p, []string{"10.90.0.0/16"}, nil, "") + fmt.Sprintf(`
import {
  to = hedgehog_vpc.%[1]s
  id = %[1]q
}
%[2]s`, name, vpcBlock)
}

// TestAccContract_ImportGenerateThenApply: a VPC made by hand in the cluster is imported with an import
// block and -generate-config-out. The generated file writes the fabric's defaults (no `= null` for them);
// the plan imports and updates it (Git and NetBox lack it, the cluster holds it without defaults), saying
// why; the apply writes every backend without an inconsistent result, and the next plan is empty.
func TestAccContract_ImportGenerateThenApply(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	prov := stk.ProviderHCL(stack.All(r.url))
	const p = "ig"
	w := newWorkdir(t, "w")
	w.write(ownConfig(prov, p, []string{"10.90.0.0/16"}, nil, ""))
	w.must("apply", "-auto-approve", "-no-color")
	defer w.run(nil, "destroy", "-auto-approve", "-no-color") //nolint:errcheck // cleanup on failure
	handVPC(t, "ig-billing", "ig-ip", "ig-vl", "10.90.1.0/24", 1710)
	defer dyn(t).Resource(gvr(fabric.KindVPC)).Namespace("default").Delete(context.Background(), "ig-billing", metav1.DeleteOptions{}) //nolint:errcheck // cleanup

	w.write(importConfig(prov, p, "ig-billing", ""))
	out, _ := w.run(nil, "plan", "-generate-config-out=gen.tf", "-no-color")
	gen, err := os.ReadFile(filepath.Join(w.dir, "gen.tf"))
	if err != nil {
		t.Fatalf("no generated configuration: %v\n%s", err, out)
	}
	// gateway and dhcp are the defaults the fabric fills for this VPC.
	for _, defaulted := range []string{"gateway", "dhcp"} {
		if regexp.MustCompile(`(?m)^\s*` + defaulted + `\s*=\s*null`).Match(gen) {
			t.Errorf("the generated configuration writes %s = null:\n%s", defaulted, gen)
		}
	}
	if !strings.Contains(string(gen), `gateway    = "10.90.1.1"`) {
		t.Errorf("the generated configuration lacks the default gateway:\n%s", gen)
	}
	plan := w.must("plan", "-no-color")
	if flat := strings.Join(strings.Fields(plan), " "); !strings.Contains(flat, "1 to import, 0 to add, 1 to change") || !strings.Contains(flat, "the object is missing from git (imported from kubernetes)") {
		t.Errorf("the plan does not import and update, saying why:\n%s", plan)
	}
	afterApply(t, w, r, "ig-billing", "10.90.1.0/24")
}

// afterApply applies, which must not report an inconsistent result, then checks that every backend holds
// the VPC with the subnet and that the next plan is empty.
func afterApply(t *testing.T, w *workdir, r repo, vpc, cidr string) {
	t.Helper()
	if out := w.must("apply", "-auto-approve", "-no-color"); strings.Contains(out, "inconsistent result") {
		t.Errorf("apply:\n%s", out)
	}
	if b := gitFile(t, r, fabric.KindVPC, vpc); !bytes.Contains(b, []byte(cidr)) {
		t.Errorf("Git lacks %s with %s:\n%s", vpc, cidr, b)
	}
	if u := kubeGet(t, fabric.KindVPC, vpc); u == nil || !strings.Contains(fmt.Sprint(u.Object["spec"]), cidr) {
		t.Errorf("the cluster lacks %s with %s", vpc, cidr)
	}
	if !netboxHas(t, "/api/ipam/vrfs/", "name", vpc) || !netboxHas(t, "/api/ipam/prefixes/", "prefix", cidr) {
		t.Errorf("NetBox lacks %s with %s", vpc, cidr)
	}
	if code, out := w.exitCode("plan", "-detailed-exitcode", "-no-color"); code != 0 {
		t.Errorf("the plan after the apply exited %d, want 0:\n%s", code, out)
	}
	if code, out := w.exitCode("plan", "-refresh-only", "-detailed-exitcode", "-no-color"); code != 0 {
		t.Errorf("the refresh-only plan after the apply exited %d, want 0:\n%s", code, out)
	}
}

func vpcBlock(name, extra string, subnets ...string) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "\nresource \"hedgehog_vpc\" %q {\n  name           = %q\n  ipv4_namespace = hedgehog_ipv4_namespace.ns.name\n  vlan_namespace = hedgehog_vlan_namespace.ns.name\n%s  subnets = {\n", name, name, extra)
	for _, s := range subnets {
		n, rest, _ := strings.Cut(s, "=")
		j := strings.LastIndexByte(rest, '/')
		fmt.Fprintf(&sb, "    %s = { subnet = %q, vlan = %s }\n", n, rest[:j], rest[j+1:])
	}
	sb.WriteString("  }\n}\n")
	return sb.String()
}

// TestAccContract_Import covers the ways into state for a VPC made by hand in the cluster, with all three
// backends configured: an import block with a configuration that matches exactly (one apply brings Git and
// NetBox in line, the next plan is empty), an import block with a change (import and update in one apply,
// no inconsistent result), `terraform import` on the command line, and a refresh after drift.
func TestAccContract_Import(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	prov := stk.ProviderHCL(stack.All(r.url))
	const p = "im"
	w := newWorkdir(t, "w")
	w.write(ownConfig(prov, p, []string{"10.91.0.0/16"}, nil, ""))
	w.must("apply", "-auto-approve", "-no-color")
	defer w.run(nil, "destroy", "-auto-approve", "-no-color") //nolint:errcheck // cleanup on failure
	for _, n := range []string{"im-match", "im-change", "im-cli"} {
		defer dyn(t).Resource(gvr(fabric.KindVPC)).Namespace("default").Delete(context.Background(), n, metav1.DeleteOptions{}) //nolint:errcheck // cleanup
	}
	base := ownConfig(prov, p, []string{"10.91.0.0/16"}, nil, "")
	importBlock := func(name string) string {
		return fmt.Sprintf("\nimport {\n  to = hedgehog_vpc.%[1]s\n  id = %[1]q\n}\n", name)
	}

	// An import block whose configuration matches the object exactly.
	handVPC(t, "im-match", "im-ip", "im-vl", "10.91.1.0/24", 1711)
	matching := vpcBlock("im-match", "", "default=10.91.1.0/24/1711")
	w.write(base + importBlock("im-match") + matching)
	afterApply(t, w, r, "im-match", "10.91.1.0/24")

	// An import block with a change: one more subnet.
	handVPC(t, "im-change", "im-ip", "im-vl", "10.91.2.0/24", 1712)
	changed := vpcBlock("im-change", "", "default=10.91.2.0/24/1712", "db=10.91.3.0/24/1713")
	w.write(base + matching + importBlock("im-change") + changed)
	if plan := strings.Join(strings.Fields(w.must("plan", "-no-color")), " "); !strings.Contains(plan, "1 to import, 0 to add, 1 to change") {
		t.Errorf("the plan does not import and change:\n%s", plan)
	}
	afterApply(t, w, r, "im-change", "10.91.3.0/24")

	// terraform import on the command line, then a plan and one apply.
	handVPC(t, "im-cli", "im-ip", "im-vl", "10.91.4.0/24", 1714)
	cli := vpcBlock("im-cli", "", "default=10.91.4.0/24/1714")
	w.write(base + matching + changed + cli)
	w.must("import", "-no-color", "hedgehog_vpc.im-cli", "im-cli")
	if plan := strings.Join(strings.Fields(w.must("plan", "-no-color")), " "); !strings.Contains(plan, "0 to add, 1 to change") || !strings.Contains(plan, "Drift in git") {
		t.Errorf("the plan after terraform import does not update the backends that lack the object, saying why:\n%s", plan)
	}
	afterApply(t, w, r, "im-cli", "10.91.4.0/24")

	// A refresh after drift: a hand edit in the cluster is a refresh change; the apply converges it.
	driftByHand(t, "kubernetes", r, "im-cli", 1714)
	if code, out := w.exitCode("plan", "-refresh-only", "-detailed-exitcode", "-no-color"); code != 2 && !(isTofu() && code == 0) {
		t.Errorf("the refresh-only plan after drift exited %d, want 2:\n%s", code, out)
	}
	if code, out := w.exitCode("plan", "-detailed-exitcode", "-no-color"); code != 2 {
		t.Errorf("the plan after drift exited %d, want 2:\n%s", code, out)
	}
	afterApply(t, w, r, "im-cli", "10.91.4.0/24")
	w.must("destroy", "-auto-approve", "-no-color")
}

package provider

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/gitserver"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// TestAccJournal_CrashAtEveryStep kills the provider process (HEDGEHOG_TEST_FAULTS=crash=OP:K) after K steps
// of a create, an update and a delete — K = 0 is right after the journal entry is written, K = 3 right before
// it is closed — and then runs plan and apply again, with the same configuration and with the resource
// renamed or removed. Afterwards every backend matches the configuration, the next plan is empty, and after a
// destroy nothing of the test is left in any backend.
func TestAccJournal_CrashAtEveryStep(t *testing.T) {
	accPreCheck(t)
	cases := []struct {
		op   string
		step int
		then string // "same", "renamed" or "removed"
	}{
		{"create", 0, "same"}, {"create", 1, "same"}, {"create", 2, "same"}, {"create", 3, "same"},
		{"create", 2, "renamed"}, {"create", 1, "removed"},
		{"update", 1, "same"}, {"update", 2, "same"}, {"update", 3, "removed"},
		{"delete", 1, "same"}, {"delete", 2, "same"},
	}
	// Which existing resource the plan picks to carry the settling apply depends on the order Terraform plans
	// the two unrelated namespaces in, so the case that needs it runs ten times.
	runs := func(then string) int {
		if then == "removed" {
			return 10
		}
		return 1
	}
	for i, tc := range cases {
		for run := 0; run < runs(tc.then); run++ {
			t.Run(fmt.Sprintf("%s-%d-%s-%d", tc.op, tc.step, tc.then, run), func(t *testing.T) {
				r := newRepo(t)
				prov := stk.ProviderHCL(stack.All(r.url))
				p := fmt.Sprintf("jc%d", i)
				cidr := func(n int) string { return fmt.Sprintf("10.%d.%d.0/24", 80+i/4, (i%4)*16+n) }
				vlan := func(n int) int { return 1740 + i*4 + n }
				ipNS := fmt.Sprintf("10.%d.%d.0/20", 80+i/4, (i%4)*16)
				vpc := func(name string, subnets int) map[string][]string {
					var s []string
					for n := 0; n < subnets; n++ {
						s = append(s, fmt.Sprintf("s%d=%s/%d", n, cidr(n), vlan(n)))
					}
					return map[string][]string{name: s}
				}
				name := p + "-vpc"
				cfg := func(v map[string][]string) string { return ownConfig(prov, p, []string{ipNS}, v, "") }

				w := newWorkdir(t, "w")
				var crashCfg, thenCfg string
				switch tc.op {
				case "create":
					w.write(cfg(nil))
					w.must("apply", "-auto-approve", "-no-color")
					crashCfg = cfg(vpc(name, 2))
				case "update":
					w.write(cfg(vpc(name, 1)))
					w.must("apply", "-auto-approve", "-no-color")
					crashCfg = cfg(vpc(name, 2))
				case "delete":
					w.write(cfg(vpc(name, 1)))
					w.must("apply", "-auto-approve", "-no-color")
					crashCfg = cfg(nil)
				}
				switch tc.then {
				case "same":
					thenCfg = crashCfg
				case "renamed":
					thenCfg = cfg(vpc(p+"-new", 2))
				case "removed":
					thenCfg = cfg(nil)
				}
				w.write(crashCfg)
				out, err := w.run([]string{fmt.Sprintf("HEDGEHOG_TEST_FAULTS=crash=%s:%d", tc.op, tc.step)}, "apply", "-auto-approve", "-no-color")
				if err == nil {
					t.Fatalf("the crash fault did not stop the apply:\n%s", out)
				}

				w.write(thenCfg)
				plan := w.must("plan", "-no-color")
				if !strings.Contains(plan, "Interrupted operations will be settled") {
					t.Errorf("the plan does not name the interrupted %s:\n%s", tc.op, plan)
				}
				applied := w.must("apply", "-auto-approve", "-no-color")
				if !strings.Contains(applied, "Settled interrupted operations") {
					t.Errorf("the apply does not say it settled the interrupted %s:\n%s", tc.op, applied)
				}
				if out, err := w.run(nil, "plan", "-detailed-exitcode", "-no-color"); err != nil {
					var ee *exec.ExitError
					if errors.As(err, &ee) && ee.ExitCode() == 2 {
						t.Errorf("the plan after settling is not empty:\n%s", out)
					} else {
						t.Errorf("plan: %v\n%s", err, out)
					}
				} else if strings.Contains(out, "Interrupted operations") {
					t.Errorf("the journal still holds an entry after the apply:\n%s", out)
				}
				w.must("destroy", "-auto-approve", "-no-color")
				for _, n := range []string{name, p + "-new"} {
					if err := absentEverywhere(t, &r, fabric.KindVPC, n)(nil); err != nil {
						t.Error("orphan after destroy:", err)
					}
					for _, api := range []string{"/api/ipam/vlans/", "/api/ipam/prefixes/"} {
						for _, o := range netboxList(t, api, nil) {
							if strings.Contains(fmt.Sprint(o["name"], o["description"]), n) {
								t.Errorf("orphan NetBox record %s%v: %v %v", api, o["id"], o["name"], o["description"])
							}
						}
					}
				}
				if files, _ := gitserver.ListFiles(r.dir, "main", "fabric"); len(files) != 0 {
					t.Errorf("orphan Git files: %v", files)
				}
			})
		}
	}
}

// TestAccJournal_FailedCompensationIsRepaired: an update whose cluster step fails and whose Git compensation
// fails too leaves Git holding the new file while the state holds the old one. The apply says so and that the
// journal keeps the operation; the next apply first rolls Git back, then makes the update, and the plan after
// it is empty.
func TestAccJournal_FailedCompensationIsRepaired(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	prov := stk.ProviderHCL(stack.All(r.url))
	const p = "jf"
	cfg := func(subnets ...string) string {
		return ownConfig(prov, p, []string{"10.79.0.0/16"}, map[string][]string{"jf-vpc": subnets}, "")
	}
	w := newWorkdir(t, "w")
	w.write(cfg("a=10.79.1.0/24/1791"))
	w.must("apply", "-auto-approve", "-no-color")
	defer w.run(nil, "destroy", "-auto-approve", "-no-color") //nolint:errcheck // cleanup on failure
	w.write(cfg("a=10.79.1.0/24/1791", "b=10.79.2.0/24/1792"))
	w.fails([]string{"HEDGEHOG_TEST_FAULTS=step=kubernetes,undo=git"}, []string{"COULD NOT roll back git", "stays open in the journal"}, "apply", "-auto-approve", "-no-color")
	if b := gitFile(t, r, fabric.KindVPC, "jf-vpc"); !strings.Contains(string(b), "10.79.2.0/24") {
		t.Fatalf("the test fault did not leave Git ahead of the state (it would prove nothing):\n%s", b)
	}
	plan := w.must("plan", "-no-color")
	if !strings.Contains(plan, "Interrupted operations will be settled") {
		t.Errorf("the plan does not name the unsettled update:\n%s", plan)
	}
	out := w.must("apply", "-auto-approve", "-no-color")
	if !strings.Contains(out, "Settled interrupted operations") {
		t.Errorf("the apply does not say it settled the update:\n%s", out)
	}
	if u := kubeGet(t, fabric.KindVPC, "jf-vpc"); u == nil || !strings.Contains(fmt.Sprint(u.Object["spec"]), "10.79.2.0/24") {
		t.Errorf("the cluster lacks the update after the repair")
	}
	if out, err := w.run(nil, "plan", "-detailed-exitcode", "-no-color"); err != nil {
		t.Errorf("the plan after the repair is not empty: %v\n%s", err, out)
	}
	w.must("destroy", "-auto-approve", "-no-color")
}

package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// The plan a reviewer reads (issue 8): a one-field change in a big object is shown once, in the typed
// attributes, and only the checkpoints of the backends the change writes turn unknown.

// bigVPCConfig: a VPC with 12 DHCP subnets; subnet s03's range ends at end03 and its VLAN is vlan03.
func bigVPCConfig(prov, p string, end03, vlan03 int) string {
	var sb strings.Builder
	sb.WriteString(ownConfig(prov, p, []string{"10.96.0.0/16"}, nil, ""))
	fmt.Fprintf(&sb, "\nresource \"hedgehog_vpc\" \"big\" {\n  name           = \"%s-big\"\n  ipv4_namespace = hedgehog_ipv4_namespace.ns.name\n  vlan_namespace = hedgehog_vlan_namespace.ns.name\n  subnets = {\n", p)
	for i := 0; i < 12; i++ {
		end, vlan := 199, 1700+i
		if i == 3 {
			end, vlan = end03, vlan03
		}
		fmt.Fprintf(&sb, `    s%02[1]d = {
      subnet = "10.96.%[1]d.0/24"
      vlan   = %[2]d
      dhcp = {
        enable = true
        range  = { start = "10.96.%[1]d.10", end = "10.96.%[1]d.%[3]d" }
      }
    }
`, i, vlan, end)
	}
	sb.WriteString("  }\n}\n")
	return sb.String()
}

// resourceBlock cuts one resource's block out of a rendered plan.
func resourceBlock(t *testing.T, plan, addr string) []string {
	t.Helper()
	var out []string
	in := false
	for _, l := range strings.Split(plan, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "# "+addr+" ") {
			in = true
		}
		if in {
			out = append(out, l)
			if l == "    }" {
				return out
			}
		}
	}
	t.Fatalf("no block for %s in the plan:\n%s", addr, plan)
	return nil
}

// TestAccContract_OneFieldDiff: with all three backends, a DHCP range end changed in one of 12 subnets
// shows in at most 30 lines (it was 149, the manifest heredoc among them); the value appears once; NetBox,
// which does not store DHCP settings, keeps its checkpoint line known (hidden). A VLAN change writes
// NetBox too: its checkpoint line turns unknown, but its record ids stay known (same records, patched).
// Each apply is followed by an empty plan (no inconsistent result on the way).
func TestAccContract_OneFieldDiff(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	prov := stk.ProviderHCL(stack.All(r.url))
	w := newWorkdir(t, "w")
	w.write(bigVPCConfig(prov, "df", 199, 1703))
	w.must("apply", "-auto-approve", "-no-color")
	defer w.run(nil, "destroy", "-auto-approve", "-no-color") //nolint:errcheck // cleanup on failure

	w.write(bigVPCConfig(prov, "df", 150, 1703))
	block := resourceBlock(t, w.must("plan", "-no-color"), "hedgehog_vpc.big")
	text := strings.Join(block, "\n")
	t.Logf("one-field diff, %d lines (Terraform renders it; budget 30):\n%s", len(block), text)
	if len(block) > 30 {
		t.Errorf("the one-field diff takes %d lines, want at most 30", len(block))
	}
	if n := strings.Count(text, "10.96.3.150"); n != 1 {
		t.Errorf("the changed value appears %d times, want once", n)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`~ end\s+= "10\.96\.3\.199" -> "10\.96\.3\.150"`),
		regexp.MustCompile(`~ "git"\s+= ".*" -> \(known after apply\)`),
		regexp.MustCompile(`~ "kubernetes"\s+= ".*" -> \(known after apply\)`),
		regexp.MustCompile(`# \(1 unchanged element hidden\)`), // the netbox line
	} {
		if !want.MatchString(text) {
			t.Errorf("the diff lacks %s", want)
		}
	}
	for _, not := range []string{"netbox_ids", `"netbox"`, "manifest", "backend_changes"} {
		if strings.Contains(text, not) {
			t.Errorf("the diff shows %s, which this change does not touch", not)
		}
	}
	w.must("apply", "-auto-approve", "-no-color")
	if code, out := w.exitCode("plan", "-detailed-exitcode", "-no-color"); code != 0 {
		t.Errorf("after the apply, plan -detailed-exitcode exited %d, want 0:\n%s", code, out)
	}

	// A VLAN change is NetBox's too.
	w.write(bigVPCConfig(prov, "df", 150, 1750))
	block = resourceBlock(t, w.must("plan", "-no-color"), "hedgehog_vpc.big")
	text = strings.Join(block, "\n")
	t.Logf("VLAN change, %d lines:\n%s", len(block), text)
	if len(block) > 30 {
		t.Errorf("the VLAN change takes %d lines, want at most 30", len(block))
	}
	if !regexp.MustCompile(`~ "netbox"\s+= ".*" -> \(known after apply\)`).MatchString(text) {
		t.Error("the NetBox checkpoint line does not turn unknown, though NetBox is written")
	}
	if strings.Contains(text, "netbox_ids") {
		t.Error("netbox_ids turn unknown, though the object keeps its NetBox records")
	}
	w.must("apply", "-auto-approve", "-no-color")
	if code, out := w.exitCode("plan", "-detailed-exitcode", "-no-color"); code != 0 {
		t.Errorf("after the VLAN apply, plan -detailed-exitcode exited %d, want 0:\n%s", code, out)
	}
	w.must("destroy", "-auto-approve", "-no-color")
}

// TestAccContract_UpgradeStateV0: state written by schema version 0 (checkpoints in attributes of their
// own, the manifest in state) is upgraded on the next plan: the plan is empty, the upgraded state holds the
// same checkpoints as one line per backend, and an update afterwards applies cleanly.
func TestAccContract_UpgradeStateV0(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	prov := stk.ProviderHCL(stack.All(r.url))
	w := newWorkdir(t, "w")
	w.write(contractConfig(prov, "up", "10.97", 1710))
	w.must("apply", "-auto-approve", "-no-color")
	defer w.run(nil, "destroy", "-auto-approve", "-no-color") //nolint:errcheck // cleanup on failure
	want := stateCheckpoints(t, w.dir, "hedgehog_vpc")

	downgradeState(t, filepath.Join(w.dir, "terraform.tfstate"))
	if code, out := w.exitCode("plan", "-detailed-exitcode", "-no-color"); code != 0 {
		t.Fatalf("plan on version-0 state exited %d, want 0 (no changes):\n%s", code, out)
	}
	w.must("apply", "-refresh-only", "-auto-approve", "-no-color")
	if got := stateCheckpoints(t, w.dir, "hedgehog_vpc"); got != want {
		t.Errorf("upgraded checkpoints %s, want %s", got, want)
	}
	w.write(contractConfig(prov, "up", "10.97", 1711))
	w.must("apply", "-auto-approve", "-no-color")
	if code, out := w.exitCode("plan", "-detailed-exitcode", "-no-color"); code != 0 {
		t.Errorf("after an update, plan -detailed-exitcode exited %d, want 0:\n%s", code, out)
	}
	w.must("destroy", "-auto-approve", "-no-color")
}

type tfState struct {
	Resources []struct {
		Type      string `json:"type"`
		Instances []struct {
			SchemaVersion int            `json:"schema_version"`
			Attributes    map[string]any `json:"attributes"`
		} `json:"instances"`
	} `json:"resources"`
}

func stateCheckpoints(t *testing.T, dir, typ string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	var st tfState
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	for _, r := range st.Resources {
		if r.Type == typ {
			c, _ := json.Marshal(r.Instances[0].Attributes[aCheckpoints])
			return string(c)
		}
	}
	t.Fatalf("no %s in state", typ)
	return ""
}

// downgradeState rewrites every hedgehog resource instance in a state file as schema version 0 wrote it.
func downgradeState(t *testing.T, file string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range raw["resources"].([]any) {
		rm := r.(map[string]any)
		if !strings.HasPrefix(rm["type"].(string), "hedgehog_") || rm["mode"] != "managed" {
			continue
		}
		for _, in := range rm["instances"].([]any) {
			im := in.(map[string]any)
			a := im["attributes"].(map[string]any)
			cp, _ := a[aCheckpoints].(map[string]any)
			digests := map[string]any{}
			for b, line := range cp {
				f := decodeCheckpoint(line.(string))
				digests[b] = f[cpDigest]
				switch b {
				case "git":
					a["git_blob"] = f["blob"]
				case "kubernetes":
					a["cluster_resource_version"] = f["resource_version"]
				}
			}
			a["backend_digests"] = digests
			a["manifest"] = "apiVersion: vpc.githedgehog.com/v1beta1\n# (as version 0 kept it)\n"
			delete(a, aCheckpoints)
			im["schema_version"] = 0
			n++
		}
	}
	if n == 0 {
		t.Fatal("no hedgehog resource in state")
	}
	out, err := json.MarshalIndent(raw, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

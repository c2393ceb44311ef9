package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// queryFabric is made by hand (no mark): two IPv4 namespaces and a server.
const queryFabric = `
apiVersion: vpc.githedgehog.com/v1beta1
kind: IPv4Namespace
metadata: {name: lq-a}
spec: {subnets: [10.88.1.0/24]}
---
apiVersion: vpc.githedgehog.com/v1beta1
kind: IPv4Namespace
metadata: {name: lq-b}
spec: {subnets: [10.88.2.0/24]}
---
apiVersion: wiring.githedgehog.com/v1beta1
kind: Server
metadata: {name: lq-srv}
spec: {description: made by hand}
`

// TestAccListResource_Query: `terraform query` (Terraform ≥ 1.14) lists what the cluster holds. Without
// include_owned the object this state wrote is left out; labels and the name pattern narrow the results;
// each result is the object's identity with a display name that names its owner, and its resource object.
func TestAccListResource_Query(t *testing.T) {
	accPreCheck(t)
	loadByHand(t, queryFabric, "query-test", "q1")
	prov := stk.ProviderHCL(stack.Backends{Kubernetes: true})
	id := func(name string) map[string]knownvalue.Check {
		return map[string]knownvalue.Check{"name": knownvalue.StringExact(name), "namespace": knownvalue.StringExact("default")}
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: protoV6(),
		Steps: []resource.TestStep{
			{
				Config: prov + `
resource "hedgehog_ipv4_namespace" "owned" {
  name    = "lq-own"
  labels  = { "query-test" = "q1" }
  subnets = ["10.88.3.0/24"]
}
`,
			},
			{
				Query: true,
				Config: `
list "hedgehog_ipv4_namespace" "unowned" {
  provider = hedgehog
  config {
    labels = { "query-test" = "q1" }
  }
}

list "hedgehog_ipv4_namespace" "all" {
  provider         = hedgehog
  include_resource = true
  config {
    labels        = { "query-test" = "q1" }
    include_owned = true
  }
}

list "hedgehog_server" "pattern" {
  provider = hedgehog
  config {
    name_pattern = "^lq-"
  }
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("hedgehog_ipv4_namespace.unowned", 2),
					querycheck.ExpectIdentity("hedgehog_ipv4_namespace.unowned", id("lq-a")),
					querycheck.ExpectIdentity("hedgehog_ipv4_namespace.unowned", id("lq-b")),
					querycheck.ExpectNoIdentity("hedgehog_ipv4_namespace.unowned", id("lq-own")),
					querycheck.ExpectLength("hedgehog_ipv4_namespace.all", 3),
					querycheck.ExpectResourceDisplayName("hedgehog_ipv4_namespace.all", queryfilter.ByResourceIdentity(id("lq-own")),
						knownvalue.StringExact("lq-own (owner default)")),
					querycheck.ExpectResourceDisplayName("hedgehog_ipv4_namespace.all", queryfilter.ByResourceIdentity(id("lq-a")),
						knownvalue.StringExact("lq-a")),
					querycheck.ExpectResourceKnownValues("hedgehog_ipv4_namespace.all", queryfilter.ByResourceIdentity(id("lq-a")), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact("default/lq-a")},
						{Path: tfjsonpath.New("subnets"), KnownValue: knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("10.88.1.0/24")})},
						{Path: tfjsonpath.New("labels"), KnownValue: knownvalue.MapExact(map[string]knownvalue.Check{"query-test": knownvalue.StringExact("q1")})},
					}),
					querycheck.ExpectLength("hedgehog_server.pattern", 1),
					querycheck.ExpectIdentity("hedgehog_server.pattern", id("lq-srv")),
				},
			},
		},
	})
}

// generateFabric is a small fabric of seven kinds made by hand; references are names.
const generateFabric = `
apiVersion: vpc.githedgehog.com/v1beta1
kind: IPv4Namespace
metadata: {name: lg-ip}
spec: {subnets: [10.88.16.0/20]}
---
apiVersion: wiring.githedgehog.com/v1beta1
kind: VLANNamespace
metadata: {name: lg-vl}
spec: {ranges: [{from: 1880, to: 1889}]}
---
apiVersion: wiring.githedgehog.com/v1beta1
kind: Switch
metadata: {name: lg-leaf}
spec: {role: server-leaf, profile: acclg-vs, asn: 65188, ip: 172.30.1.188/21, protocolIP: 172.30.9.188/32, vtepIP: 172.30.13.188/32, vlanNamespaces: [lg-vl]}
---
apiVersion: wiring.githedgehog.com/v1beta1
kind: Server
metadata: {name: lg-srv}
spec: {description: made by hand}
---
apiVersion: wiring.githedgehog.com/v1beta1
kind: Connection
metadata: {name: lg-srv--unbundled--lg-leaf}
spec: {unbundled: {link: {server: {port: lg-srv/enp2s1}, switch: {port: lg-leaf/E1/9}}}}
---
apiVersion: vpc.githedgehog.com/v1beta1
kind: VPC
metadata: {name: lg-vpc}
spec: {ipv4Namespace: lg-ip, vlanNamespace: lg-vl, subnets: {default: {subnet: 10.88.17.0/24, vlan: 1881, dhcp: {enable: true}}}}
---
apiVersion: vpc.githedgehog.com/v1beta1
kind: VPCAttachment
metadata: {name: lg-att}
spec: {subnet: lg-vpc/default, connection: lg-srv--unbundled--lg-leaf}
`

// TestAccListResource_GenerateConfig: `terraform query -generate-config-out` (Terraform ≥ 1.14) writes an
// import block and a resource block per listed object; with that configuration the plan is only imports
// (nothing to add, change or destroy), the apply adopts every object and the next plan is empty. The real
// CLI, as a user runs it (terraform-plugin-testing's query steps do not generate configuration).
func TestAccListResource_GenerateConfig(t *testing.T) {
	accPreCheck(t)
	skipBelowQuery(t)
	createSwitchProfile(t, "acclg-vs")
	// Terraform orders the imports and the plan of unrelated objects differently from run to run.
	for run := 0; run < fidelityRuns; run++ {
		t.Run(fmt.Sprintf("run%d", run), func(t *testing.T) { generateOnce(t, run) })
	}
}

func generateOnce(t *testing.T, run int) {
	t.Helper()
	loadByHand(t, generateFabric, "generate-test", "g1")
	prov := stk.ProviderHCL(stack.Backends{Kubernetes: true})
	w := newWorkdir(t, fmt.Sprintf("w%d", run))
	w.write(prov)
	var q strings.Builder
	for _, k := range []string{"ipv4_namespace", "vlan_namespace", "switch", "server", "connection", "vpc", "vpc_attachment"} {
		fmt.Fprintf(&q, "list \"hedgehog_%s\" \"found\" {\n  provider = hedgehog\n  config {\n    labels = { \"generate-test\" = \"g1\" }\n  }\n}\n\n", k)
	}
	if err := os.WriteFile(filepath.Join(w.dir, "adopt.tfquery.hcl"), []byte(q.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := w.must("query", "-generate-config-out=generated.tf", "-no-color")
	gen, err := os.ReadFile(filepath.Join(w.dir, "generated.tf"))
	if err != nil {
		t.Fatalf("no generated configuration: %v\n%s", err, out)
	}
	for _, want := range []string{`resource "hedgehog_vpc"`, `name = "lg-vpc"`, `identity = {`, `connection_name = "lg-srv--unbundled--lg-leaf"`} {
		if !strings.Contains(strings.Join(strings.Fields(string(gen)), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("the generated configuration lacks %q:\n%s", want, gen)
		}
	}
	if t.Failed() {
		return
	}
	defer w.run(nil, "destroy", "-auto-approve", "-no-color") //nolint:errcheck // cleanup after a failure
	plan := w.must("plan", "-no-color")
	if !strings.Contains(plan, "Plan: 7 to import, 0 to add, 0 to change, 0 to destroy.") {
		t.Fatalf("the plan of the generated configuration is not only imports:\n%s\n\ngenerated:\n%s", plan, gen)
	}
	w.must("apply", "-auto-approve", "-no-color")
	if out, err := w.run(nil, "plan", "-detailed-exitcode", "-no-color"); err != nil {
		t.Fatalf("the plan after the import is not empty: %v\n%s", err, out)
	}
	// The generated configuration names other objects literally, not by reference, so Terraform does not
	// order their deletes, and the delete protections do not wait for objects that carry no mark of this
	// owner yet (imported ones, until their first update): destroy dependents first, as a user would.
	for _, targets := range [][]string{
		{"hedgehog_vpc_attachment.found_0"},
		{"hedgehog_vpc.found_0", "hedgehog_connection.found_0"},
		{"hedgehog_switch.found_0", "hedgehog_server.found_0", "hedgehog_ipv4_namespace.found_0"},
		{"hedgehog_vlan_namespace.found_0"},
	} {
		args := []string{"destroy", "-auto-approve", "-no-color"}
		for _, tg := range targets {
			args = append(args, "-target="+tg)
		}
		w.must(args...)
	}
	if out := w.must("state", "list"); strings.TrimSpace(out) != "" {
		t.Errorf("the state still holds:\n%s", out)
	}
	if kubeGet(t, fabric.KindVPC, "lg-vpc") != nil {
		t.Error("destroy left the imported VPC")
	}
}

// skipBelowQuery skips a test of `terraform query` when the CLI is older than Terraform 1.14 or is
// OpenTofu (which has no query command).
func skipBelowQuery(t *testing.T) {
	t.Helper()
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		t.Skip("no Terraform CLI (TF_ACC_TERRAFORM_PATH)")
	}
	b, err := exec.Command(cli, "version", "-json").Output()
	out := string(b)
	var v struct {
		Version string `json:"terraform_version"`
	}
	if i := strings.Index(out, "{"); err != nil || i < 0 || json.Unmarshal([]byte(out[i:]), &v) != nil {
		t.Fatalf("%s version -json: %v\n%s", cli, err, out)
	}
	parts := strings.SplitN(v.Version, ".", 3)
	major, _ := strconv.Atoi(parts[0])
	minor := 0
	if len(parts) > 1 {
		minor, _ = strconv.Atoi(parts[1])
	}
	if strings.Contains(filepath.Base(cli), "tofu") || major < 1 || (major == 1 && minor < 14) {
		t.Skipf("terraform query needs Terraform 1.14 or later; the CLI is %s %s", filepath.Base(cli), v.Version)
	}
}

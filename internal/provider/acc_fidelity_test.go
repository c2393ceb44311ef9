package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// The plan-fidelity workflows of DECISIONS.md ("The fabric after this plan") with the real CLI and the
// provider as a plugin, so that Terraform's validate, plan and apply walks are separate processes, as in a
// user's terminal. Terraform orders unrelated resources differently from run to run, so every case runs
// ten times.

const fidelityRuns = 10

const fidelityProfile = "accf-vs"

// literalHCL is a fabric written entirely with literal names: no resource refers to another by expression,
// so Terraform plans, applies and destroys them in any order.
func literalHCL(prov string) string {
	return prov + fmt.Sprintf(`
resource "hedgehog_ipv4_namespace" "ns" {
  name    = "ln-ip"
  subnets = ["10.81.0.0/16"]
}

resource "hedgehog_vlan_namespace" "ns" {
  name   = "ln-vl"
  ranges = [{ from = 1810, to = 1819 }]
}

resource "hedgehog_switch" "leaf" {
  name            = "ln-leaf"
  role            = "server-leaf"
  profile         = %q
  asn             = 65181
  ip              = "172.30.1.181/21"
  protocol_ip     = "172.30.9.181/32"
  vtep_ip         = "172.30.13.181/32"
  vlan_namespaces = ["ln-vl"]
}

resource "hedgehog_server" "srv" {
  name = "ln-srv"
}

resource "hedgehog_connection" "c" {
  name = "ln-srv--unbundled--ln-leaf"
  unbundled = {
    link = {
      server = { port = "ln-srv/enp2s1" }
      switch = { port = "ln-leaf/E1/5" }
    }
  }
}

resource "hedgehog_vpc" "a" {
  name           = "vpc-ln"
  ipv4_namespace = "ln-ip"
  vlan_namespace = "ln-vl"
  subnets = {
    default = { subnet = "10.81.1.0/24", vlan = 1811 }
  }
}

resource "hedgehog_vpc_attachment" "att" {
  name            = "ln-att"
  connection_name = "ln-srv--unbundled--ln-leaf"
  subnet          = "vpc-ln/default"
}
`, fidelityProfile)
}

// TestAccFidelity_LiteralNames: a configuration whose references are literal names plans, applies (directly
// or from a saved plan), plans empty and destroys, whatever order Terraform takes.
func TestAccFidelity_LiteralNames(t *testing.T) {
	accPreCheck(t)
	createSwitchProfile(t, fidelityProfile)
	r := newRepo(t)
	w := newWorkdir(t, "w")
	w.write(literalHCL(stk.ProviderHCL(stack.All(r.url))))
	defer w.run(nil, "destroy", "-auto-approve", "-no-color") //nolint:errcheck // cleanup on failure
	for i := 0; i < fidelityRuns; i++ {
		if i%2 == 0 {
			w.must("apply", "-auto-approve", "-no-color")
		} else { // a saved plan: its apply is a Terraform process of its own, without a validate walk
			w.must("plan", "-out=tfplan", "-no-color")
			w.must("apply", "-no-color", "tfplan")
		}
		if kubeGet(t, fabric.KindVPCAttachment, "ln-att") == nil {
			t.Fatalf("run %d: the attachment is not in the cluster", i)
		}
		if out, err := w.run(nil, "plan", "-detailed-exitcode", "-no-color"); err != nil {
			t.Fatalf("run %d: the plan after the apply is not empty: %v\n%s", i, err, out)
		}
		w.must("destroy", "-auto-approve", "-no-color")
		for _, k := range []struct{ kind, name string }{{fabric.KindVPC, "vpc-ln"}, {fabric.KindVPCAttachment, "ln-att"}, {fabric.KindConnection, "ln-srv--unbundled--ln-leaf"}} {
			if kubeGet(t, k.kind, k.name) != nil {
				t.Fatalf("run %d: %s %s is still in the cluster after destroy", i, k.kind, k.name)
			}
		}
	}
}

// movesHCL is a base fabric plus: VPC oldName with subnet S1 (VLAN 1821), VPC p with S2 and, unless moved,
// S3 (VLAN 1823), VPC q with S4 and, when moved, S3, and a connection connName on leaf port E1/7 and server
// port enp2s1. forEach writes the moving VPC as a for_each instance (a key rename).
func movesHCL(prov, vpcName, connName string, moved, forEach bool) string {
	var sb strings.Builder
	sb.WriteString(prov)
	fmt.Fprintf(&sb, `
resource "hedgehog_ipv4_namespace" "ns" {
  name    = "mv-ip"
  subnets = ["10.82.0.0/16"]
}

resource "hedgehog_vlan_namespace" "ns" {
  name   = "mv-vl"
  ranges = [{ from = 1820, to = 1829 }]
}

resource "hedgehog_switch" "leaf" {
  name            = "mv-leaf"
  role            = "server-leaf"
  profile         = %q
  asn             = 65182
  ip              = "172.30.1.182/21"
  protocol_ip     = "172.30.9.182/32"
  vtep_ip         = "172.30.13.182/32"
  vlan_namespaces = [hedgehog_vlan_namespace.ns.name]
}

resource "hedgehog_server" "srv" {
  name = "mv-srv"
}

resource "hedgehog_connection" %q {
  name = %q
  unbundled = {
    link = {
      server = { port = "${hedgehog_server.srv.name}/enp2s1" }
      switch = { port = "${hedgehog_switch.leaf.name}/E1/7" }
    }
  }
}
`, fidelityProfile, connName, connName)
	vpc := func(block, name string, subnets ...string) {
		fmt.Fprintf(&sb, "\nresource \"hedgehog_vpc\" %s {\n", block)
		if forEach && strings.HasPrefix(block, `"moving"`) {
			fmt.Fprintf(&sb, "  for_each       = toset([%q])\n  name           = each.key\n", name)
		} else {
			fmt.Fprintf(&sb, "  name           = %q\n", name)
		}
		sb.WriteString("  ipv4_namespace = hedgehog_ipv4_namespace.ns.name\n  vlan_namespace = hedgehog_vlan_namespace.ns.name\n  subnets = {\n")
		for _, s := range subnets {
			sb.WriteString("    " + s + "\n")
		}
		sb.WriteString("  }\n}\n")
	}
	const s1, s2, s3, s4 = `a = { subnet = "10.82.1.0/24", vlan = 1821 }`, `a = { subnet = "10.82.2.0/24", vlan = 1822 }`,
		`b = { subnet = "10.82.3.0/24", vlan = 1823 }`, `a = { subnet = "10.82.4.0/24", vlan = 1824 }`
	if forEach {
		vpc(`"moving"`, vpcName, s1)
	} else {
		vpc(fmt.Sprintf("%q", vpcName), vpcName, s1)
	}
	if moved {
		vpc(`"p"`, "mv-p", s2)
		vpc(`"q"`, "mv-q", s4, s3)
	} else {
		vpc(`"p"`, "mv-p", s2, s3)
		vpc(`"q"`, "mv-q", s4)
	}
	return sb.String()
}

// TestAccFidelity_Moves: in one apply, a subnet and its VLAN move from a destroyed VPC to a new one (as two
// resources, or as a for_each key rename), a subnet moves between two existing VPCs (two in-place updates),
// and a connection's ports move from a destroyed connection to a new one. Each plans cleanly, applies,
// and leaves an empty plan.
func TestAccFidelity_Moves(t *testing.T) {
	accPreCheck(t)
	createSwitchProfile(t, fidelityProfile)
	r := newRepo(t)
	prov := stk.ProviderHCL(stack.All(r.url))
	w := newWorkdir(t, "w")
	defer w.run(nil, "destroy", "-auto-approve", "-no-color") //nolint:errcheck // cleanup on failure
	for i := 0; i < fidelityRuns; i++ {
		forEach := i%2 == 1
		w.write(movesHCL(prov, "mv-old", "mv-conn-old", false, forEach))
		w.must("apply", "-auto-approve", "-no-color")
		w.write(movesHCL(prov, "mv-new", "mv-conn-new", true, forEach))
		out := w.must("apply", "-auto-approve", "-no-color")
		if !strings.Contains(out, "Apply complete!") {
			t.Fatalf("run %d: %s", i, out)
		}
		if kubeGet(t, fabric.KindVPC, "mv-old") != nil || kubeGet(t, fabric.KindVPC, "mv-new") == nil || kubeGet(t, fabric.KindConnection, "mv-conn-new") == nil {
			t.Fatalf("run %d: the cluster does not hold the moved objects", i)
		}
		if q := kubeGet(t, fabric.KindVPC, "mv-q"); q == nil || !strings.Contains(fmt.Sprint(q.Object["spec"]), "10.82.3.0/24") {
			t.Fatalf("run %d: the subnet did not move to mv-q", i)
		}
		if out, err := w.run(nil, "plan", "-detailed-exitcode", "-no-color"); err != nil {
			t.Fatalf("run %d: the plan after the moves is not empty: %v\n%s", i, err, out)
		}
		w.must("destroy", "-auto-approve", "-no-color")
	}
}

// TestAccFidelity_AllErrorsInOnePlan: terraform validate checks what is known of an object whose namespace
// attributes are references (its DHCP range), and one plan reports every mistake of the object: the spec
// error (the range) and the cross-resource one (a VLAN outside its namespace), where the spec error used to
// hide the other.
func TestAccFidelity_AllErrorsInOnePlan(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	w := newWorkdir(t, "w")
	w.write(stk.ProviderHCL(stack.All(r.url)) + `
resource "hedgehog_ipv4_namespace" "ns" {
  name    = "ae-ip"
  subnets = ["10.83.0.0/16"]
}

resource "hedgehog_vlan_namespace" "ns" {
  name   = "ae-vl"
  ranges = [{ from = 1830, to = 1839 }]
}

resource "hedgehog_vpc" "v" {
  name           = "ae-vpc"
  ipv4_namespace = hedgehog_ipv4_namespace.ns.name
  vlan_namespace = hedgehog_vlan_namespace.ns.name
  subnets = {
    default = {
      subnet = "10.83.1.0/24"
      vlan   = 1899
      dhcp   = { enable = true, range = { start = "10.83.1.200", end = "10.83.1.100" } }
    }
  }
}
`)
	out := w.fails(nil, []string{"rule vpc.subnet.dhcp.range-order"}, "validate", "-no-color")
	if strings.Contains(out, "vlan-in-namespace") {
		t.Errorf("validate cannot know the namespace's ranges yet:\n%s", out)
	}
	w.fails(nil, []string{"rule vpc.subnet.dhcp.range-order", "rule cross.vpc.vlan-in-namespace"}, "plan", "-no-color")
	if kubeGet(t, fabric.KindVPC, "ae-vpc") != nil {
		t.Error("a failed plan wrote the VPC")
	}
}

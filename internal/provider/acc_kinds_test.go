package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// The switch profile the kinds tests put into the cluster (a copy of the built-in "vs").
const kindsProfile = "acck-vs"

// kindsFabricHCL is a small valid fabric for the default fabric configuration: a spine, two server leaves
// in one ESLAG group, two servers, one connection of each common type (fabric, unbundled, eslag, external),
// two VPCs in their own namespaces, attachments, a VPC peering and an external with its attachment and
// peering. Every reference goes through the referenced resource so Terraform orders creates (the cascade
// sees objects planned earlier in the run) and destroys (the delete protections see dependents gone).
func kindsFabricHCL(provider, leafDesc string) string {
	return provider + fmt.Sprintf(`
resource "hedgehog_ipv4_namespace" "ns" {
  name    = "kf-ip"
  subnets = ["10.72.0.0/16"]
}

resource "hedgehog_vlan_namespace" "ns" {
  name   = "kf-vl"
  ranges = [{ from = 1720, to = 1739 }]
}

resource "hedgehog_switch_group" "g" {
  name = "kf-eslag"
}

resource "hedgehog_switch" "spine" {
  name            = "kf-spine"
  role            = "spine"
  profile         = %[1]q
  asn             = 65100
  ip              = "172.30.1.170/21"
  protocol_ip     = "172.30.9.170/32"
  vlan_namespaces = [hedgehog_vlan_namespace.ns.name]
}

resource "hedgehog_switch" "leaf1" {
  name            = "kf-leaf1"
  role            = "server-leaf"
  description     = %[2]q
  profile         = %[1]q
  asn             = 65171
  ip              = "172.30.1.171/21"
  protocol_ip     = "172.30.9.171/32"
  vtep_ip         = "172.30.13.171/32"
  boot            = { mac = "0c:20:12:fe:71:00" }
  redundancy      = { group = hedgehog_switch_group.g.name, type = "eslag" }
  vlan_namespaces = [hedgehog_vlan_namespace.ns.name]
}

resource "hedgehog_switch" "leaf2" {
  name            = "kf-leaf2"
  role            = "server-leaf"
  profile         = %[1]q
  asn             = 65172
  ip              = "172.30.1.172/21"
  protocol_ip     = "172.30.9.172/32"
  vtep_ip         = "172.30.13.172/32"
  redundancy      = { group = hedgehog_switch_group.g.name, type = "eslag" }
  vlan_namespaces = [hedgehog_vlan_namespace.ns.name]
}

resource "hedgehog_server" "s1" {
  name        = "kf-srv1"
  description = "single-homed server"
}

resource "hedgehog_server" "s2" {
  name = "kf-srv2"
}

resource "hedgehog_connection" "fabric" {
  name = "kf-spine--fabric--kf-leaf1"
  fabric = {
    links = [{
      spine = { port = "${hedgehog_switch.spine.name}/E1/1", ip = "172.30.200.170/31" }
      leaf  = { port = "${hedgehog_switch.leaf1.name}/E1/48", ip = "172.30.200.171/31" }
    }]
  }
}

resource "hedgehog_connection" "unbundled" {
  name = "kf-srv1--unbundled--kf-leaf1"
  unbundled = {
    link = {
      server = { port = "${hedgehog_server.s1.name}/enp2s1" }
      switch = { port = "${hedgehog_switch.leaf1.name}/E1/1" }
    }
  }
}

resource "hedgehog_connection" "eslag" {
  name = "kf-srv2--eslag--kf-eslag"
  eslag = {
    links = [
      {
        server = { port = "${hedgehog_server.s2.name}/enp2s1" }
        switch = { port = "${hedgehog_switch.leaf1.name}/E1/2" }
      },
      {
        server = { port = "${hedgehog_server.s2.name}/enp2s2" }
        switch = { port = "${hedgehog_switch.leaf2.name}/E1/2" }
      },
    ]
  }
}

resource "hedgehog_connection" "external" {
  name = "kf-leaf2--external--e1-10"
  external = {
    link = { switch = { port = "${hedgehog_switch.leaf2.name}/E1/10" } }
  }
}

resource "hedgehog_vpc" "v1" {
  name           = "kf-vpc1"
  ipv4_namespace = hedgehog_ipv4_namespace.ns.name
  vlan_namespace = hedgehog_vlan_namespace.ns.name
  subnets = {
    default = {
      subnet = "10.72.1.0/24"
      vlan   = 1721
      dhcp   = { enable = true }
    }
  }
}

resource "hedgehog_vpc" "v2" {
  name           = "kf-vpc2"
  ipv4_namespace = hedgehog_ipv4_namespace.ns.name
  vlan_namespace = hedgehog_vlan_namespace.ns.name
  subnets = {
    default = {
      subnet = "10.72.2.0/24"
      vlan   = 1722
    }
  }
}

resource "hedgehog_vpc_attachment" "a1" {
  name            = "kf-vpc1--kf-srv1"
  connection_name = hedgehog_connection.unbundled.name
  subnet          = "${hedgehog_vpc.v1.name}/default"
}

resource "hedgehog_vpc_attachment" "a2" {
  name            = "kf-vpc2--kf-srv2"
  connection_name = hedgehog_connection.eslag.name
  subnet          = "${hedgehog_vpc.v2.name}/default"
  native_vlan     = true
}

resource "hedgehog_vpc_peering" "p" {
  name = "kf-vpc1--kf-vpc2"
  permit = [{
    (hedgehog_vpc.v1.name) = { subnets = ["default"] }
    (hedgehog_vpc.v2.name) = { subnets = ["default"] }
  }]
}

resource "hedgehog_external" "e" {
  name               = "kf-ext"
  ipv4_namespace     = hedgehog_ipv4_namespace.ns.name
  inbound_community  = "65102:5000"
  outbound_community = "5000:65102"
}

resource "hedgehog_external_attachment" "ea" {
  name            = "kf-ext--kf-leaf2"
  connection_name = hedgehog_connection.external.name
  external        = hedgehog_external.e.name
  switch          = { ip = "100.100.72.1/24", vlan = 172 }
  neighbor        = { asn = 65102, ip = "100.100.72.6" }
}

resource "hedgehog_external_peering" "ep" {
  name = "kf-vpc1--kf-ext"
  permit = {
    external = {
      name     = hedgehog_external.e.name
      # sorted as the fabric sorts them: an unsorted list stays unsorted in state but is sorted in the
      # manifest, so an import (which reads the manifest) would differ from the state
      prefixes = [{ prefix = "0.0.0.0/0" }, { prefix = "10.200.0.0/16" }]
    }
    vpc = {
      name    = hedgehog_vpc.v1.name
      subnets = ["default"]
    }
  }
}
output "ep_manifest" {
  value = provider::hedgehog::manifest("ExternalPeering", hedgehog_external_peering.ep)
}

output "leaf1_manifest" {
  value = provider::hedgehog::manifest("Switch", hedgehog_switch.leaf1)
}
`, kindsProfile, leafDesc)
}

// kindsDataHCL reads back a few objects through data sources (after the resources exist).
const kindsDataHCL = `
data "hedgehog_switch" "leaf1" {
  name       = "kf-leaf1"
  depends_on = [hedgehog_switch.leaf1]
}

data "hedgehog_connection" "eslag" {
  name       = "kf-srv2--eslag--kf-eslag"
  depends_on = [hedgehog_connection.eslag]
}

data "hedgehog_vpc" "v1" {
  name       = "kf-vpc1"
  depends_on = [hedgehog_vpc.v1]
}

data "hedgehog_switch_profile" "p" {
  name = "` + kindsProfile + `"
}
`

// kindsObjects are the objects of kindsFabricHCL with their resource addresses.
var kindsObjects = []struct {
	addr string
	kindObj
}{
	{"hedgehog_ipv4_namespace.ns", kindObj{fabric.KindIPv4Namespace, "kf-ip"}},
	{"hedgehog_vlan_namespace.ns", kindObj{fabric.KindVLANNamespace, "kf-vl"}},
	{"hedgehog_switch_group.g", kindObj{fabric.KindSwitchGroup, "kf-eslag"}},
	{"hedgehog_switch.spine", kindObj{fabric.KindSwitch, "kf-spine"}},
	{"hedgehog_switch.leaf1", kindObj{fabric.KindSwitch, "kf-leaf1"}},
	{"hedgehog_switch.leaf2", kindObj{fabric.KindSwitch, "kf-leaf2"}},
	{"hedgehog_server.s1", kindObj{fabric.KindServer, "kf-srv1"}},
	{"hedgehog_server.s2", kindObj{fabric.KindServer, "kf-srv2"}},
	{"hedgehog_connection.fabric", kindObj{fabric.KindConnection, "kf-spine--fabric--kf-leaf1"}},
	{"hedgehog_connection.unbundled", kindObj{fabric.KindConnection, "kf-srv1--unbundled--kf-leaf1"}},
	{"hedgehog_connection.eslag", kindObj{fabric.KindConnection, "kf-srv2--eslag--kf-eslag"}},
	{"hedgehog_connection.external", kindObj{fabric.KindConnection, "kf-leaf2--external--e1-10"}},
	{"hedgehog_vpc.v1", kindObj{fabric.KindVPC, "kf-vpc1"}},
	{"hedgehog_vpc.v2", kindObj{fabric.KindVPC, "kf-vpc2"}},
	{"hedgehog_vpc_attachment.a1", kindObj{fabric.KindVPCAttachment, "kf-vpc1--kf-srv1"}},
	{"hedgehog_vpc_attachment.a2", kindObj{fabric.KindVPCAttachment, "kf-vpc2--kf-srv2"}},
	{"hedgehog_vpc_peering.p", kindObj{fabric.KindVPCPeering, "kf-vpc1--kf-vpc2"}},
	{"hedgehog_external.e", kindObj{fabric.KindExternal, "kf-ext"}},
	{"hedgehog_external_attachment.ea", kindObj{fabric.KindExternalAttachment, "kf-ext--kf-leaf2"}},
	{"hedgehog_external_peering.ep", kindObj{fabric.KindExternalPeering, "kf-vpc1--kf-ext"}},
}

func kindsObjs() []kindObj {
	out := make([]kindObj, len(kindsObjects))
	for i, o := range kindsObjects {
		out[i] = o.kindObj
	}
	return out
}

// TestAccKinds_Fabric builds a small fabric of every managed kind in one configuration with Git and the
// cluster configured, checks the fabric's defaults, reads objects back through data sources, imports one
// resource of each kind and destroys everything.
func TestAccKinds_Fabric(t *testing.T) {
	accPreCheck(t)
	createSwitchProfile(t, kindsProfile)
	r := newRepo(t)
	prov := stk.ProviderHCL(stack.Backends{Git: true, Kubernetes: true, GitURL: r.url})
	cfg := kindsFabricHCL(prov, "leaf 1")
	cfg2 := kindsFabricHCL(prov, "leaf 1, rack 7") + kindsDataHCL
	str := knownvalue.StringExact
	steps := []resource.TestStep{
		{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("hedgehog_switch.leaf1", plancheck.ResourceActionCreate),
				plancheck.ExpectResourceAction("hedgehog_external_peering.ep", plancheck.ResourceActionCreate),
				// defaults are known at plan time
				plancheck.ExpectKnownValue("hedgehog_switch.leaf1", tfjsonpath.New("groups"), knownvalue.ListExact([]knownvalue.Check{str("kf-eslag")})),
				plancheck.ExpectKnownValue("hedgehog_vpc.v2", tfjsonpath.New("subnets").AtMapKey("default").AtMapKey("gateway"), str("10.72.2.1")),
				plancheck.ExpectKnownValue("hedgehog_connection.eslag", tfjsonpath.New("git_path"), str("fabric/connection/kf-srv2--eslag--kf-eslag.yaml")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				// Switch: the redundancy group joins groups; boot/ecmp/redundancy are defaulted objects
				statecheck.ExpectKnownValue("hedgehog_switch.leaf1", tfjsonpath.New("groups"), knownvalue.ListExact([]knownvalue.Check{str("kf-eslag")})),
				statecheck.ExpectKnownValue("hedgehog_switch.leaf2", tfjsonpath.New("groups"), knownvalue.ListExact([]knownvalue.Check{str("kf-eslag")})),
				statecheck.ExpectKnownValue("hedgehog_switch.spine", tfjsonpath.New("redundancy"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue("hedgehog_switch.spine", tfjsonpath.New("ecmp"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue("hedgehog_switch.spine", tfjsonpath.New("vtep_ip"), knownvalue.Null()),
				// VPC: gateway and DHCP range defaulted from the subnet
				statecheck.ExpectKnownValue("hedgehog_vpc.v1", tfjsonpath.New("subnets").AtMapKey("default").AtMapKey("gateway"), str("10.72.1.1")),
				statecheck.ExpectKnownValue("hedgehog_vpc.v1", tfjsonpath.New("subnets").AtMapKey("default").AtMapKey("dhcp").AtMapKey("range").AtMapKey("start"), str("10.72.1.2")),
				statecheck.ExpectKnownValue("hedgehog_vpc.v1", tfjsonpath.New("subnets").AtMapKey("default").AtMapKey("dhcp").AtMapKey("range").AtMapKey("end"), str("10.72.1.255")),
				// the manifest of the external peering carries both prefixes
				statecheck.ExpectKnownOutputValue("ep_manifest", knownvalue.StringRegexp(regexp.MustCompile(`(?s)prefix: 0\.0\.0\.0/0.*prefix: 10\.200\.0\.0/16`))),
				statecheck.ExpectKnownValue("hedgehog_vpc_attachment.a1", tfjsonpath.New("native_vlan"), knownvalue.Null()),
				statecheck.ExpectKnownValue("hedgehog_connection.fabric", tfjsonpath.New("cluster_uid"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue("hedgehog_external_attachment.ea", tfjsonpath.New("git_commit"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{40}$`))),
				statecheck.ExpectKnownValue("hedgehog_server.s1", tfjsonpath.New("drift"), knownvalue.MapExact(map[string]knownvalue.Check{})),
				statecheck.ExpectKnownValue("hedgehog_switch_group.g", tfjsonpath.New("id"), str("default/kf-eslag")),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				presentInClusterAndGit(t, r, kindsObjs()),
				checkAll(t, func(t *testing.T) {
					sw := kubeGet(t, fabric.KindSwitch, "kf-leaf1")
					if v, _, _ := unstructuredString(sw.Object, "spec", "groups"); v != "[kf-eslag]" {
						t.Errorf("cluster switch groups %s", v)
					}
					if v, _, _ := unstructuredString(sw.Object, "spec", "vtepIP"); v != "172.30.13.171/32" {
						t.Errorf("cluster switch vtepIP %s", v)
					}
					c := kubeGet(t, fabric.KindConnection, "kf-srv2--eslag--kf-eslag")
					if _, found, _ := unstructuredString(c.Object, "spec", "eslag", "links"); !found {
						t.Errorf("cluster connection has no eslag links: %v", c.Object["spec"])
					}
					if b := string(gitFile(t, r, fabric.KindExternalAttachment, "kf-ext--kf-leaf2")); !regexp.MustCompile(`asn: 65102`).MatchString(b) {
						t.Errorf("git external attachment: %s", b)
					}
				}),
			),
		},
		{
			// the data sources read from the cluster; the configuration plans nothing else
			Config: cfg + kindsDataHCL,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("hedgehog_switch.leaf1", plancheck.ResourceActionNoop),
				plancheck.ExpectResourceAction("hedgehog_vpc_peering.p", plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.hedgehog_switch.leaf1", tfjsonpath.New("asn"), knownvalue.Int64Exact(65171)),
				statecheck.ExpectKnownValue("data.hedgehog_switch.leaf1", tfjsonpath.New("groups"), knownvalue.ListExact([]knownvalue.Check{str("kf-eslag")})),
				statecheck.ExpectKnownValue("data.hedgehog_switch.leaf1", tfjsonpath.New("redundancy").AtMapKey("type"), str("eslag")),
				statecheck.ExpectKnownValue("data.hedgehog_switch.leaf1", tfjsonpath.New("annotations"), knownvalue.MapPartial(map[string]knownvalue.Check{"terraform.githedgehog.com/managed-by": knownvalue.NotNull()})),
				statecheck.ExpectKnownValue("data.hedgehog_connection.eslag", tfjsonpath.New("eslag").AtMapKey("links").AtSliceIndex(1).AtMapKey("switch").AtMapKey("port"), str("kf-leaf2/E1/2")),
				statecheck.ExpectKnownValue("data.hedgehog_vpc.v1", tfjsonpath.New("subnets").AtMapKey("default").AtMapKey("gateway"), str("10.72.1.1")),
				statecheck.ExpectKnownValue("data.hedgehog_vpc.v1", tfjsonpath.New("ipv4_namespace"), str("kf-ip")),
				statecheck.ExpectKnownValue("data.hedgehog_switch_profile.p", tfjsonpath.New("platform"), str("vs")),
				statecheck.ExpectKnownValue("data.hedgehog_switch_profile.p", tfjsonpath.New("ports").AtMapKey("E1/48").AtMapKey("nos"), str("Ethernet188")),
			},
		},
		{
			// a spec change updates the one switch in place; nothing else moves
			Config: cfg2,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("hedgehog_switch.leaf1", plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownOutputValue("leaf1_manifest", knownvalue.StringRegexp(regexp.MustCompile(`description: leaf 1, rack 7`))),
				plancheck.ExpectResourceAction("hedgehog_connection.unbundled", plancheck.ResourceActionNoop),
				plancheck.ExpectResourceAction("hedgehog_switch.leaf2", plancheck.ResourceActionNoop),
			}},
			Check: checkAll(t, func(t *testing.T) {
				if v, _, _ := unstructuredString(kubeGet(t, fabric.KindSwitch, "kf-leaf1").Object, "spec", "description"); v != "leaf 1, rack 7" {
					t.Errorf("cluster description %q", v)
				}
				if b := string(gitFile(t, r, fabric.KindSwitch, "kf-leaf1")); !regexp.MustCompile(`description: leaf 1, rack 7`).MatchString(b) {
					t.Errorf("git switch: %s", b)
				}
			}),
		},
		{
			Config:   cfg2,
			PlanOnly: true, // refresh finds every backend at its checkpoint: an empty plan
		},
		// the import steps below run with this configuration: an output that reads a resource is null in an
		// import-only state, which terraform-plugin-testing cannot read back
		{Config: withoutOutputs(cfg2)},
	}
	// import one resource of each kind (both ID forms) and compare with the state
	seen := map[string]bool{}
	for i, o := range kindsObjects {
		if seen[o.kind] {
			continue
		}
		seen[o.kind] = true
		id := o.name
		if i%2 == 1 {
			id = "default/" + o.name
		}
		// No Config of its own: an import step with one is written without required_providers, which
		// OpenTofu then resolves against its own registry instead of the provider under test.
		steps = append(steps, resource.TestStep{
			ResourceName:      o.addr,
			ImportState:       true,
			ImportStateId:     id,
			ImportStateVerify: true, ImportStateVerifyIgnore: importIgnoresGitCommit,
		})
	}
	if len(seen) != len(managedKinds) {
		t.Fatalf("the fabric covers %d kinds, the provider manages %d", len(seen), len(managedKinds))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		CheckDestroy: func(*terraform.State) error {
			return absentFromClusterAndGit(t, &r, kindsObjs())
		},
		Steps: steps,
	})
}

// kindsRejectCase is a configuration the cascade must reject at plan time, before anything is written.
type kindsRejectCase struct {
	name    string
	hcl     string         // resources (the provider block is added)
	errRe   *regexp.Regexp // what the plan error must say
	objects []kindObj      // objects of the configuration: none may reach the cluster or Git
}

// kindsRejectNS is a pair of namespaces the rejection configurations build on.
const kindsRejectNS = `
resource "hedgehog_ipv4_namespace" "ns" {
  name    = "kr-ip"
  subnets = ["10.74.0.0/16"]
}

resource "hedgehog_vlan_namespace" "ns" {
  name   = "kr-vl"
  ranges = [{ from = 1740, to = 1759 }]
}
`

func kindsRejectVPC(res, name, subnet string, vlan int) string {
	return fmt.Sprintf(`
resource "hedgehog_vpc" %[1]q {
  name           = %[2]q
  ipv4_namespace = hedgehog_ipv4_namespace.ns.name
  vlan_namespace = hedgehog_vlan_namespace.ns.name
  subnets = {
    default = {
      subnet = %[3]q
      vlan   = %[4]d
    }
  }
}
`, res, name, subnet, vlan)
}

func kindsRejectLeaf(vtep string) string {
	return fmt.Sprintf(`
resource "hedgehog_switch" "leaf" {
  name            = "kr-leaf"
  role            = "server-leaf"
  profile         = %q
  asn             = 65181
  ip              = "172.30.1.181/21"
  protocol_ip     = "172.30.9.181/32"
  vtep_ip         = %q
  vlan_namespaces = [hedgehog_vlan_namespace.ns.name]
}
`, kindsProfile, vtep)
}

func kindsRejectCases() []kindsRejectCase {
	ns := []kindObj{{fabric.KindIPv4Namespace, "kr-ip"}, {fabric.KindVLANNamespace, "kr-vl"}}
	with := func(objs ...kindObj) []kindObj { return append(append([]kindObj(nil), ns...), objs...) }
	unbundled := func(res, name, server, port string) string {
		return fmt.Sprintf(`
resource "hedgehog_server" %[1]q {
  name = %[3]q
}

resource "hedgehog_connection" %[1]q {
  name = %[2]q
  unbundled = {
    link = {
      server = { port = "${hedgehog_server.%[1]s.name}/enp2s1" }
      switch = { port = "${hedgehog_switch.leaf.name}/%[4]s" }
    }
  }
}
`, res, name, server, port)
	}
	return []kindsRejectCase{
		{
			name: "port_used_twice",
			hcl: kindsRejectNS + kindsRejectLeaf("172.30.13.181/32") +
				unbundled("a", "kr-srva--kr-leaf", "kr-srva", "E1/5") + unbundled("b", "kr-srvb--kr-leaf", "kr-srvb", "E1/5"),
			// whichever connection is planned second names the first
			errRe: regexp.MustCompile(`(?s)port already used by another connection.*cross\.connection\.port-in-use.*kr-leaf/E1/5\s+of\s+Connection\s+"kr-srv[ab]--kr-leaf"`),
			objects: with(kindObj{fabric.KindSwitch, "kr-leaf"}, kindObj{fabric.KindServer, "kr-srva"}, kindObj{fabric.KindServer, "kr-srvb"},
				kindObj{fabric.KindConnection, "kr-srva--kr-leaf"}, kindObj{fabric.KindConnection, "kr-srvb--kr-leaf"}),
		},
		{
			name: "attachment_missing_connection",
			hcl: kindsRejectNS + kindsRejectVPC("v", "kr-vpc", "10.74.1.0/24", 1741) + `
resource "hedgehog_vpc_attachment" "a" {
  name            = "kr-vpc--nowhere"
  connection_name = "kr-no-such-connection"
  subnet          = "${hedgehog_vpc.v.name}/default"
}
`,
			errRe:   regexp.MustCompile(`(?s)connection not found.*cross\.vpcattachment\.connection-exists.*Connection\s+"kr-no-such-connection",\s+which\s+does\s+not\s+exist`),
			objects: with(kindObj{fabric.KindVPC, "kr-vpc"}, kindObj{fabric.KindVPCAttachment, "kr-vpc--nowhere"}),
		},
		{
			name:    "subnet_outside_namespace",
			hcl:     kindsRejectNS + kindsRejectVPC("v", "kr-vpc", "10.75.1.0/24", 1741),
			errRe:   regexp.MustCompile(`(?s)subnet outside its IPv4Namespace.*cross\.vpc\.subnet-in-namespace.*10\.75\.1\.0/24.*"kr-ip"`),
			objects: with(kindObj{fabric.KindVPC, "kr-vpc"}),
		},
		{
			name: "new_vpcs_overlap",
			hcl:  kindsRejectNS + kindsRejectVPC("a", "kr-vpc-a", "10.74.8.0/22", 1742) + kindsRejectVPC("b", "kr-vpc-b", "10.74.9.0/24", 1743),
			// the error names both VPCs (either may be planned second)
			errRe: regexp.MustCompile(`(?s)cross\.vpc\.subnet-overlap.*(` +
				`\(VPC\s+"kr-vpc-a",\s+subnet\s+"default"\)\s+overlaps\s+subnet\s+10\.74\.9\.0/24\s+\(VPC\s+"kr-vpc-b"` + `|` +
				`\(VPC\s+"kr-vpc-b",\s+subnet\s+"default"\)\s+overlaps\s+subnet\s+10\.74\.8\.0/22\s+\(VPC\s+"kr-vpc-a"` + `)`),
			objects: with(kindObj{fabric.KindVPC, "kr-vpc-a"}, kindObj{fabric.KindVPC, "kr-vpc-b"}),
		},
		{
			name:    "vlan_in_irb_range",
			hcl:     kindsRejectNS + kindsRejectVPC("v", "kr-vpc", "10.74.1.0/24", 3001),
			errRe:   regexp.MustCompile(`(?s)VLAN is reserved by the fabric.*fabric\.vpc\.vlan-reserved.*VLAN\s+3001\s+lies\s+in\s+the\s+VPC\s+IRB\s+VLAN\s+range.*3000-3899`),
			objects: with(kindObj{fabric.KindVPC, "kr-vpc"}),
		},
		{
			name:    "vtep_outside_subnet",
			hcl:     kindsRejectNS + kindsRejectLeaf("172.30.20.181/32"),
			errRe:   regexp.MustCompile(`(?s)VTEP IP outside the VTEP subnet.*fabric\.switch\.vtep-ip.*172\.30\.20\.181\s+is\s+not\s+in\s+vtepSubnet\s+172\.30\.12\.0/22`),
			objects: with(kindObj{fabric.KindSwitch, "kr-leaf"}),
		},
		{
			name:    "vpc_name_too_long",
			hcl:     kindsRejectNS + kindsRejectVPC("v", "kr-vpc-name-12", "10.74.1.0/24", 1741),
			errRe:   regexp.MustCompile(`(?s)name is longer than 11 characters.*meta\.name\.length.*"kr-vpc-name-12"\s+has\s+14\s+characters`),
			objects: with(kindObj{fabric.KindVPC, "kr-vpc-name-12"}),
		},
	}
}

// TestAccKinds_PlanRejections shows the cascade stopping bad input at plan time: each configuration fails
// to plan with the rule's message, and none of its objects reaches the cluster or the repository.
func TestAccKinds_PlanRejections(t *testing.T) {
	accPreCheck(t)
	createSwitchProfile(t, kindsProfile)
	for _, c := range kindsRejectCases() {
		t.Run(c.name, func(t *testing.T) {
			r := newRepo(t)
			before := len(gitCommits(t, r))
			prov := stk.ProviderHCL(stack.Backends{Git: true, Kubernetes: true, GitURL: r.url})
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6(),
				Steps: []resource.TestStep{{
					Config:      prov + c.hcl,
					PlanOnly:    true,
					ExpectError: c.errRe,
				}},
			})
			if err := absentFromClusterAndGit(t, &r, c.objects); err != nil {
				t.Errorf("a rejected plan wrote: %v", err)
			}
			if n := len(gitCommits(t, r)); n != before {
				t.Errorf("the repository went from %d to %d commits on a rejected plan", before, n)
			}
		})
	}
}

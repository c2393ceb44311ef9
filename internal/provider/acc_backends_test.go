package provider

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/gitops"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/gitserver"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// Each backend alone: the VPC slice is created, updated and destroyed with only that backend configured.
func TestAccVPCSlice_GitOnly(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	prov := stk.ProviderHCL(stack.Backends{Git: true, GitURL: r.url})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		CheckDestroy: func(*terraform.State) error {
			if gitFile(t, r, fabric.KindVPC, "go-vpc") != nil {
				return fmt.Errorf("VPC file still in Git")
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: sliceConfig(prov, "go", "go-vpc", false),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("hedgehog_vpc.v", tfjsonpath.New("git_path"), knownvalue.StringExact("fabric/vpc/go-vpc.yaml")),
					statecheck.ExpectKnownValue("hedgehog_vpc.v", tfjsonpath.New("cluster_uid"), knownvalue.Null()),
					statecheck.ExpectKnownValue("hedgehog_vpc.v", tfjsonpath.New("netbox_ids"), knownvalue.Null()),
				},
				Check: checkAll(t, func(t *testing.T) {
					if gitFile(t, r, fabric.KindVPC, "go-vpc") == nil {
						t.Error("no VPC file in Git")
					}
					if kubeGet(t, fabric.KindVPC, "go-vpc") != nil || netboxHas(t, "/api/ipam/vrfs/", "name", "go-vpc") {
						t.Error("a backend that is not configured was written")
					}
				}),
			},
			{Config: sliceConfig(prov, "go", "go-vpc", true)},
			{ResourceName: "hedgehog_vpc.v", ImportState: true, ImportStateId: "go-vpc", ImportStateVerify: true, ImportStateVerifyIgnore: importIgnoresGitCommit},
			// an import block: the plan imports the object and has nothing else to do
			{ResourceName: "hedgehog_vpc.v", ImportState: true, ImportStateKind: resource.ImportBlockWithID, ImportStateId: "go-vpc"},
		},
	})
}

// TestAccVPCSlice_DeletedOutOfBand: an object gone from every backend leaves the state on refresh, so the
// plan creates it again; the apply puts it back everywhere.
func TestAccVPCSlice_DeletedOutOfBand(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	cfg := sliceConfig(stk.ProviderHCL(stack.Backends{Git: true, Kubernetes: true, GitURL: r.url}), "ob", "ob-vpc", false)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		CheckDestroy:             absentEverywhere(t, &r, fabric.KindVPC, "ob-vpc"),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					if err := dyn(t).Resource(gvr(fabric.KindVPC)).Namespace("default").Delete(context.Background(), "ob-vpc", metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
					if _, err := gitserver.CommitFile(r.dir, "main", "fabric/vpc/ob-vpc.yaml", nil, "removed by hand"); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("hedgehog_vpc.v", plancheck.ResourceActionCreate),
				}},
				Check: checkAll(t, func(t *testing.T) {
					if kubeGet(t, fabric.KindVPC, "ob-vpc") == nil || gitFile(t, r, fabric.KindVPC, "ob-vpc") == nil {
						t.Error("the VPC was not put back")
					}
				}),
			},
		},
	})
}

func TestAccVPCSlice_KubernetesOnly(t *testing.T) {
	accPreCheck(t)
	prov := stk.ProviderHCL(stack.Backends{Kubernetes: true})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		CheckDestroy:             absentEverywhere(t, nil, fabric.KindVPC, "ko-vpc"),
		Steps: []resource.TestStep{
			{
				Config: sliceConfig(prov, "ko", "ko-vpc", false),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("hedgehog_vpc.v", tfjsonpath.New("checkpoints"), knownvalue.MapExact(map[string]knownvalue.Check{
						"kubernetes": knownvalue.StringRegexp(regexp.MustCompile(`^digest=[0-9a-f]{32} resource_version=[0-9]+$`)),
					})),
					statecheck.ExpectKnownValue("hedgehog_vpc.v", tfjsonpath.New("git_commit"), knownvalue.Null()),
				},
			},
			{Config: sliceConfig(prov, "ko", "ko-vpc", true)},
			{ResourceName: "hedgehog_vpc.v", ImportState: true, ImportStateId: "ko-vpc", ImportStateVerify: true},
		},
	})
}

func TestAccVPCSlice_NetBoxOnly(t *testing.T) {
	accPreCheck(t)
	prov := stk.ProviderHCL(stack.Backends{NetBox: true})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		CheckDestroy: func(*terraform.State) error {
			if netboxHas(t, "/api/ipam/vrfs/", "name", "no-vpc") {
				return fmt.Errorf("VRF still in NetBox")
			}
			if netboxHas(t, "/api/ipam/prefixes/", "prefix", "10.61.0.0/16") {
				return fmt.Errorf("namespace container prefix still in NetBox")
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: sliceConfig(prov, "no", "no-vpc", false),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("hedgehog_vpc.v", tfjsonpath.New("netbox_ids").AtMapKey("vrf"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue("hedgehog_vpc.v", tfjsonpath.New("git_commit"), knownvalue.Null()),
				},
				Check: checkAll(t, func(t *testing.T) {
					if !netboxHas(t, "/api/ipam/prefixes/", "prefix", "10.61.1.0/24") || !netboxHas(t, "/api/ipam/vlans/", "vid", "1101") {
						t.Error("NetBox lacks the subnet's prefix or VLAN")
					}
					if kubeGet(t, fabric.KindVPC, "no-vpc") != nil {
						t.Error("the cluster was written although it is not configured")
					}
				}),
			},
			{
				Config: sliceConfig(prov, "no", "no-vpc", true),
				Check: checkAll(t, func(t *testing.T) {
					if !netboxHas(t, "/api/ipam/prefixes/", "prefix", "10.61.2.0/24") {
						t.Error("NetBox lacks the new subnet")
					}
				}),
			},
		},
	})
}

// expectDrift is a plan check: the refreshed prior state reports drift in the named backend.
type expectDrift struct{ addr, backend string }

func (e expectDrift) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if req.Plan.PriorState == nil || req.Plan.PriorState.Values == nil {
		resp.Error = fmt.Errorf("no prior state in the plan")
		return
	}
	for _, r := range req.Plan.PriorState.Values.RootModule.Resources {
		if r.Address != e.addr {
			continue
		}
		d, _ := r.AttributeValues["drift"].(map[string]any)
		if _, ok := d[e.backend]; !ok {
			resp.Error = fmt.Errorf("%s: drift %v does not name %s", e.addr, d, e.backend)
		}
		return
	}
	resp.Error = fmt.Errorf("%s not in the prior state", e.addr)
}

var _ = tfjson.Plan{}

// TestAccVPCSlice_Drift changes the VPC out of band in each backend in turn: the next plan reports the drift
// in that backend and an update, and the apply converges all three.
func TestAccVPCSlice_Drift(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	prov := stk.ProviderHCL(stack.All(r.url))
	cfg := sliceConfig(prov, "dr", "dr-vpc", false)
	converged := checkAll(t, func(t *testing.T) {
		if v, _, _ := unstructuredString(kubeGet(t, fabric.KindVPC, "dr-vpc").Object, "spec", "subnets", "default", "vlan"); v != "1101" {
			t.Errorf("cluster vlan %s", v)
		}
		if b := gitFile(t, r, fabric.KindVPC, "dr-vpc"); !bytes.Contains(b, []byte("vlan: 1101")) {
			t.Errorf("git file:\n%s", b)
		}
		if !netboxHas(t, "/api/ipam/vlans/", "vid", "1101") {
			t.Error("NetBox VLAN not back at 1101")
		}
	})
	driftStep := func(backend string, change func(t *testing.T)) resource.TestStep {
		return resource.TestStep{
			PreConfig: func() { change(t) },
			Config:    cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				expectDrift{"hedgehog_vpc.v", backend},
				plancheck.ExpectResourceAction("hedgehog_vpc.v", plancheck.ResourceActionUpdate),
			}},
			Check: converged,
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		CheckDestroy:             absentEverywhere(t, &r, fabric.KindVPC, "dr-vpc"),
		Steps: []resource.TestStep{
			{Config: cfg, Check: converged},
			driftStep("kubernetes", func(t *testing.T) {
				// kubectl edit: an Update by another field manager
				c := dyn(t).Resource(gvr(fabric.KindVPC)).Namespace("default")
				u := kubeGet(t, fabric.KindVPC, "dr-vpc")
				if err := unstructured.SetNestedField(u.Object, int64(1150), "spec", "subnets", "default", "vlan"); err != nil {
					t.Fatal(err)
				}
				if _, err := c.Update(context.Background(), u, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
					t.Fatal(err)
				}
			}),
			driftStep("git", func(t *testing.T) {
				b := gitFile(t, r, fabric.KindVPC, "dr-vpc")
				b = bytes.Replace(b, []byte("vlan: 1101"), []byte("vlan: 1160"), 1)
				if _, err := gitserver.CommitFile(r.dir, "main", "fabric/vpc/dr-vpc.yaml", b, "hand edit"); err != nil {
					t.Fatal(err)
				}
			}),
			driftStep("netbox", func(t *testing.T) {
				vlans := netboxList(t, "/api/ipam/vlans/", url.Values{"vid": {"1101"}})
				if len(vlans) != 1 {
					t.Fatalf("vlans %v", vlans)
				}
				netboxPatch(t, fmt.Sprintf("/api/ipam/vlans/%v/", vlans[0]["id"]), map[string]any{"vid": 1170})
			}),
		},
	})
}

func netboxPatch(t *testing.T, apiPath string, body map[string]any) {
	t.Helper()
	netboxDo(t, http.MethodPatch, apiPath, body)
}

// TestAccVPCSlice_Concurrent applies 12 VPCs at Terraform's default parallelism: every object lands in
// every backend, with at most one commit per object and none lost; destroy removes all.
func TestAccVPCSlice_Concurrent(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	const n = 12
	cfg := stk.ProviderHCL(stack.All(r.url)) + `
resource "hedgehog_ipv4_namespace" "ns" {
  name    = "cc-ip"
  subnets = ["10.62.0.0/16"]
}
resource "hedgehog_vlan_namespace" "ns" {
  name   = "cc-vl"
  ranges = [{ from = 1200, to = 1299 }]
}
resource "hedgehog_vpc" "v" {
  count          = 12
  name           = "cc-${count.index}"
  ipv4_namespace = hedgehog_ipv4_namespace.ns.name
  vlan_namespace = hedgehog_vlan_namespace.ns.name
  subnets = {
    default = { subnet = "10.62.${count.index}.0/24", vlan = 1200 + count.index }
  }
}
`
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("cc-%d", i)
	}
	before := len(gitCommits(t, r))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		CheckDestroy:             absentEverywhere(t, &r, fabric.KindVPC, names...),
		Steps: []resource.TestStep{{
			Config: cfg,
			Check: checkAll(t, func(t *testing.T) {
				commits := gitCommits(t, r)
				if got := len(commits) - before; got > n+2 {
					t.Errorf("%d commits for %d objects", got, n+2)
				}
				perObject := map[string]int{}
				for _, c := range commits {
					for _, name := range names {
						if strings.HasSuffix(strings.TrimSpace(c.Message), "/"+name) {
							perObject[name]++
						}
					}
				}
				for _, name := range names {
					if gitFile(t, r, fabric.KindVPC, name) == nil {
						t.Errorf("%s lost in Git", name)
					}
					if perObject[name] > 1 {
						t.Errorf("%s has %d commits", name, perObject[name])
					}
					if kubeGet(t, fabric.KindVPC, name) == nil {
						t.Errorf("%s not in the cluster", name)
					}
					if !netboxHas(t, "/api/ipam/vrfs/", "name", name) {
						t.Errorf("%s not in NetBox", name)
					}
				}
			}),
		}},
	})
}

// TestAccVPCSlice_GitRejects: a push the Git server rejects fails the apply at the git step, the diagnostic
// names the step and what was rolled back, and NetBox (written before) is back at its checkpoint.
func TestAccVPCSlice_GitRejects(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	cfg := sliceConfig(stk.ProviderHCL(stack.All(r.url)), "gr", "gr-vpc", false)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		CheckDestroy:             absentEverywhere(t, &r, fabric.KindVPC, "gr-vpc"),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if err := gitserver.RejectPushes(r.dir, true); err != nil {
						t.Fatal(err)
					}
				},
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)git failed.*The git step failed.*Rolled back to the checkpoint: \[netbox\]`),
			},
			{
				PreConfig: func() {
					if kubeGet(t, fabric.KindVPC, "gr-vpc") != nil || netboxHas(t, "/api/ipam/vrfs/", "name", "gr-vpc") || netboxHas(t, "/api/ipam/prefixes/", "prefix", "10.61.1.0/24") {
						t.Fatal("a failed apply left objects behind")
					}
					if err := gitserver.RejectPushes(r.dir, false); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
			},
		},
	})
}

// TestAccVPCSlice_ObserveMode: with the cluster in observe mode the provider writes Git only and waits for a
// GitOps controller (a small one from the test harness) to apply the object; destroy waits for it to go.
// The controller adds the tracking labels and annotations Flux and Argo CD add: the wait ends all the same,
// and the plans after each apply (empty, as the test framework requires) show they are not drift.
func TestAccVPCSlice_ObserveMode(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	ctrl, err := gitops.StartWith(r.dir, "main", "fabric", stk.API.RESTConfig(), 200*time.Millisecond, gitops.Options{Tracking: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ctrl.Stop()
	b := stack.Backends{Git: true, Kubernetes: true, GitURL: r.url, KubernetesMode: "observe"}
	cfg := sliceConfig(stk.ProviderHCL(b), "om", "om-vpc", false)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		CheckDestroy:             absentEverywhere(t, &r, fabric.KindVPC, "om-vpc"),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("hedgehog_vpc.v", tfjsonpath.New("cluster_uid"), knownvalue.NotNull()),
				},
				Check: checkAll(t, func(t *testing.T) {
					u := kubeGet(t, fabric.KindVPC, "om-vpc")
					if u == nil {
						t.Fatal("the controller did not apply the VPC")
					}
					for _, mf := range u.GetManagedFields() {
						if mf.Manager == "terraform-provider-hedgehog" {
							t.Error("observe mode wrote the cluster itself")
						}
					}
					if u.GetLabels()["kustomize.toolkit.fluxcd.io/name"] == "" || u.GetAnnotations()["argocd.argoproj.io/tracking-id"] == "" {
						t.Error("the controller did not add its tracking metadata")
					}
				}),
			},
			{Config: sliceConfig(stk.ProviderHCL(b), "om", "om-vpc", true)},
		},
	})
	if errs := ctrl.Errors(); len(errs) > 0 {
		t.Errorf("controller errors: %v", errs)
	}
}

// TestAccVPCSlice_NetBoxFails: NetBox answers 500 in the middle of the VPC's step (after its VRF and VLAN
// were written): the apply fails naming the netbox step, NetBox's partial writes are undone, and Git and the
// cluster (later steps) are never written.
func TestAccVPCSlice_NetBoxFails(t *testing.T) {
	accPreCheck(t)
	if stk.NetBox == nil {
		t.Skip("fault injection needs the NetBox emulator")
	}
	r := newRepo(t)
	cfg := sliceConfig(stk.ProviderHCL(stack.All(r.url)), "nf", "nf-vpc", false)
	namespacesOnly := cfg[:strings.Index(cfg, `resource "hedgehog_vpc"`)]
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		CheckDestroy:             absentEverywhere(t, &r, fabric.KindVPC, "nf-vpc"),
		Steps: []resource.TestStep{
			{Config: namespacesOnly},
			{
				PreConfig:   func() { stk.NetBox.FailNext("POST", "/api/ipam/prefixes/", 500, 1) },
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)netbox failed.*The netbox step failed.*Every backend is as it was`),
			},
			{
				PreConfig: func() {
					if netboxHas(t, "/api/ipam/vrfs/", "name", "nf-vpc") || netboxHas(t, "/api/ipam/vlans/", "vid", "1101") {
						t.Fatal("NetBox kept a partial write")
					}
					if kubeGet(t, fabric.KindVPC, "nf-vpc") != nil || gitFile(t, r, fabric.KindVPC, "nf-vpc") != nil {
						t.Fatal("a later step ran after NetBox failed")
					}
				},
				Config: cfg,
			},
		},
	})
}

// importIgnoresGitCommit: an import reads Git at depth 1 and names the head it read as git_commit (no walk of
// history for the commit that last changed the file, DECISIONS 35); with group commits that head may be a later
// commit than the one the apply recorded. Both hold the same file: git_path and git_blob are still verified.
var importIgnoresGitCommit = []string{"git_commit"}

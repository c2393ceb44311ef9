package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/gitserver"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// ownConfig is a small VPC slice with its own addresses (the cluster and NetBox are shared by the tests).
// subnets are "name=cidr/vlan" entries; ipSubnets are the IPv4Namespace's subnets.
func ownConfig(prov, p string, ipSubnets []string, vpcs map[string][]string, extra string) string {
	var sb strings.Builder
	sb.WriteString(prov)
	fmt.Fprintf(&sb, `
resource "hedgehog_ipv4_namespace" "ns" {
  name    = "%[1]s-ip"
  subnets = [%[2]s]
}

resource "hedgehog_vlan_namespace" "ns" {
  name   = "%[1]s-vl"
  ranges = [{ from = 1700, to = 1799 }]
}
`, p, quoteList(ipSubnets))
	names := make([]string, 0, len(vpcs))
	for n := range vpcs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&sb, "\nresource \"hedgehog_vpc\" %q {\n  name           = %q\n  ipv4_namespace = hedgehog_ipv4_namespace.ns.name\n  vlan_namespace = hedgehog_vlan_namespace.ns.name\n%s  subnets = {\n", n, n, extra)
		for _, s := range vpcs[n] {
			name, rest, _ := strings.Cut(s, "=") // "db=10.71.2.0/24/1702"
			i := strings.LastIndexByte(rest, '/')
			fmt.Fprintf(&sb, "    %s = { subnet = %q, vlan = %s }\n", name, rest[:i], rest[i+1:])
		}
		sb.WriteString("  }\n}\n")
	}
	return sb.String()
}

// rx matches the phrases in order, whatever line breaks the CLI puts between their words.
func rx(phrases ...string) *regexp.Regexp {
	var parts []string
	for _, p := range phrases {
		var words []string
		for _, w := range strings.Fields(p) {
			words = append(words, regexp.QuoteMeta(w))
		}
		parts = append(parts, strings.Join(words, `\s+`))
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, ".*"))
}

func quoteList(xs []string) string {
	var q []string
	for _, x := range xs {
		q = append(q, fmt.Sprintf("%q", x))
	}
	return strings.Join(q, ", ")
}

// netboxDo sends one request to NetBox's REST API and decodes the answer.
func netboxDo(t *testing.T, method, apiPath string, body any) map[string]any {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, stk.NetBoxURL+apiPath, rd)
	req.Header.Set("Authorization", "Token "+stk.NetBoxToken)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, apiPath, resp.StatusCode, out)
	}
	var m map[string]any
	_ = json.Unmarshal(out, &m)
	return m
}

func netboxOne(t *testing.T, apiPath string, q url.Values) map[string]any {
	t.Helper()
	l := netboxList(t, apiPath, q)
	if len(l) != 1 {
		t.Fatalf("GET %s %v: %d results, want 1", apiPath, q, len(l))
	}
	return l[0]
}

// untouched fails when a hand-made NetBox record changed: its description, its tags or its custom fields.
func untouchedRecord(t *testing.T, apiPath string, id any, description string) {
	t.Helper()
	o := netboxDo(t, http.MethodGet, fmt.Sprintf("%s%v/", apiPath, id), nil)
	if o["description"] != description {
		t.Errorf("%s %v: description %q, want %q", apiPath, id, o["description"], description)
	}
	if tags, _ := o["tags"].([]any); len(tags) != 0 {
		t.Errorf("%s %v: tags %v, want none", apiPath, id, tags)
	}
	if cf, _ := o["custom_fields"].(map[string]any); cf["hedgehog_object"] != nil {
		t.Errorf("%s %v: marked %v", apiPath, id, cf["hedgehog_object"])
	}
}

// TestAccOwnership_HandMadeNetBoxRecords: a person made VLAN 1702 in a namespace's VLAN group and a global
// /16 container prefix by hand. An update that adds a subnet with VLAN 1702, and an IPv4Namespace update that
// adds the /16, are refused before anything is written; a destroy leaves both records as they were.
func TestAccOwnership_HandMadeNetBoxRecords(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	prov := stk.ProviderHCL(stack.All(r.url))
	const p = "own1"
	base := ownConfig(prov, p, []string{"10.71.0.0/16"}, map[string][]string{"own1-vpc": {"default=10.71.1.0/24/1701"}}, "")
	var vlanID, prefixID any
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		CheckDestroy: func(s *terraform.State) error {
			if err := absentEverywhere(t, &r, fabric.KindVPC, "own1-vpc")(s); err != nil {
				return err
			}
			// The hand-made prefix outlives the destroy, untouched; then the test removes it.
			untouchedRecord(t, "/api/ipam/prefixes/", prefixID, "hand-made supernet")
			netboxDo(t, http.MethodDelete, fmt.Sprintf("/api/ipam/prefixes/%v/", prefixID), nil)
			return nil
		},
		Steps: []resource.TestStep{
			{Config: base},
			{
				PreConfig: func() {
					g := netboxOne(t, "/api/ipam/vlan-groups/", url.Values{"slug": {"hh-own1-vl"}})
					vlanID = netboxDo(t, http.MethodPost, "/api/ipam/vlans/", map[string]any{"vid": 1702, "name": "manual-1702",
						"status": "active", "group": g["id"], "description": "do not touch"})["id"]
					prefixID = netboxDo(t, http.MethodPost, "/api/ipam/prefixes/", map[string]any{"prefix": "10.72.0.0/16",
						"status": "container", "description": "hand-made supernet"})["id"]
				},
				Config:      ownConfig(prov, p, []string{"10.71.0.0/16"}, map[string][]string{"own1-vpc": {"default=10.71.1.0/24/1701", "db=10.71.2.0/24/1702"}}, ""),
				ExpectError: rx("VLAN 1702 manual-1702", "held by someone outside this provider", "Nothing was written"),
			},
			{
				Config:      ownConfig(prov, p, []string{"10.71.0.0/16", "10.72.0.0/16"}, map[string][]string{"own1-vpc": {"default=10.71.1.0/24/1701"}}, ""),
				ExpectError: rx("prefix 10.72.0.0/16", "held by someone outside this provider"),
			},
			{
				// The VLAN group cannot be deleted while the hand-made VLAN is in it (NetBox answers 409), so
				// the test removes its records before the destroy, after checking them once more.
				Config: base,
				Check: checkAll(t, func(t *testing.T) {
					untouchedRecord(t, "/api/ipam/vlans/", vlanID, "do not touch")
					untouchedRecord(t, "/api/ipam/prefixes/", prefixID, "hand-made supernet")
					if b := gitFile(t, r, fabric.KindVPC, "own1-vpc"); b == nil || strings.Contains(string(b), "db:") {
						t.Errorf("git holds the refused update: %s", b)
					}
					if u := kubeGet(t, fabric.KindVPC, "own1-vpc"); u == nil || strings.Contains(fmt.Sprint(u.Object["spec"]), "10.71.2.0") {
						t.Errorf("the cluster holds the refused update")
					}
					netboxDo(t, http.MethodDelete, fmt.Sprintf("/api/ipam/vlans/%v/", vlanID), nil)
				}),
			},
		},
	})
}

// handVPC creates a VPC in the cluster the way a person with kubectl would: no ownership mark.
func handVPC(t *testing.T, name, ipns, vlanns, cidr string, vlan int) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "vpc.githedgehog.com/v1beta1", "kind": "VPC",
		"metadata": map[string]any{"name": name, "namespace": "default"},
		"spec": map[string]any{"ipv4Namespace": ipns, "vlanNamespace": vlanns,
			"subnets": map[string]any{"default": map[string]any{"subnet": cidr, "vlan": int64(vlan)}}},
	}}
	got, err := dyn(t).Resource(gvr(fabric.KindVPC)).Namespace("default").Create(context.Background(), u, metav1.CreateOptions{FieldManager: "kubectl-create"})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func handVPCFile(name, ipns, vlanns, cidr string, vlan int) []byte {
	return []byte(fmt.Sprintf(`apiVersion: vpc.githedgehog.com/v1beta1
kind: VPC
metadata:
  name: %s
  namespace: default
spec:
  ipv4Namespace: %s
  vlanNamespace: %s
  subnets:
    default:
      subnet: %s
      vlan: %d
`, name, ipns, vlanns, cidr, vlan))
}

// TestAccOwnership_ForeignObjectsAndAdopt: a VPC made by hand in the cluster and a file written by hand in
// Git make a create of the same name fail at plan, naming the backend and the holder; `adopt = true` then
// takes them over deliberately (the cluster object keeps its uid), and the destroy removes what is now ours.
func TestAccOwnership_ForeignObjectsAndAdopt(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	prov := stk.ProviderHCL(stack.Backends{Git: true, Kubernetes: true, GitURL: r.url})
	const p = "own2"
	var handUID string
	withVPC := func(name, cidr string, vlan int, adopt bool) string {
		extra := ""
		if adopt {
			extra = "  adopt          = true\n"
		}
		return ownConfig(prov, p, []string{"10.73.0.0/16"}, map[string][]string{name: {fmt.Sprintf("default=%s/%d", cidr, vlan)}}, extra)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		CheckDestroy:             absentEverywhere(t, &r, fabric.KindVPC, "own2-k", "own2-g"),
		Steps: []resource.TestStep{
			{Config: ownConfig(prov, p, []string{"10.73.0.0/16"}, nil, "")},
			{
				PreConfig: func() {
					handUID = string(handVPC(t, "own2-k", "own2-ip", "own2-vl", "10.73.1.0/24", 1711).GetUID())
					if _, err := gitserver.CommitFile(r.dir, "main", "fabric/vpc/own2-g.yaml", handVPCFile("own2-g", "own2-ip", "own2-vl", "10.73.2.0/24", 1712), "by hand"); err != nil {
						t.Fatal(err)
					}
				},
				Config:      withVPC("own2-k", "10.73.1.0/24", 1711, false),
				ExpectError: rx(`VPC "own2-k" is taken in kubernetes`, "someone outside this provider", "adopt = true"),
			},
			{
				Config:      withVPC("own2-g", "10.73.2.0/24", 1712, false),
				ExpectError: rx(`VPC "own2-g" is taken in git`, "someone outside this provider", "terraform import"),
			},
			{
				Config: withVPC("own2-k", "10.73.1.0/24", 1711, true),
				Check: checkAll(t, func(t *testing.T) {
					u := kubeGet(t, fabric.KindVPC, "own2-k")
					if u == nil || string(u.GetUID()) != handUID || u.GetAnnotations()[backend.OwnerAnnotation] == "" {
						t.Errorf("adoption: want the hand-made object (uid %s) marked, got %v", handUID, u)
					}
				}),
			},
			{
				Config: withVPC("own2-g", "10.73.2.0/24", 1712, true),
				Check: checkAll(t, func(t *testing.T) {
					if b := gitFile(t, r, fabric.KindVPC, "own2-g"); !strings.Contains(string(b), backend.OwnerAnnotation) {
						t.Errorf("adopted file is not marked: %s", b)
					}
				}),
			},
		},
	})
}

// TestAccOwnership_TwoWorkingDirectories: two working directories declare the same VPC. The second fails
// before writing anything — at apply for the same owner (another state's object carries the same mark), at
// plan for another owner. When someone replaces the first state's cluster object by hand, the first
// directory's destroy removes its own Git and NetBox records and leaves the replacement alone.
func TestAccOwnership_TwoWorkingDirectories(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	prov := stk.ProviderHCL(stack.All(r.url))
	const p = "own3"
	a := newWorkdir(t, "a")
	a.write(ownConfig(prov, p, []string{"10.74.0.0/16"}, map[string][]string{"own3-shared": {"default=10.74.1.0/24/1721"}}, ""))
	a.must("apply", "-auto-approve", "-no-color")
	defer a.run(nil, "destroy", "-auto-approve", "-no-color") //nolint:errcheck // cleanup on failure

	first := kubeGet(t, fabric.KindVPC, "own3-shared")
	commits := len(gitCommits(t, r))
	fp := stk.NetBox.Fingerprint()

	b := newWorkdir(t, "b")
	b.write(prov + `
resource "hedgehog_vpc" "shared" {
  name           = "own3-shared"
  ipv4_namespace = "own3-ip"
  vlan_namespace = "own3-vl"
  subnets = { default = { subnet = "10.74.2.0/24", vlan = 1722 } }
}
`)
	b.fails(nil, []string{"Cannot create VPC own3-shared", "create would write over", "another Terraform state of the same owner", "Nothing was written"}, "apply", "-auto-approve", "-no-color")
	b.fails([]string{"HEDGEHOG_OWNER=team-b"}, []string{`VPC "own3-shared" is taken in kubernetes`, `owner "default"`}, "plan", "-no-color")
	if u := kubeGet(t, fabric.KindVPC, "own3-shared"); u.GetResourceVersion() != first.GetResourceVersion() {
		t.Errorf("the refused directory changed the cluster object")
	}
	if len(gitCommits(t, r)) != commits || stk.NetBox.Fingerprint() != fp {
		t.Errorf("the refused directory wrote Git or NetBox")
	}

	// Someone deletes the object and makes their own under the same name.
	if err := dyn(t).Resource(gvr(fabric.KindVPC)).Namespace("default").Delete(context.Background(), "own3-shared", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	theirs := handVPC(t, "own3-shared", "own3-ip", "own3-vl", "10.74.3.0/24", 1723)
	out := a.must("destroy", "-auto-approve", "-no-color")
	if !strings.Contains(strings.Join(strings.Fields(out), " "), "left VPC default/own3-shared") {
		t.Errorf("destroy did not say it left the replacement alone:\n%s", out)
	}
	if u := kubeGet(t, fabric.KindVPC, "own3-shared"); u == nil || u.GetUID() != theirs.GetUID() {
		t.Errorf("the destroy removed or changed the replacement: %v", u)
	}
	if gitFile(t, r, fabric.KindVPC, "own3-shared") != nil || netboxHas(t, "/api/ipam/vrfs/", "name", "own3-shared") {
		t.Errorf("the destroy left this state's own Git file or VRF behind")
	}
	_ = dyn(t).Resource(gvr(fabric.KindVPC)).Namespace("default").Delete(context.Background(), "own3-shared", metav1.DeleteOptions{})
}

// TestAccPlanIsReadOnly: plans of a create, an update and a delete — and a plan against a custom field
// someone changed by hand — write nothing to any backend: NetBox's whole store, the Git refs and the
// cluster's objects with their resourceVersions are identical before and after.
func TestAccPlanIsReadOnly(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	prov := stk.ProviderHCL(stack.All(r.url))
	const p = "own4"
	w := newWorkdir(t, "w")
	snap := func() string {
		var sb strings.Builder
		sb.WriteString(stk.NetBox.Fingerprint())
		head, _ := gitserver.Head(r.dir, "main")
		sb.WriteString(" git=" + head)
		for _, k := range []string{fabric.KindVPC, fabric.KindIPv4Namespace, fabric.KindVLANNamespace} {
			l, err := dyn(t).Resource(gvr(k)).Namespace("default").List(context.Background(), metav1.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range l.Items {
				sb.WriteString(" " + u.GetName() + "@" + u.GetResourceVersion())
			}
		}
		return sb.String()
	}
	planNoWrite := func(what string) {
		t.Helper()
		before := snap()
		w.must("plan", "-no-color")
		if after := snap(); after != before {
			t.Errorf("plan of %s wrote to a backend:\nbefore %s\nafter  %s", what, before, after)
		}
	}
	one := ownConfig(prov, p, []string{"10.75.0.0/16"}, map[string][]string{"own4-vpc": {"default=10.75.1.0/24/1731"}}, "")
	w.write(one)
	// The custom field lost an object type by hand: setup would PATCH it, but only at apply.
	cfs := netboxList(t, "/api/extras/custom-fields/", url.Values{"name": {"hedgehog_object"}})
	if len(cfs) == 1 {
		netboxDo(t, http.MethodPatch, fmt.Sprintf("/api/extras/custom-fields/%v/", cfs[0]["id"]), map[string]any{"object_types": []string{"ipam.vrf", "ipam.prefix", "ipam.vlangroup"}})
	}
	planNoWrite("a create")
	w.must("apply", "-auto-approve", "-no-color")
	defer w.run(nil, "destroy", "-auto-approve", "-no-color") //nolint:errcheck // cleanup on failure
	w.write(ownConfig(prov, p, []string{"10.75.0.0/16"}, map[string][]string{"own4-vpc": {"default=10.75.1.0/24/1731", "db=10.75.2.0/24/1732"}}, ""))
	planNoWrite("an update")
	w.write(ownConfig(prov, p, []string{"10.75.0.0/16"}, nil, ""))
	planNoWrite("a delete")
	w.must("destroy", "-auto-approve", "-no-color")
}

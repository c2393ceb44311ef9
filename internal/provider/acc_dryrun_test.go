package provider

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/apiserver"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/gitserver"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// webhookCluster is an API server of its own that runs a real validating admission webhook refusing VPCs
// whose name starts with "deny-" (a rule the provider's cascade does not know).
type webhookCluster struct {
	api        *apiserver.Server
	hook       *apiserver.Webhook
	kubeconfig string
	hookCalls  int
}

const denyMessage = `VPC names must not start with "deny-" (test webhook policy)`

func startWebhookCluster(t *testing.T) *webhookCluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	api, err := apiserver.StartWith(ctx, apiserver.Options{AdmissionWebhooks: true})
	if err != nil {
		t.Fatalf("API server with webhook admission: %v", err)
	}
	t.Cleanup(api.Stop)
	rules := []admissionregistrationv1.RuleWithOperations{{
		Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
		Rule:       admissionregistrationv1.Rule{APIGroups: []string{"vpc.githedgehog.com"}, APIVersions: []string{"*"}, Resources: []string{"vpcs"}},
	}}
	hook, err := api.ServeValidatingWebhook("vpc-names.acceptance.test", rules, func(req *admissionv1.AdmissionRequest) (bool, string) {
		if strings.HasPrefix(req.Name, "deny-") {
			return false, denyMessage
		}
		return true, ""
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(hook.Close)
	kc, err := api.WriteKubeconfig(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := &webhookCluster{api: api, hook: hook, kubeconfig: kc}
	// The API server's informer fills its cache asynchronously: wait until the webhook judges.
	r := c.dyn(t).Resource(gvr(fabric.KindVPC)).Namespace("default")
	probe := []byte(`{"apiVersion":"vpc.githedgehog.com/v1beta1","kind":"VPC","metadata":{"name":"deny-probe"},"spec":{"subnets":{"default":{"subnet":"10.0.1.0/24","vlan":1001}}}}`)
	force := true
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		_, err := r.Patch(ctx, "deny-probe", "application/apply-patch+yaml", probe,
			metav1.PatchOptions{FieldManager: "probe", Force: &force, DryRun: []string{metav1.DryRunAll}})
		if apierrors.IsForbidden(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the webhook does not judge yet: %v", err)
		}
	}
	return c
}

func (c *webhookCluster) dyn(t *testing.T) dynamic.Interface {
	t.Helper()
	d, err := dynamic.NewForConfig(c.api.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// providerHCL is the shared stack's provider configuration with the cluster replaced by this one.
func (c *webhookCluster) providerHCL(r repo, extra string) string {
	b := stack.All(r.url)
	b.Extra = extra
	return strings.Replace(stk.ProviderHCL(b), stk.Kubeconfig, c.kubeconfig, 1)
}

// snapshot is everything a plan must not change: the cluster's fabric objects and their
// resourceVersions, the Git branch head and NetBox's whole store.
func (c *webhookCluster) snapshot(t *testing.T, r repo) string {
	t.Helper()
	var sb strings.Builder
	if stk.NetBox != nil {
		sb.WriteString("netbox=" + stk.NetBox.Fingerprint())
	}
	head, _ := gitserver.Head(r.dir, "main")
	sb.WriteString(" git=" + head)
	for _, k := range []string{fabric.KindVPC, fabric.KindIPv4Namespace, fabric.KindVLANNamespace} {
		l, err := c.dyn(t).Resource(gvr(k)).Namespace("default").List(context.Background(), metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range l.Items {
			sb.WriteString(" " + k + "/" + u.GetName() + "@" + u.GetResourceVersion())
		}
	}
	return sb.String()
}

// dryRunsOf says whether the webhook judged name in a dry run, and with which outcome.
func (c *webhookCluster) dryRunsOf(name string) (seen, allowed bool) {
	for _, x := range c.hook.Seen() {
		if x.Name == name && x.DryRun {
			seen, allowed = true, x.Allowed
		}
	}
	return seen, allowed
}

// TestAccDryRun_WebhookJudgesAtPlan: with the cluster in apply mode, `terraform plan` sends each created
// object to the API server as a dry run. A VPC the cluster's webhook refuses while every object it
// references exists in the cluster is a plan error on that resource, naming the webhook's denial; nothing
// is written to the cluster, Git or NetBox. An allowed VPC plans. With dry_run_at_plan = false the same
// VPC plans (the cluster is not asked). An unchanged resource is not sent.
func TestAccDryRun_WebhookJudgesAtPlan(t *testing.T) {
	accPreCheck(t)
	c := startWebhookCluster(t)
	r := newRepo(t)
	prov := c.providerHCL(r, "")
	const p = "dr"
	nsOnly := ownConfig(prov, p, []string{"10.77.0.0/16"}, nil, "")
	denied := ownConfig(prov, p, []string{"10.77.0.0/16"}, map[string][]string{"deny-web": {"default=10.77.1.0/24/1771"}}, "")
	allowed := ownConfig(prov, p, []string{"10.77.0.0/16"}, map[string][]string{"allow-web": {"default=10.77.1.0/24/1771"}}, "")
	off := ownConfig(prov, p, []string{"10.77.0.0/16"}, map[string][]string{"deny-web": {"default=10.77.1.0/24/1771"}}, "")
	off = strings.Replace(off, `mode            = "apply"`, "mode            = \"apply\"\n    dry_run_at_plan = false", 1)
	var before string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		Steps: []resource.TestStep{
			{Config: nsOnly}, // the namespaces the VPCs reference now exist in the cluster
			{
				PreConfig: func() { before = c.snapshot(t, r) },
				Config:    denied,
				PlanOnly:  true,
				ExpectError: rx(`The cluster refuses VPC "deny-web" (dry run at plan)`, `with hedgehog_vpc.deny-web`,
					`admission webhook "vpc-names.acceptance.test" denied the request: `+denyMessage,
					`did not catch this rule`, `Way forward:`),
			},
			{
				PreConfig: func() {
					if after := c.snapshot(t, r); after != before {
						t.Errorf("the refused plan wrote to a backend:\nbefore %s\nafter  %s", before, after)
					}
					if seen, ok := c.dryRunsOf("deny-web"); !seen || ok {
						t.Errorf("the webhook did not refuse a dry run of deny-web (seen %v allowed %v): %+v", seen, ok, c.hook.Seen())
					}
					if kubeGetIn(t, c, "deny-web") || gitFile(t, r, fabric.KindVPC, "deny-web") != nil || netboxHas(t, "/api/ipam/vrfs/", "name", "deny-web") {
						t.Error("deny-web was written")
					}
				},
				Config:             allowed,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				PreConfig: func() {
					if after := c.snapshot(t, r); after != before {
						t.Errorf("the allowed plan wrote to a backend:\nbefore %s\nafter  %s", before, after)
					}
					if seen, ok := c.dryRunsOf("allow-web"); !seen || !ok {
						t.Errorf("the webhook did not allow a dry run of allow-web (seen %v allowed %v)", seen, ok)
					}
					c.hookCalls = len(c.hook.Seen())
				},
				Config:             off,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				PreConfig: func() {
					if n := len(c.hook.Seen()); n != c.hookCalls {
						t.Errorf("dry_run_at_plan = false still asked the cluster: %+v", c.hook.Seen()[c.hookCalls:])
					}
				},
				Config: allowed, // written for real (the framework then plans it again: unchanged)
			},
			{
				PreConfig: func() {
					if !kubeGetIn(t, c, "allow-web") {
						t.Error("allow-web was not applied")
					}
					c.hookCalls = len(c.hook.Seen())
				},
				Config:   allowed,
				PlanOnly: true, // unchanged: nothing to judge
			},
			{
				PreConfig: func() {
					if n := len(c.hook.Seen()); n != c.hookCalls {
						t.Errorf("an unchanged resource was sent to the cluster: %+v", c.hook.Seen()[c.hookCalls:])
					}
				},
				Config: nsOnly, // the destroy follows
			},
		},
		CheckDestroy: func(*terraform.State) error {
			for _, n := range []string{p + "-ip", p + "-vl"} {
				if gitFile(t, r, fabric.KindIPv4Namespace, n) != nil {
					return errors.New(n + " left in Git")
				}
			}
			return nil
		},
	})
}

// kubeGetIn reports whether the webhook cluster holds the VPC.
func kubeGetIn(t *testing.T, c *webhookCluster, name string) bool {
	t.Helper()
	_, err := c.dyn(t).Resource(gvr(fabric.KindVPC)).Namespace("default").Get(context.Background(), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return true
}

// TestAccDryRun_WaitingForPlannedObjects: a refusal of an object whose referenced namespaces are only
// planned in this run is a warning naming them, and the plan goes on (the real CLI's output); the apply
// writes the namespaces, asks again and stops the VPC before writing it.
func TestAccDryRun_WaitingForPlannedObjects(t *testing.T) {
	accPreCheck(t)
	c := startWebhookCluster(t)
	r := newRepo(t)
	w := newWorkdir(t, "w")
	w.write(ownConfig(c.providerHCL(r, ""), "drw", []string{"10.78.0.0/16"}, map[string][]string{"deny-new": {"default=10.78.1.0/24/1781"}}, ""))
	before := c.snapshot(t, r)
	out := w.must("plan", "-no-color")
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{`Warning: The cluster refuses VPC "deny-new" for now (dry run at plan)`, denyMessage,
		`IPv4Namespace "drw-ip" (planned in this run)`, `VLANNamespace "drw-vl" (planned in this run)`, "Plan: 3 to add"} {
		if !strings.Contains(flat, want) {
			t.Errorf("plan output lacks %q\n%s", want, out)
		}
	}
	if after := c.snapshot(t, r); after != before {
		t.Errorf("the plan wrote to a backend:\nbefore %s\nafter  %s", before, after)
	}
	// Terraform plans each resource again in the apply walk, after the objects it references were written:
	// the cluster is asked again and its refusal now stops the VPC before any backend is written for it.
	defer w.run(nil, "destroy", "-auto-approve", "-no-color") //nolint:errcheck // cleanup
	w.fails(nil, []string{`Error: The cluster refuses VPC "deny-new" (dry run at plan)`, denyMessage, "did not catch this rule"}, "apply", "-auto-approve", "-no-color")
	if kubeGetIn(t, c, "deny-new") || gitFile(t, r, fabric.KindVPC, "deny-new") != nil || netboxHas(t, "/api/ipam/vrfs/", "name", "deny-new") {
		t.Error("deny-new was written")
	}
	if gitFile(t, r, fabric.KindIPv4Namespace, "drw-ip") == nil {
		t.Error("the namespaces the VPC references were not applied first")
	}
}

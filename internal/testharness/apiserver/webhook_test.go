package apiserver

import (
	"context"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// DenyPrefixRules are the rules of a webhook on VPC creates and updates.
var denyRules = []admissionregistrationv1.RuleWithOperations{{
	Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
	Rule:       admissionregistrationv1.Rule{APIGroups: []string{"vpc.githedgehog.com"}, APIVersions: []string{"*"}, Resources: []string{"vpcs"}},
}}

// The API server started with AdmissionWebhooks calls a registered validating webhook for real writes and
// dry runs, and returns its denial; a server-side apply with dryRun=All persists nothing.
func TestValidatingWebhook(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := StartWith(ctx, Options{AdmissionWebhooks: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	t.Logf("start took %v", s.StartDuration)
	wh, err := s.ServeValidatingWebhook("vpc-names.harness.test", denyRules, func(req *admissionv1.AdmissionRequest) (bool, string) {
		if strings.HasPrefix(req.Name, "deny-") {
			return false, `VPC names must not start with "deny-"`
		}
		return true, ""
	})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()

	gvr := schema.GroupVersionResource{Group: "vpc.githedgehog.com", Version: "v1beta1", Resource: "vpcs"}
	r := dynamic.NewForConfigOrDie(s.RESTConfig()).Resource(gvr).Namespace("default")
	vpc := func(name string) []byte {
		return []byte(`{"apiVersion":"vpc.githedgehog.com/v1beta1","kind":"VPC","metadata":{"name":"` + name + `","namespace":"default"},"spec":{"subnets":{"default":{"subnet":"10.0.1.0/24","vlan":1001}}}}`)
	}
	force := true
	dry := metav1.PatchOptions{FieldManager: "harness", Force: &force, DryRun: []string{metav1.DryRunAll}}
	// The informer fills its cache asynchronously: wait until the webhook judges.
	var derr error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if _, derr = r.Patch(ctx, "deny-a", "application/apply-patch+yaml", vpc("deny-a"), dry); derr != nil {
			break
		}
	}
	if !apierrors.IsForbidden(derr) || !strings.Contains(derr.Error(), `admission webhook "vpc-names.harness.test" denied the request: VPC names must not start with "deny-"`) {
		t.Fatalf("dry run of deny-a: want the webhook's denial, got %v", derr)
	}
	if _, err := r.Patch(ctx, "ok-a", "application/apply-patch+yaml", vpc("ok-a"), dry); err != nil {
		t.Fatalf("dry run of ok-a: %v", err)
	}
	for _, n := range []string{"deny-a", "ok-a"} {
		if _, err := r.Get(ctx, n, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Fatalf("a dry run persisted %s: %v", n, err)
		}
	}
	u := &unstructured.Unstructured{}
	_ = u.UnmarshalJSON(vpc("deny-b"))
	if _, err := r.Create(ctx, u, metav1.CreateOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("create of deny-b: want the webhook's denial, got %v", err)
	}
	sawDry := false
	for _, x := range wh.Seen() {
		if x.Name == "ok-a" && x.DryRun && x.Allowed {
			sawDry = true
		}
	}
	if !sawDry {
		t.Fatalf("the webhook did not see the dry run of ok-a: %+v", wh.Seen())
	}
}

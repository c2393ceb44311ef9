package provider

import (
	"errors"
	"strings"
	"testing"

	fwdiag "github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/engine"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

func dryRunDiag(t *testing.T, res engine.DryRunResult) fwdiag.Diagnostic {
	t.Helper()
	s := mustKinds()[fabric.KindVPC]
	d := &engine.Desired{Ref: backend.Ref{Kind: fabric.KindVPC, Namespace: "default", Name: "deny-web"}}
	diags := &diagnostics{}
	dryRunDenial(s, d, res, diags)
	if len(diags.d) != 1 {
		t.Fatalf("want one diagnostic, got %v", diags.d)
	}
	return diags.d[0]
}

// The cluster's denial of an object whose references all exist is an error on the object naming the
// webhook's message, saying the provider's checks missed it and giving a way forward; with a planned
// referenced object it is a warning naming it.
func TestDryRunDenialDiagnostics(t *testing.T) {
	den := &backend.Denial{Backend: backend.Kubernetes, Code: 403, Reason: "Forbidden",
		Message: `admission webhook "vpc-names.test" denied the request: VPC names must not start with "deny-"`}
	x := dryRunDiag(t, engine.DryRunResult{Ran: true, Denial: den})
	if x.Severity() != fwdiag.SeverityError || !strings.Contains(x.Summary(), `The cluster refuses VPC "deny-web"`) {
		t.Fatalf("error: %s / %s", x.Severity(), x.Summary())
	}
	for _, want := range []string{`denied the request: VPC names must not start with "deny-"`, "an admission webhook",
		"did not catch this rule", "Way forward:", "dry_run_at_plan = false", "nothing was written"} {
		if !strings.Contains(x.Detail(), want) {
			t.Errorf("detail lacks %q:\n%s", want, x.Detail())
		}
	}
	if p := x.(fwdiag.DiagnosticWithPath).Path().String(); p != "name" {
		t.Errorf("path %q", p)
	}

	w := dryRunDiag(t, engine.DryRunResult{Ran: true, Denial: den, Absent: []engine.AbsentRef{
		{Reference: cascade.Reference{Kind: fabric.KindIPv4Namespace, Name: "new-ns"}, Planned: true}}})
	if w.Severity() != fwdiag.SeverityWarning || !strings.Contains(w.Detail(), `IPv4Namespace "new-ns" (planned in this run)`) || !strings.Contains(w.Detail(), "Way forward:") {
		t.Fatalf("warning: %s / %s", w.Severity(), w.Detail())
	}

	// A list failure while telling makes it a warning too, saying why.
	w = dryRunDiag(t, engine.DryRunResult{Ran: true, Denial: den, Err: errors.New("list failed")})
	if w.Severity() != fwdiag.SeverityWarning || !strings.Contains(w.Detail(), "list failed") {
		t.Fatalf("warning on list failure: %s / %s", w.Severity(), w.Detail())
	}

	// A schema refusal points at the field it names.
	inv := &backend.Denial{Backend: backend.Kubernetes, Code: 422, Reason: "Invalid", Message: "VPC.vpc.githedgehog.com \"x\" is invalid",
		Causes: []backend.DenialCause{{Field: "spec.subnets.default.vlan", Message: "Invalid value"}}}
	x = dryRunDiag(t, engine.DryRunResult{Ran: true, Denial: inv})
	if p := x.(fwdiag.DiagnosticWithPath).Path().String(); p != "subnets" || !strings.Contains(x.Detail(), "the CRD's schema or validation rules") || !strings.Contains(x.Detail(), "spec.subnets.default.vlan") {
		t.Fatalf("schema refusal: path %q detail %s", p, x.Detail())
	}
}

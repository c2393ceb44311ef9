package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/engine"
)

// planDryRun has the cluster judge a created or changed object once the provider's own checks passed
// (engine.DryRun: a server-side apply with dryRun=All, so nothing is written). Unchanged objects are not
// sent, and nothing is sent after an error (a name taken by another owner, a cascade finding).
func (r *fabricResource) planDryRun(ctx context.Context, d *engine.Desired, state map[string]tftypes.Value, creating bool, diags *diagnostics) {
	if r.eng == nil || diags.hasError() {
		return
	}
	if r.eng.ApplyWalk() && r.eng.OnlyBackend(d.Ref.Kind, backend.Kubernetes) {
		// Terraform's re-plan during apply, right before the write: with the cluster the only backend of the
		// kind, the write itself is the cluster's judgement and a refusal leaves nothing behind to roll back.
		return
	}
	if !creating {
		drift, _ := strMapVal(state[aDrift])
		prior, _ := readCheckpoints(state[aCheckpoints])
		if unchangedObject(creating, drift, prior, d) {
			return
		}
	}
	res := r.eng.DryRun(ctx, d)
	switch {
	case !res.Ran:
	case res.Denial != nil:
		dryRunDenial(r.spec, d, res, diags)
	case res.Err != nil:
		if r.eng.ReportOnce("dry-run-failed") {
			diags.warnf(path.Empty(), "The cluster could not judge the plan (dry run at plan)",
				"The dry run of %s %q (a server-side apply with dryRun=All) could not be made: %v\n\nThis plan rests on the provider's own checks only; the apply checks the cluster again before writing anything. Way forward: make the cluster reachable and plan again, or set kubernetes.dry_run_at_plan = false to plan without the cluster's judgement.",
				d.Ref.Kind, d.Ref.Name, res.Err)
		}
	}
}

// dryRunDenial reports the cluster's refusal of a planned object: an error when every object it refers to
// already exists in the cluster (the apply would be refused the same way), else a warning naming the
// objects it may be waiting for.
func dryRunDenial(s *kindSpec, d *engine.Desired, res engine.DryRunResult, diags *diagnostics) {
	den := res.Denial
	p, fields := denialPath(s, den)
	var b strings.Builder
	fmt.Fprintf(&b, "The Kubernetes API server judged %s %q with a server-side dry run (dryRun=All: nothing was written) and refused it (%d %s, %s):\n\n  %s\n",
		d.Ref.Kind, d.Ref.Name, den.Code, den.Reason, denialSource(den), den.Message)
	if fields != "" {
		fmt.Fprintf(&b, "\nFields named: %s\n", fields)
	}
	if res.Blocking() {
		fmt.Fprintf(&b, "\nEvery object it refers to already exists in the cluster, so the apply would be refused the same way. The provider's own checks (the validation cascade) did not catch this rule: it is a finding worth reporting, so that the cascade can check it before the cluster does.\n\n%s",
			denialWayForward(den))
		diags.errorf(p, fmt.Sprintf("The cluster refuses %s %q (dry run at plan)", d.Ref.Kind, d.Ref.Name), "%s", b.String())
		return
	}
	if len(res.Absent) > 0 {
		fmt.Fprintf(&b, "\nIt refers to objects the cluster does not hold yet: %s. The refusal may be the cluster waiting for them (the apply writes referenced objects first), so the plan goes on.", res.AbsentText())
	}
	if res.AfterRun != "" {
		fmt.Fprintf(&b, "\nIt is valid only once other changes of this plan are written (the cluster holds it now: %s). The refusal may be the cluster judging it too early; the apply writes it after them, so the plan goes on.", res.AfterRun)
	}
	if res.Err != nil {
		fmt.Fprintf(&b, "\nWhether it waits for referenced objects could not be told: %v.", res.Err)
	}
	fmt.Fprintf(&b, " If the apply is refused with the same message, the provider's own checks (the validation cascade) did not catch this rule: a finding worth reporting.\n\n%s", denialWayForward(den))
	diags.warnf(p, fmt.Sprintf("The cluster refuses %s %q for now (dry run at plan)", d.Ref.Kind, d.Ref.Name), "%s", b.String())
}

// denialSource says what in the cluster refused, as far as the status tells.
func denialSource(den *backend.Denial) string {
	switch {
	case strings.Contains(den.Message, "admission webhook"):
		return "an admission webhook"
	case strings.Contains(den.Message, "ValidatingAdmissionPolicy"):
		return "a validating admission policy"
	case den.Code == 422:
		return "the CRD's schema or validation rules"
	case den.Code == 409:
		return "server-side apply field ownership"
	case den.Code == 403:
		return "admission or authorization"
	}
	return "the API server"
}

// denialWayForward says what to do about a refusal.
func denialWayForward(den *backend.Denial) string {
	if den.Code == 409 {
		return "Way forward: another field manager owns fields of this object and kubernetes.force_conflicts is false: set it to true (the configuration is the source of truth), or remove the other manager's fields. To plan without asking the cluster, set kubernetes.dry_run_at_plan = false (the apply is still refused)."
	}
	return "Way forward: change the configuration so that the cluster's rule accepts it (the message above says what the rule wants), or ask the cluster's operators about the rule. To plan without asking the cluster, set kubernetes.dry_run_at_plan = false (the apply is still refused)."
}

// denialPath points at the first field the server named under spec (cut to what Terraform can show), else
// at the object's name; fields lists every field named, for the detail.
func denialPath(s *kindSpec, den *backend.Denial) (path.Path, string) {
	var names []string
	p := path.Root(aName)
	found := false
	for _, c := range den.Causes {
		if c.Field == "" {
			continue
		}
		names = append(names, c.Field)
		if found || !strings.HasPrefix(c.Field, "spec.") {
			continue
		}
		var dp diag.Path
		for _, f := range strings.Split(c.Field, ".") {
			if i := strings.IndexByte(f, '['); i >= 0 {
				f = f[:i]
			}
			dp = dp.Field(f)
		}
		if ap := attributePath(s.CRD.Spec, dp); len(ap.Steps()) > 0 {
			p, found = displayPath(ap), true
		}
	}
	return p, strings.Join(names, ", ")
}

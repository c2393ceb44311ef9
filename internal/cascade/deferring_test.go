package cascade

import (
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

const (
	moveOld = "kind: VPC\nmetadata: {name: move-old}\nspec:\n  subnets:\n    default: {subnet: 10.10.77.0/24, vlan: 1077}\n"
	moveNew = "kind: VPC\nmetadata: {name: move-new}\nspec:\n  subnets:\n    default: {subnet: 10.10.77.0/24, vlan: 1077}\n"
)

// TestDeferringLeavesOwnUnplannedObjectsToTheirOwnPlan: through Deferring, a conflict with an object of
// this owner that the run has not planned yet is not reported; once that object is planned (it stays) the
// conflict is reported again, and an object of another owner always conflicts.
func TestDeferringLeavesOwnUnplannedObjectsToTheirOwnPlan(t *testing.T) {
	for _, tc := range []struct {
		name       string
		own, plan  bool
		wantErrors bool
	}{
		{"own, not yet planned: deferred", true, false, false},
		{"own, planned in this run: reported", true, true, true},
		{"another owner's: reported", false, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := NewView(append(demoFabric(t), decodeYAML(t, moveOld))...)
			if tc.own {
				v.MarkOwn(fabric.KindVPC, "move-old")
			}
			if tc.plan {
				v.Upsert(decodeYAML(t, moveOld))
			}
			obj := decodeYAML(t, moveNew)
			v.Upsert(obj)
			ds := ValidateCross(obj, v.Deferring())
			if got := ds.HasError(); got != tc.wantErrors {
				t.Fatalf("errors %v, want %v:%s", got, tc.wantErrors, dump(ds))
			}
			if !ValidateCross(obj, v).HasError() {
				t.Fatal("without Deferring the conflict must be reported")
			}
		})
	}
}

// TestDeferredReferrersDoNotBlockADelete: a delete protection ignores referrers of this owner that the plan
// has not reached (they are destroyed by it, or report the missing object when planned), and counts
// the others.
func TestDeferredReferrersDoNotBlockADelete(t *testing.T) {
	att := "kind: VPCAttachment\nmetadata: {name: move-att}\nspec: {subnet: move-old/default, connection: server-1--mclag--s5248-01--s5248-02}\n"
	v := NewView(append(demoFabric(t), decodeYAML(t, moveOld), decodeYAML(t, att))...)
	if ds := ValidateDelete(fabric.KindVPC, "move-old", v.Deferring()); !ds.HasError() {
		t.Fatal("an unmarked referrer must block the delete")
	}
	v.MarkOwn(fabric.KindVPCAttachment, "move-att")
	if ds := ValidateDelete(fabric.KindVPC, "move-old", v.Deferring()); ds.HasError() {
		t.Fatalf("an own, unplanned referrer must not block the delete:%s", dump(ds))
	}
	ds, blockers := DeleteBlockers(fabric.KindVPC, "move-old", v)
	if !ds.HasError() || len(blockers) != 1 || blockers[0] != (Reference{fabric.KindVPCAttachment, "move-att"}) {
		t.Fatalf("blockers %v:%s", blockers, dump(ds))
	}
	v.Upsert(decodeYAML(t, att)) // planned: it stays and still refers to the VPC
	if ds := ValidateDelete(fabric.KindVPC, "move-old", v.Deferring()); !ds.HasError() {
		t.Fatal("a referrer planned in this run must block the delete")
	}
}

// TestDeclaredObjectsResolveButDoNotBlock: an object the configuration declares (not planned yet) makes a
// literal reference resolve, and neither blocks a delete (terraform plan -destroy) nor conflicts until it
// is planned itself.
func TestDeclaredObjectsResolveButDoNotBlock(t *testing.T) {
	att := "kind: VPCAttachment\nmetadata: {name: move-att}\nspec: {subnet: move-old/default, connection: server-1--mclag--s5248-01--s5248-02}\n"
	v := NewView(demoFabric(t)...)
	v.UpsertDeclared(decodeYAML(t, moveOld))
	a := decodeYAML(t, att)
	v.Upsert(a)
	if ds := ValidateCross(a, v.Deferring()); hasRule(ds, RuleCrossAttVPCExists, "") {
		t.Fatalf("a declared VPC must resolve:%s", dump(ds))
	}
	v.Remove(fabric.KindVPCAttachment, "move-att")
	v.UpsertDeclared(a)
	if ds := ValidateDelete(fabric.KindVPC, "move-old", v.Deferring()); ds.HasError() {
		t.Fatalf("a declared referrer must not block a delete:%s", dump(ds))
	}
	n := decodeYAML(t, moveNew)
	v.Upsert(n)
	if ds := ValidateCross(n, v.Deferring()); ds.HasError() {
		t.Fatalf("a conflict with a declared, unplanned object is left to its plan:%s", dump(ds))
	}
	v.Upsert(decodeYAML(t, moveOld)) // planned: it keeps the subnet
	if ds := ValidateCross(n, v.Deferring()); !ds.HasError() {
		t.Fatal("the conflict must be reported once both are planned")
	}
}

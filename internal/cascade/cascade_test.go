package cascade

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

type fakeProbe struct {
	name  string
	err   error
	delay time.Duration
	panic bool
}

func (p fakeProbe) Name() string { return p.name }
func (p fakeProbe) Check(ctx context.Context) error {
	if p.panic {
		panic("boom")
	}
	select {
	case <-time.After(p.delay):
		return p.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func TestValidateIntegration(t *testing.T) {
	probes := []Probe{
		fakeProbe{name: "netbox", err: errors.New("401 unauthorized"), delay: 150 * time.Millisecond},
		fakeProbe{name: "kubernetes", delay: 150 * time.Millisecond},
		fakeProbe{name: "git", err: errors.New("remote not found"), delay: 150 * time.Millisecond},
		fakeProbe{name: "broken", panic: true},
	}
	start := time.Now()
	ds := ValidateIntegration(context.Background(), probes)
	if took := time.Since(start); took > 400*time.Millisecond {
		t.Errorf("probes did not run concurrently: %s", took)
	}
	if len(ds) != 3 {
		t.Fatalf("want 3 findings:%s", dump(ds))
	}
	for i, name := range []string{"broken", "git", "netbox"} {
		d := ds[i]
		if d.Name != name || d.Stage != diag.StageIntegration || d.Rule != RuleIntegrationBackend || d.Severity != diag.Error || !strings.Contains(d.Summary, name) {
			t.Errorf("finding %d: %s", i, d)
		}
	}
	if !strings.Contains(ds[2].Detail, "401 unauthorized") {
		t.Errorf("detail lacks the cause: %s", ds[2].Detail)
	}
	if ds := ValidateIntegration(context.Background(), nil); ds != nil {
		t.Errorf("no probes: %s", dump(ds))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if ds := ValidateIntegration(ctx, []Probe{fakeProbe{name: "slow", delay: time.Hour}}); len(ds) != 1 || !strings.Contains(ds[0].Detail, "canceled") {
		t.Errorf("cancelled: %s", dump(ds))
	}
}

func TestRunReportsEveryStageItCan(t *testing.T) {
	// Schema error (role enum) and a duplicate ASN (cross): the schema finding, and a note that the later
	// stages did not run (the object is not what they expect).
	bad := decodeYAML(t, switchYAML("leaf-n", "router", 65101, "192.168.200.60/24", "172.30.8.60/32", ""))
	// Fabric error (reserved VLAN) and VLAN outside the namespace (cross): both, in one plan.
	fab := decodeYAML(t, vpcYAML("10.10.200.0/24", 3001, ""))
	pol := &Policy{NamePatterns: []NamePatternRule{{Kind: AnyKind, Pattern: `^[a-z0-9-]+$`}}}
	objs := append(demoFabric(t), bad, fab)
	ds := Run(context.Background(), Input{Objects: objs, Config: testConfig(t), Policy: pol})
	byName := map[string][]diag.Diagnostic{}
	for _, d := range ds {
		byName[d.Name] = append(byName[d.Name], d)
	}
	if got := byName["leaf-n"]; len(got) != 2 || got[0].Rule != RuleSchemaEnum || got[1].Rule != RuleStagesSkipped || got[1].Severity != diag.Warning {
		t.Errorf("leaf-n:%s", dump(got))
	}
	if got := byName["vpc-t"]; !hasRule(got, RuleFabricVPCVLANReserved, "") || !hasRule(got, RuleCrossVPCVLANInNamespace, "") {
		t.Errorf("vpc-t: want the fabric and the cross-resource finding:%s", dump(got))
	}
	// A cross error and a policy violation: both.
	cross := decodeYAML(t, vpcYAML("10.10.101.0/24", 1200, ""))
	cross.Meta().Name = "cross-bad"
	pol2 := &Policy{NamePatterns: []NamePatternRule{{Kind: "VPC", Pattern: `^demo-`}}}
	v := NewView(demoFabric(t)...)
	v.Upsert(cross)
	got := ValidateObject(cross, v, testConfig(t), pol2)
	if !hasRule(got, RuleCrossVPCSubnetOverlap, "") || !hasRule(got, RulePolicyNamePattern, "") {
		t.Errorf("cross and policy:%s", dump(got))
	}
	// Without the cross error the policy runs.
	ok := decodeYAML(t, vpcYAML("10.10.200.0/24", 1201, ""))
	v.Upsert(ok)
	if got := ValidateObject(ok, v, testConfig(t), pol2); len(got) != 1 || got[0].Rule != RulePolicyNamePattern || got[0].Stage != diag.StagePolicy {
		t.Errorf("policy:%s", dump(got))
	}
	// Nil view, config and policy skip their stages.
	if got := ValidateObject(fab, nil, nil, nil); len(got) != 0 {
		t.Errorf("nil stages:%s", dump(got))
	}
}

func TestRunOrderAndIntegration(t *testing.T) {
	objs := demoFabric(t)
	pol := &Policy{RequiredLabels: []RequiredKeysRule{{Kind: fabric.KindVPC, Keys: []string{"team"}, Severity: SeverityWarning}}}
	view := NewView() // an existing, empty fabric: Run adds the planned objects
	ds := Run(context.Background(), Input{Objects: objs, View: view, Config: testConfig(t), Policy: pol,
		Probes: []Probe{fakeProbe{name: "kubernetes", err: errors.New("connection refused")}}})
	if view.Len() != len(objs) {
		t.Errorf("view has %d objects, want %d", view.Len(), len(objs))
	}
	var stages []diag.Stage
	for _, d := range ownFindings(ds) {
		stages = append(stages, d.Stage)
	}
	want := []diag.Stage{diag.StageIntegration, diag.StagePolicy, diag.StagePolicy, diag.StagePolicy}
	if len(stages) != len(want) {
		t.Fatalf("stages %v, want %v:%s", stages, want, dump(ds))
	}
	for i := range want {
		if stages[i] != want[i] {
			t.Fatalf("stages %v, want %v", stages, want)
		}
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ds := Run(ctx, Input{Objects: genFabric(1000), Config: DefaultFabricConfig()})
	if !hasRule(ds, RuleCancelled, "") || !ds.HasError() {
		t.Fatalf("want %s:%s", RuleCancelled, dump(ds[:min(3, len(ds))]))
	}
}

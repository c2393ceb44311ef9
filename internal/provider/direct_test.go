package provider

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/gitserver"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/netboxemu"
)

// The kinds the samples do not hold, for the differential plan test.
const fastPlanExtra = `
apiVersion: vpc.githedgehog.com/v1beta1
kind: External
metadata: {name: fp-ext}
spec: {ipv4Namespace: default, inboundCommunity: "65102:5000", outboundCommunity: "5000:65102"}
---
apiVersion: vpc.githedgehog.com/v1beta1
kind: ExternalAttachment
metadata: {name: fp-ext-att}
spec: {external: fp-ext, connection: no-such-connection, switch: {vlan: 100, ip: 10.250.0.1/24}, neighbor: {asn: 65102, ip: 10.250.0.2}}
---
apiVersion: wiring.githedgehog.com/v1beta1
kind: SwitchGroup
metadata: {name: fp-group}
spec: {}
---
apiVersion: vpc.githedgehog.com/v1beta1
kind: VPC
metadata: {name: fp-bad}
spec: {subnets: {web: {subnet: 10.0.0.0/33}}}
`

// fastPlanCase is one PlanResourceChange request of the differential test.
type fastPlanCase struct {
	name     string
	typeName string
	req      *tfprotov6.PlanResourceChangeRequest
}

// TestPlanDirectMatchesFramework: the protocol server's own plan path answers exactly as the framework's:
// the same planned state (bytes), RequiresReplace, private state, identity and diagnostics, for creates,
// no-change plans, updates of labels and spec, renames, an explicit namespace, an import awaiting adoption
// and refused configurations, of every kind the samples hold and more, against a real Git repository.
// A destroy and a configuration with unknown values are left to the framework.
func TestPlanDirectMatchesFramework(t *testing.T) {
	url, err := gitserver.NewFileRepo(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	nb := netboxemu.Start(t)
	p := newProtoProvider(t)
	p.configure(map[string]any{"owner": "fast-plan-test", "git": map[string]any{"url": url},
		"netbox": map[string]any{"server_url": nb.URL, "api_token": nb.Token}})
	outer := p.srv.(*jsonStateServer)
	ctx := context.Background()
	outer.stateType(ctx, "hedgehog_vpc") // the server's tables

	var objs []fabric.Object
	for _, f := range []string{"demo-gitops--env-1--demo.yaml", "nvidia-air-demo--include.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "fabric", "testdata", "samples", f))
		if err != nil {
			t.Fatal(err)
		}
		os, err := fabric.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, os...)
	}
	extra, err := fabric.Decode([]byte(fastPlanExtra))
	if err != nil {
		t.Fatal(err)
	}
	objs = append(objs, extra...)
	perKind := map[string]int{}
	var picked []fabric.Object
	for _, o := range objs {
		if perKind[o.GetKind()] < 2 {
			perKind[o.GetKind()]++
			picked = append(picked, o)
		}
	}
	// Dependencies first, so that what refers to them can be applied.
	order := []string{fabric.KindIPv4Namespace, fabric.KindVLANNamespace, "SwitchGroup", "Switch", "Server", fabric.KindVPC, "External"}
	rank := func(k string) int {
		for i, o := range order {
			if o == k {
				return i
			}
		}
		return len(order)
	}
	sort.SliceStable(picked, func(i, j int) bool { return rank(picked[i].GetKind()) < rank(picked[j].GetKind()) })
	if len(perKind) < 12 {
		t.Fatalf("only %d kinds in the test's objects: %v", len(perKind), perKind)
	}

	compared, withErrors, applied, replaced := 0, 0, 0, 0
	ownNetBoxIDs := 0 // updates whose plan keeps the NetBox ids known (not after an import)
	compare := func(c fastPlanCase) *tfprotov6.PlanResourceChangeResponse {
		t.Helper()
		want, err := outer.ProviderServer.PlanResourceChange(ctx, c.req)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := outer.planDirect(ctx, c.req)
		if !ok {
			t.Fatalf("%s: the direct path declined", c.name)
		}
		if a, b := diagText(want.Diagnostics), diagText(got.Diagnostics); a != b {
			t.Fatalf("%s: diagnostics differ:\nframework:\n%s\nours:\n%s", c.name, a, b)
		}
		if a, b := pathsText(want.RequiresReplace), pathsText(got.RequiresReplace); a != b {
			t.Fatalf("%s: RequiresReplace differs: framework %s, ours %s", c.name, a, b)
		}
		if !bytes.Equal(want.PlannedPrivate, got.PlannedPrivate) {
			t.Fatalf("%s: private state differs: framework %q, ours %q", c.name, want.PlannedPrivate, got.PlannedPrivate)
		}
		if (want.PlannedIdentity == nil) != (got.PlannedIdentity == nil) ||
			want.PlannedIdentity != nil && !bytes.Equal(want.PlannedIdentity.IdentityData.MsgPack, got.PlannedIdentity.IdentityData.MsgPack) {
			t.Fatalf("%s: identity differs: framework %+v, ours %+v", c.name, want.PlannedIdentity, got.PlannedIdentity)
		}
		if hasErrors(want.Diagnostics) {
			withErrors++ // Terraform does not read the planned state of a plan with errors
		} else {
			// Compared as values: tftypes writes a map's entries in Go's map order, so the bytes of one value vary.
			typ := p.schema.ResourceSchemas[c.typeName].ValueType()
			a, errA := want.PlannedState.Unmarshal(typ)
			b, errB := got.PlannedState.Unmarshal(typ)
			if errA != nil || errB != nil || !a.Equal(b) {
				t.Fatalf("%s: planned states differ (%v, %v):\nframework %s\nours      %s", c.name, errA, errB, a, b)
			}
		}
		if len(want.RequiresReplace) > 0 {
			replaced++
		}
		if st, err := want.PlannedState.Unmarshal(p.schema.ResourceSchemas[c.typeName].ValueType()); err == nil && !hasErrors(want.Diagnostics) && c.req.PriorState != nil {
			if prior, _ := c.req.PriorState.Unmarshal(st.Type()); !prior.IsNull() && attrs(st)[aNetBoxIDs].IsKnown() && !attrs(st)[aNetBoxIDs].IsNull() {
				ownNetBoxIDs++
			}
		}
		compared++
		return want
	}

	for _, o := range picked {
		spec := mustKinds()[o.GetKind()]
		if spec == nil {
			t.Fatalf("no resource type for %s", o.GetKind())
		}
		typeName := "hedgehog_" + spec.TypeName
		sch := p.schema.ResourceSchemas[typeName]
		typ := sch.ValueType()
		cfg := fastPlanConfig(t, spec, typ, o, nil)
		null := tftypes.NewValue(typ, nil)
		label := o.GetKind() + " " + o.Meta().Name
		create := &tfprotov6.PlanResourceChangeRequest{TypeName: typeName, Config: dv(t, typ, cfg), PriorState: dv(t, typ, null), ProposedNewState: dv(t, typ, cfg)}
		planned := compare(fastPlanCase{label + " create", typeName, create})
		if hasErrors(planned.Diagnostics) {
			continue
		}
		if rank(o.GetKind()) >= len(order) {
			continue // refers to objects the test does not hold (a connection, say): compared at create only
		}
		// Apply the create (the framework's path) for a real prior state.
		ar, err := outer.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{TypeName: typeName, Config: create.Config, PriorState: create.PriorState, PlannedState: planned.PlannedState, PlannedPrivate: planned.PlannedPrivate, PlannedIdentity: planned.PlannedIdentity})
		if err != nil {
			t.Fatal(err)
		}
		if hasErrors(ar.Diagnostics) {
			t.Logf("%s: not applied: %s", label, ar.Diagnostics[0].Summary)
			continue // what it refers to is not among the test's objects: the plan was compared all the same
		}
		applied++
		prior, err := ar.NewState.Unmarshal(typ)
		if err != nil {
			t.Fatal(err)
		}
		priorDV := dv(t, typ, prior)
		update := func(name string, cfg tftypes.Value, private []byte) {
			compare(fastPlanCase{label + " " + name, typeName, &tfprotov6.PlanResourceChangeRequest{
				TypeName: typeName, Config: dv(t, typ, cfg), PriorState: priorDV, PriorPrivate: private,
				PriorIdentity: ar.NewIdentity, ProposedNewState: dv(t, typ, proposedNew(sch.Block, cfg, prior)),
			}})
		}
		update("no change", cfg, ar.Private)
		update("label added", fastPlanConfig(t, spec, typ, o, map[string]tftypes.Value{aLabels: tfStrMap(map[string]string{"fast-plan": "yes"})}), ar.Private)
		update("explicit namespace", fastPlanConfig(t, spec, typ, o, map[string]tftypes.Value{aNamespace: tfStr("default")}), ar.Private)
		update("renamed", fastPlanConfig(t, spec, typ, o, map[string]tftypes.Value{aName: tfStr(o.Meta().Name + "-2")}), ar.Private)
		update("other namespace", fastPlanConfig(t, spec, typ, o, map[string]tftypes.Value{aNamespace: tfStr("other")}), ar.Private)
		adopt := []byte(fmt.Sprintf(`{%q:%q}`, privateAdopt, base64.StdEncoding.EncodeToString([]byte(`{"import":true}`))))
		update("after import", cfg, adopt)
		update("label added after import", fastPlanConfig(t, spec, typ, o, map[string]tftypes.Value{aLabels: tfStrMap(map[string]string{"fast-plan": "yes"})}), adopt)
		if o.GetKind() == fabric.KindVPC {
			changed := fastPlanConfig(t, spec, typ, o, map[string]tftypes.Value{"default_isolated": tftypes.NewValue(tftypes.Bool, true)})
			update("spec changed", changed, ar.Private)
			update("spec changed after import", changed, adopt)
			// A new VLAN patches the NetBox records in place: the plan keeps their ids, except after an import.
			vlan := fastPlanConfig(t, spec, typ, o, nil, func(sm map[string]any) {
				for _, sn := range sm["subnets"].(map[string]any) {
					if v, ok := sn.(map[string]any)["vlan"].(int64); ok {
						sn.(map[string]any)["vlan"] = v + 500
					}
				}
			})
			update("VLAN changed", vlan, ar.Private)
			update("VLAN changed after import", vlan, adopt)
		}
	}
	if compared < 60 || withErrors == 0 || applied < 8 || replaced == 0 || ownNetBoxIDs == 0 {
		t.Fatalf("too little compared: %d plans, %d with errors, %d applied, %d with RequiresReplace, %d keeping NetBox ids", compared, withErrors, applied, replaced, ownNetBoxIDs)
	}

	// Left to the framework: a destroy, a configuration with an unknown value, a type that is not ours.
	typ := p.schema.ResourceSchemas["hedgehog_vpc"].ValueType()
	var vpc fabric.Object
	for _, o := range picked {
		if o.GetKind() == fabric.KindVPC {
			vpc = o
		}
	}
	cfg := fastPlanConfig(t, outer.kinds["hedgehog_vpc"], typ, vpc, map[string]tftypes.Value{aLabels: tftypes.NewValue(strMapType, tftypes.UnknownValue)})
	for name, req := range map[string]*tfprotov6.PlanResourceChangeRequest{
		"unknown label": {TypeName: "hedgehog_vpc", Config: dv(t, typ, cfg), PriorState: dv(t, typ, tftypes.NewValue(typ, nil)), ProposedNewState: dv(t, typ, cfg)},
		"destroy":       {TypeName: "hedgehog_vpc", Config: dv(t, typ, tftypes.NewValue(typ, nil)), PriorState: dv(t, typ, tftypes.NewValue(typ, nil)), ProposedNewState: dv(t, typ, tftypes.NewValue(typ, nil))},
		"not ours":      {TypeName: "hedgehog_nothing", Config: dv(t, typ, cfg), ProposedNewState: dv(t, typ, cfg)},
	} {
		if _, ok := outer.planDirect(ctx, req); ok {
			t.Errorf("%s: the direct path answered", name)
		}
	}
	t.Logf("%d plans compared (%d with errors, %d with RequiresReplace) over %d objects, %d applied", compared, withErrors, replaced, len(picked), applied)
}

// fastPlanConfig is the configuration of o as a user writes it (its name, labels and spec; the rest null),
// with the attributes in set replacing it and the spec changed by edit.
func fastPlanConfig(t *testing.T, spec *kindSpec, typ tftypes.Type, o fabric.Object, set map[string]tftypes.Value, edit ...func(spec map[string]any)) tftypes.Value {
	t.Helper()
	m := map[string]tftypes.Value{}
	for name, at := range typ.(tftypes.Object).AttributeTypes {
		m[name] = tftypes.NewValue(at, nil)
	}
	m[aName] = tfStr(o.Meta().Name)
	if len(o.Meta().Labels) > 0 {
		m[aLabels] = tfStrMap(o.Meta().Labels)
	}
	if spec.CRD.Spec != nil {
		u, err := fabric.ToUnstructured(o)
		if err != nil {
			t.Fatal(err)
		}
		sm, _ := u["spec"].(map[string]any)
		if sm == nil {
			sm = map[string]any{}
		}
		for _, e := range edit {
			e(sm)
		}
		sv, err := spec.CRD.Spec.ToValue(sm)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range attrs(sv) {
			m[k] = v
		}
	}
	for k, v := range set {
		m[k] = v
	}
	return tftypes.NewValue(typ, m)
}

// proposedNew is Terraform's proposed new state for an update: the configuration, with the prior value of
// every computed attribute (at any depth of nested objects) the configuration leaves null.
func proposedNew(b *tfprotov6.SchemaBlock, cfg, prior tftypes.Value) tftypes.Value {
	c, pr := attrs(cfg), attrs(prior)
	out := map[string]tftypes.Value{}
	for _, a := range b.Attributes {
		out[a.Name] = proposedAttr(a.Computed, a.NestedType, c[a.Name], pr[a.Name])
	}
	return tftypes.NewValue(cfg.Type(), out)
}

func proposedAttr(computed bool, nested *tfprotov6.SchemaObject, cfg, prior tftypes.Value) tftypes.Value {
	if cfg.IsNull() {
		if computed {
			return prior
		}
		return cfg
	}
	if nested == nil || prior.IsNull() || !cfg.IsKnown() {
		return cfg
	}
	obj := func(c, p tftypes.Value) tftypes.Value {
		cm, pm := attrs(c), attrs(p)
		out := map[string]tftypes.Value{}
		for _, a := range nested.Attributes {
			out[a.Name] = proposedAttr(a.Computed, a.NestedType, cm[a.Name], pm[a.Name])
		}
		return tftypes.NewValue(c.Type(), out)
	}
	switch nested.Nesting {
	case tfprotov6.SchemaObjectNestingModeSingle:
		return obj(cfg, prior)
	case tfprotov6.SchemaObjectNestingModeMap:
		var cm, pm map[string]tftypes.Value
		_ = cfg.As(&cm)
		_ = prior.As(&pm)
		out := map[string]tftypes.Value{}
		for k, v := range cm {
			if pv, ok := pm[k]; ok && !pv.IsNull() && !v.IsNull() {
				out[k] = obj(v, pv)
			} else {
				out[k] = v
			}
		}
		return tftypes.NewValue(cfg.Type(), out)
	}
	return cfg
}

func dv(t *testing.T, typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	d, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		t.Fatal(err)
	}
	return &d
}

func hasErrors(ds []*tfprotov6.Diagnostic) bool {
	for _, d := range ds {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

func diagText(ds []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range ds {
		at := "<none>"
		if d.Attribute != nil {
			at = d.Attribute.String()
		}
		fmt.Fprintf(&b, "%v | %s | %s | %s\n", d.Severity, at, d.Summary, d.Detail)
	}
	return b.String()
}

func pathsText(ps []*tftypes.AttributePath) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	sorted := sort.StringsAreSorted(out)
	return fmt.Sprintf("%v (sorted %v)", out, sorted)
}

// directSide is one provider of the apply differential test, with backends of its own.
type directSide struct {
	p   *protoProvider
	srv *jsonStateServer
	url string
}

func newDirectSide(t *testing.T, direct bool) *directSide {
	t.Helper()
	url, err := gitserver.NewFileRepo(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	nb := netboxemu.Start(t)
	p := newProtoProvider(t)
	srv := p.srv.(*jsonStateServer)
	srv.noDirect = !direct
	p.configure(map[string]any{"owner": "direct-apply-test", "git": map[string]any{"url": url},
		"netbox": map[string]any{"server_url": nb.URL, "api_token": nb.Token}})
	return &directSide{p: p, srv: srv, url: url}
}

var commitHash = regexp.MustCompile(`\b[0-9a-f]{40}\b`)

// normalised is text with what differs between two sides by construction (the repository's URL, commit
// hashes, which hold the commit time) replaced.
func (d *directSide) normalised(s string) string {
	return commitHash.ReplaceAllString(strings.ReplaceAll(s, d.url, "<repo>"), "<commit>")
}

// TestApplyDirectMatchesFramework: the protocol server's own apply path answers as the framework's. The same
// plans and applies (creates, label and spec updates, an update after an import, a create of what exists)
// go to two providers, one through the framework and one through the direct paths, each with its own Git
// repository and NetBox emulator; their answers (state, identity, private state, diagnostics) are compared
// with the repository URL and commit hashes taken out. Between the steps each side's backends are checked
// to hold the same thing, through a refresh of every state.
func TestApplyDirectMatchesFramework(t *testing.T) {
	ref, dir := newDirectSide(t, false), newDirectSide(t, true)
	ctx := context.Background()
	ref.srv.stateType(ctx, "hedgehog_vpc")
	dir.srv.stateType(ctx, "hedgehog_vpc")
	objs, err := fabric.Decode([]byte(directApplyFabric))
	if err != nil {
		t.Fatal(err)
	}
	steps, withErrors := 0, 0
	// sideState is one side's state of one object, with its identity and private state.
	type sideState struct {
		state    tftypes.Value
		identity *tfprotov6.ResourceIdentityData
		private  []byte
	}
	// step plans cfg over each side's prior state (through each server's own plan path) and applies that
	// plan, the reference side through the framework and the other through applyDirect; it compares the
	// answers and returns each side's new state. private, when set, replaces both sides' private state.
	step := func(name, typeName string, cfg tftypes.Value, prior [2]sideState, private []byte) [2]sideState {
		t.Helper()
		sch := ref.p.schema.ResourceSchemas[typeName]
		typ := sch.ValueType()
		var answers [2]*tfprotov6.ApplyResourceChangeResponse
		for i, side := range []*directSide{ref, dir} {
			pv, proposed := prior[i].private, cfg
			if private != nil {
				pv = private
			}
			if !prior[i].state.IsNull() {
				proposed = proposedNew(sch.Block, cfg, prior[i].state)
			}
			pr, err := side.srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: typeName, Config: dv(t, typ, cfg),
				PriorState: dv(t, typ, prior[i].state), ProposedNewState: dv(t, typ, proposed), PriorPrivate: pv, PriorIdentity: prior[i].identity})
			if err != nil {
				t.Fatal(err)
			}
			requireNoErrors(t, name+" plan", pr.Diagnostics)
			areq := &tfprotov6.ApplyResourceChangeRequest{TypeName: typeName, Config: dv(t, typ, cfg), PriorState: dv(t, typ, prior[i].state),
				PlannedState: pr.PlannedState, PlannedPrivate: pr.PlannedPrivate, PlannedIdentity: pr.PlannedIdentity}
			if side == dir {
				resp, ok := side.srv.applyDirect(ctx, areq)
				if !ok {
					t.Fatalf("%s: the direct path declined", name)
				}
				answers[i] = resp
			} else if answers[i], err = side.srv.ApplyResourceChange(ctx, areq); err != nil {
				t.Fatal(err)
			}
		}
		a, b := answers[0], answers[1]
		if x, y := ref.normalised(diagText(a.Diagnostics)), dir.normalised(diagText(b.Diagnostics)); x != y {
			t.Fatalf("%s: diagnostics differ:\nframework:\n%s\nours:\n%s", name, x, y)
		}
		if hasErrors(a.Diagnostics) {
			withErrors++
		}
		sa, errA := a.NewState.Unmarshal(typ)
		sb, errB := b.NewState.Unmarshal(typ)
		ja, _ := valueJSON(sa)
		jb, _ := valueJSON(sb)
		if errA != nil || errB != nil || ref.normalised(string(ja)) != dir.normalised(string(jb)) {
			t.Fatalf("%s: new states differ (%v, %v):\nframework %s\nours      %s", name, errA, errB, ref.normalised(string(ja)), dir.normalised(string(jb)))
		}
		if !bytes.Equal(a.Private, b.Private) {
			t.Fatalf("%s: private state differs: framework %q, ours %q", name, a.Private, b.Private)
		}
		if (a.NewIdentity == nil) != (b.NewIdentity == nil) ||
			a.NewIdentity != nil && !bytes.Equal(a.NewIdentity.IdentityData.MsgPack, b.NewIdentity.IdentityData.MsgPack) {
			t.Fatalf("%s: identity differs: framework %+v, ours %+v", name, a.NewIdentity, b.NewIdentity)
		}
		steps++
		return [2]sideState{{sa, a.NewIdentity, a.Private}, {sb, b.NewIdentity, b.Private}}
	}

	adopt := []byte(fmt.Sprintf(`{%q:%q}`, privateAdopt, base64.StdEncoding.EncodeToString([]byte(`{"import":true}`))))
	for _, o := range objs {
		spec := mustKinds()[o.GetKind()]
		typeName := "hedgehog_" + spec.TypeName
		typ := ref.p.schema.ResourceSchemas[typeName].ValueType()
		label := o.GetKind() + " " + o.Meta().Name
		null := sideState{state: tftypes.NewValue(typ, nil)}
		cfg := fastPlanConfig(t, spec, typ, o, nil)
		st := step(label+" create", typeName, cfg, [2]sideState{null, null}, nil)
		if st[0].state.IsNull() {
			continue
		}
		labelled := fastPlanConfig(t, spec, typ, o, map[string]tftypes.Value{aLabels: tfStrMap(map[string]string{"direct": "yes"})})
		st = step(label+" label added", typeName, labelled, st, nil)
		st = step(label+" after import", typeName, cfg, st, adopt)
		if o.GetKind() == fabric.KindVPC {
			vlan := fastPlanConfig(t, spec, typ, o, nil, func(sm map[string]any) {
				for _, sn := range sm["subnets"].(map[string]any) {
					if v, ok := sn.(map[string]any)["vlan"].(int64); ok {
						sn.(map[string]any)["vlan"] = v + 500
					}
				}
			})
			st = step(label+" VLAN changed after import", typeName, vlan, st, adopt)
			_ = step(label+" VLAN changed back", typeName, cfg, st, nil)
		}
		// A create of what exists: refused by the write (the plan's check is skipped here).
		_ = step(label+" created again", typeName, cfg, [2]sideState{null, null}, nil)
	}
	if steps < 20 || withErrors == 0 {
		t.Fatalf("too little compared: %d applies, %d with errors", steps, withErrors)
	}
	t.Logf("%d applies compared (%d with errors)", steps, withErrors)
}

// The objects of the apply differential test: a namespace and what uses it, and kinds without references.
const directApplyFabric = `
apiVersion: vpc.githedgehog.com/v1beta1
kind: IPv4Namespace
metadata: {name: default}
spec: {subnets: [10.90.0.0/16]}
---
apiVersion: wiring.githedgehog.com/v1beta1
kind: VLANNamespace
metadata: {name: default}
spec: {ranges: [{from: 1000, to: 2999}]}
---
apiVersion: vpc.githedgehog.com/v1beta1
kind: VPC
metadata: {name: da-vpc, labels: {team: a}}
spec: {subnets: {web: {subnet: 10.90.1.0/24, vlan: 1100, dhcp: {enable: true}}, db: {subnet: 10.90.2.0/24, vlan: 1101}}}
---
apiVersion: wiring.githedgehog.com/v1beta1
kind: Server
metadata: {name: da-server}
spec: {description: direct}
---
apiVersion: wiring.githedgehog.com/v1beta1
kind: SwitchGroup
metadata: {name: da-group}
spec: {}
`

// TestReadDirectMatchesFramework: the protocol server's own read path answers as the framework's (whose
// state the wrapper re-encodes as JSON): the same state, identity, private state and diagnostics for states
// in step with the backends, after a change by hand in Git (drift, shown as the file's object), with the
// file removed (drift, or gone when Git was the object's only backend), without an identity (older
// clients) and with the import's adoption mark in private state. A read that follows an import (the
// framework's own mark) and an import's bare state are left to the framework.
func TestReadDirectMatchesFramework(t *testing.T) {
	dirRepo := t.TempDir()
	url, err := gitserver.NewFileRepo(dirRepo)
	if err != nil {
		t.Fatal(err)
	}
	nb := netboxemu.Start(t)
	p := newProtoProvider(t)
	config := map[string]any{"owner": "direct-read-test", "git": map[string]any{"url": url},
		"netbox": map[string]any{"server_url": nb.URL, "api_token": nb.Token}}
	p.configure(config)
	srv := p.srv.(*jsonStateServer)
	ctx := context.Background()
	srv.stateType(ctx, "hedgehog_vpc")
	objs, err := fabric.Decode([]byte(directApplyFabric))
	if err != nil {
		t.Fatal(err)
	}
	compared, drifted, removed := 0, 0, 0
	read := func(name, typeName string, req *tfprotov6.ReadResourceRequest) *tfprotov6.ReadResourceResponse {
		t.Helper()
		typ := p.schema.ResourceSchemas[typeName].ValueType()
		srv.noDirect = true
		want, err := srv.ReadResource(ctx, req)
		srv.noDirect = false
		if err != nil {
			t.Fatal(err)
		}
		got, ok := srv.readDirect(ctx, req)
		if !ok {
			t.Fatalf("%s: the direct path declined", name)
		}
		if a, b := diagText(want.Diagnostics), diagText(got.Diagnostics); a != b {
			t.Fatalf("%s: diagnostics differ:\nframework:\n%s\nours:\n%s", name, a, b)
		}
		a, errA := want.NewState.Unmarshal(typ)
		b, errB := got.NewState.Unmarshal(typ)
		if errA != nil || errB != nil || !a.Equal(b) || len(got.NewState.MsgPack) > 0 {
			t.Fatalf("%s: new states differ (%v, %v):\nframework %s\nours      %s", name, errA, errB, a, b)
		}
		if !bytes.Equal(want.Private, got.Private) {
			t.Fatalf("%s: private state differs: framework %q, ours %q", name, want.Private, got.Private)
		}
		if (want.NewIdentity == nil) != (got.NewIdentity == nil) ||
			want.NewIdentity != nil && !bytes.Equal(want.NewIdentity.IdentityData.MsgPack, got.NewIdentity.IdentityData.MsgPack) {
			t.Fatalf("%s: identity differs: framework %+v, ours %+v", name, want.NewIdentity, got.NewIdentity)
		}
		if a.IsNull() {
			removed++
		} else if d := attrs(a)[aDrift]; d.IsKnown() && !d.IsNull() {
			var m map[string]tftypes.Value
			if d.As(&m) == nil && len(m) > 0 {
				drifted++
			}
		}
		compared++
		return got
	}
	adopt := []byte(fmt.Sprintf(`{%q:%q}`, privateAdopt, base64.StdEncoding.EncodeToString([]byte(`{"import":true}`))))
	for _, o := range objs {
		spec := mustKinds()[o.GetKind()]
		typeName := "hedgehog_" + spec.TypeName
		typ := p.schema.ResourceSchemas[typeName].ValueType()
		label := o.GetKind() + " " + o.Meta().Name
		cfg := fastPlanConfig(t, spec, typ, o, nil)
		null := dv(t, typ, tftypes.NewValue(typ, nil))
		pr, err := srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: typeName, Config: dv(t, typ, cfg), PriorState: null, ProposedNewState: dv(t, typ, cfg)})
		if err != nil {
			t.Fatal(err)
		}
		requireNoErrors(t, label+" plan", pr.Diagnostics)
		ar, err := srv.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{TypeName: typeName, Config: dv(t, typ, cfg), PriorState: null, PlannedState: pr.PlannedState, PlannedIdentity: pr.PlannedIdentity})
		if err != nil {
			t.Fatal(err)
		}
		requireNoErrors(t, label+" apply", ar.Diagnostics)
		state, err := ar.NewState.Unmarshal(typ)
		if err != nil {
			t.Fatal(err)
		}
		req := func(private []byte, identity *tfprotov6.ResourceIdentityData) *tfprotov6.ReadResourceRequest {
			return &tfprotov6.ReadResourceRequest{TypeName: typeName, CurrentState: ar.NewState, Private: private, CurrentIdentity: identity}
		}
		read(label+" in step", typeName, req(ar.Private, ar.NewIdentity))
		read(label+" without identity", typeName, req(nil, nil))
		read(label+" after import, adoption pending", typeName, req(adopt, ar.NewIdentity))
		// Left to the framework: a read that follows an import, an import's bare state.
		mark := []byte(`{".import_before_read":"dHJ1ZQ=="}`)
		if _, ok := srv.readDirect(ctx, req(mark, ar.NewIdentity)); ok {
			t.Errorf("%s: the direct path answered a read that follows an import", label)
		}
		bare := map[string]tftypes.Value{}
		for k, v := range attrs(state) {
			bare[k] = tftypes.NewValue(v.Type(), nil)
		}
		bare[aName], bare[aNamespace] = attrs(state)[aName], attrs(state)[aNamespace]
		if _, ok := srv.readDirect(ctx, &tfprotov6.ReadResourceRequest{TypeName: typeName, CurrentState: dv(t, typ, tftypes.NewValue(typ, bare))}); ok {
			t.Errorf("%s: the direct path answered an import's bare state", label)
		}
		// By hand in Git: a changed file (drift), then no file.
		gitPath, _ := strVal(attrs(state)[aGitPath])
		content, found, err := gitserver.ReadFile(dirRepo, "main", gitPath)
		if err != nil || !found {
			t.Fatalf("%s: %s not in Git: %v", label, gitPath, err)
		}
		var changed []byte
		if o.Meta().Labels == nil {
			changed = bytes.Replace(content, []byte("  name: "+o.Meta().Name), []byte("  labels: {by-hand: x}\n  name: "+o.Meta().Name), 1)
		} else {
			changed = bytes.Replace(content, []byte("team: a"), []byte("team: by-hand"), 1)
		}
		if bytes.Equal(changed, content) {
			t.Fatalf("%s: the test did not change the file:\n%s", label, content)
		}
		if _, err := gitserver.CommitFile(dirRepo, "main", gitPath, changed, "by hand"); err != nil {
			t.Fatal(err)
		}
		p.configure(config) // a new run: its engine lists the backends afresh
		read(label+" changed in Git", typeName, req(ar.Private, ar.NewIdentity))
		if _, err := gitserver.CommitFile(dirRepo, "main", gitPath, nil, "removed by hand"); err != nil {
			t.Fatal(err)
		}
		p.configure(config) // a new run: its engine lists the backends afresh
		read(label+" removed from Git", typeName, req(ar.Private, ar.NewIdentity))
		// Back as it was, for what refers to it.
		if _, err := gitserver.CommitFile(dirRepo, "main", gitPath, content, "restored by hand"); err != nil {
			t.Fatal(err)
		}
		p.configure(config)
	}
	if compared < 25 || drifted < 8 || removed == 0 {
		t.Fatalf("too little compared: %d reads, %d with drift, %d removed", compared, drifted, removed)
	}
	t.Logf("%d reads compared (%d with drift, %d removed)", compared, drifted, removed)
}

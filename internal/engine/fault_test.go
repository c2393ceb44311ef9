package engine

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/kube"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/saga"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/gitserver"
)

// faultCase is one cell of the fault matrix: an operation, the backend made to fail at its step, and the
// saga outcome expected.
type faultCase struct {
	name string // "<operation>/<failing backend>[ detail]"
	vpc  string // unique per case, ≤ 11 chars
	op   string // "create", "update" or "delete"
	// before is the VPC applied successfully before the checkpoint (update, delete); nil: nothing.
	before map[string]sub
	// want is the VPC the create or update writes.
	want map[string]sub
	// prepare runs before the checkpoint: it is part of the state that must survive.
	prepare func(t *testing.T, c *caseEnv)
	// arm injects the fault after the checkpoint; disarm (optional) removes it after the operation.
	arm    func(t *testing.T, c *caseEnv)
	disarm func(t *testing.T, c *caseEnv)
	// mutate changes a copy of the rendered manifest (bad content).
	mutate func(m map[string]any)
	// opKube is the Kubernetes backend of the failing operation (default: the admin one).
	opKube func() backend.Backend
	// wantStep is the step whose Do fails; wantRolledBack the steps compensated, in order.
	wantStep       string
	wantRolledBack []string
	// checkErr asserts what the backend error says (the fault did fire, and is the intended one).
	checkErr func(t *testing.T, err error)
}

type caseEnv struct {
	repo repo
	vpc  string
}

var (
	applyOrder  = []string{backend.NetBox, backend.Git, backend.Kubernetes}
	deleteOrder = []string{backend.Kubernetes, backend.Git, backend.NetBox}
)

func rejectPushes(t *testing.T, c *caseEnv) {
	t.Helper()
	if err := gitserver.RejectPushes(c.repo.dir, true); err != nil {
		t.Fatal(err)
	}
}

func acceptPushes(t *testing.T, c *caseEnv) {
	t.Helper()
	if err := gitserver.RejectPushes(c.repo.dir, false); err != nil {
		t.Fatal(err)
	}
}

func failNetBox(method, path string) func(t *testing.T, c *caseEnv) {
	return func(t *testing.T, c *caseEnv) { tstack.NetBox.FailNext(method, path, 500, 1) }
}

func errSays(parts ...string) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		t.Helper()
		for _, p := range parts {
			if !strings.Contains(err.Error(), p) {
				t.Errorf("error does not say %q: %v", p, err)
			}
		}
	}
}

func faultCases() []faultCase {
	denied := func() backend.Backend {
		return kube.New(kube.Config{KubeconfigPath: tstack.Kubeconfig, Token: tstack.API.DeniedToken})
	}
	noForce := func() backend.Backend {
		return kube.New(kube.Config{KubeconfigPath: tstack.Kubeconfig, NoForceConflicts: true})
	}
	return []faultCase{
		{
			name: "create/netbox", vpc: "fcnetbox", op: "create",
			want: map[string]sub{"default": {"10.101.1.0/24", 1101}, "extra": {"10.101.2.0/24", 1102}},
			// VRF and both VLANs are written before the first prefix POST fails: a partial write.
			arm:      failNetBox("POST", "/api/ipam/prefixes/"),
			wantStep: backend.NetBox, wantRolledBack: []string{backend.NetBox},
			checkErr: errSays("500"),
		},
		{
			name: "create/git", vpc: "fcgit", op: "create",
			want:     map[string]sub{"default": {"10.102.1.0/24", 1201}},
			arm:      rejectPushes, disarm: acceptPushes,
			wantStep: backend.Git, wantRolledBack: []string{backend.NetBox},
			checkErr: errSays("pushes are rejected by policy"),
		},
		{
			name: "create/kubernetes field-manager conflict", vpc: "fckube", op: "create",
			want: map[string]sub{"default": {"10.103.1.0/24", 1301}},
			prepare: func(t *testing.T, c *caseEnv) {
				// Marked as ours, but another manager owns spec.subnets.default.vlan with another value.
				applyAs(t, "other-team", c.vpc, map[string]any{backend.OwnerAnnotation: backend.OwnerValue},
					vpcSpec(map[string]sub{"default": {"10.103.1.0/24", 1399}}))
			},
			opKube:   noForce,
			wantStep: backend.Kubernetes, wantRolledBack: []string{backend.Git, backend.NetBox},
			checkErr: func(t *testing.T, err error) {
				if !apierrors.IsConflict(err) {
					t.Errorf("want a 409 conflict in the chain, got %v", err)
				}
			},
		},
		{
			name: "update/netbox PATCH", vpc: "fupatch", op: "update",
			before:   map[string]sub{"default": {"10.104.1.0/24", 1401}},
			want:     map[string]sub{"default": {"10.104.1.0/24", 1411}},
			arm:      failNetBox("PATCH", "/api/ipam/vlans/"),
			wantStep: backend.NetBox, wantRolledBack: []string{backend.NetBox},
			checkErr: errSays("500"),
		},
		{
			name: "update/netbox POST after PATCH", vpc: "fupost", op: "update",
			before: map[string]sub{"default": {"10.105.1.0/24", 1501}},
			// The VLAN of default is patched and a VLAN created before the new prefix's POST fails.
			want:     map[string]sub{"default": {"10.105.1.0/24", 1511}, "extra": {"10.105.2.0/24", 1521}},
			arm:      failNetBox("POST", "/api/ipam/prefixes/"),
			wantStep: backend.NetBox, wantRolledBack: []string{backend.NetBox},
			checkErr: errSays("500"),
		},
		{
			name: "update/git", vpc: "fugit", op: "update",
			before:   map[string]sub{"default": {"10.106.1.0/24", 1601}},
			want:     map[string]sub{"default": {"10.106.1.0/24", 1611}, "extra": {"10.106.2.0/24", 1621}},
			arm:      rejectPushes, disarm: acceptPushes,
			wantStep: backend.Git, wantRolledBack: []string{backend.NetBox},
			checkErr: errSays("pushes are rejected by policy"),
		},
		{
			name: "update/kubernetes schema violation", vpc: "fukube", op: "update",
			before: map[string]sub{"default": {"10.107.1.0/24", 1701}},
			want:   map[string]sub{"default": {"10.107.1.0/24", 1701}, "extra": {"10.107.2.0/24", 1721}},
			// NetBox (drops the VLAN of default, adds extra) and Git write the bad manifest first.
			mutate: func(m map[string]any) {
				m["spec"].(map[string]any)["subnets"].(map[string]any)["default"].(map[string]any)["vlan"] = "abc"
			},
			wantStep: backend.Kubernetes, wantRolledBack: []string{backend.Git, backend.NetBox},
			checkErr: func(t *testing.T, err error) {
				if !apierrors.IsInvalid(err) {
					var se apierrors.APIStatus; errors.As(err, &se); t.Errorf("want a 422 in the chain, got %v (status %d %s)", err, se.Status().Code, se.Status().Reason)
				}
			},
		},
		{
			name: "delete/kubernetes forbidden", vpc: "fdkube", op: "delete",
			before:   map[string]sub{"default": {"10.108.1.0/24", 1801}},
			opKube:   denied,
			wantStep: backend.Kubernetes, wantRolledBack: nil,
			checkErr: func(t *testing.T, err error) {
				if !apierrors.IsForbidden(err) {
					t.Errorf("want a 403 in the chain, got %v", err)
				}
			},
		},
		{
			name: "delete/git", vpc: "fdgit", op: "delete",
			before:   map[string]sub{"default": {"10.109.1.0/24", 1901}},
			arm:      rejectPushes, disarm: acceptPushes,
			wantStep: backend.Git, wantRolledBack: []string{backend.Kubernetes},
			checkErr: errSays("pushes are rejected by policy"),
		},
		{
			name: "delete/netbox", vpc: "fdnetbox", op: "delete",
			before: map[string]sub{"default": {"10.110.1.0/24", 2001}, "extra": {"10.110.2.0/24", 2002}},
			// The prefixes are deleted before the first VLAN DELETE fails: a partial delete.
			arm:      failNetBox("DELETE", "/api/ipam/vlans/"),
			wantStep: backend.NetBox, wantRolledBack: []string{backend.NetBox, backend.Git, backend.Kubernetes},
			checkErr: errSays("500"),
		},
	}
}

// TestFaultMatrix makes each backend fail at its step of create, update and delete, and asserts that
// every backend is back at the checkpoint taken before the operation.
func TestFaultMatrix(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range faultCases() {
		if seen[tc.vpc] {
			t.Fatalf("VPC name %s used twice", tc.vpc)
		}
		seen[tc.vpc] = true
		t.Run(tc.name, func(t *testing.T) { runFaultCase(t, tc) })
	}
	// Every request the backends sent conformed to NetBox's OpenAPI description.
	tstack.NetBox.CheckNoFailures(t)
}

func runFaultCase(t *testing.T, tc faultCase) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	c := &caseEnv{repo: newRepo(t, tc.vpc), vpc: tc.vpc}
	full := engineOf(tnb, c.repo.b, tkube)
	ref := backend.Ref{Kind: "VPC", Namespace: "default", Name: tc.vpc}

	if tc.before != nil {
		if _, err := full.Apply(ctx, render(t, full, tc.vpc, vpcSpec(tc.before)), false); err != nil {
			t.Fatalf("apply the prior state: %v", err)
		}
		if clusterVPC(t, tc.vpc) == nil || len(netboxRecordsOf("ipam.vrf", tc.vpc)) != 1 {
			t.Fatal("the prior state is not in the cluster and NetBox")
		}
	}
	if tc.prepare != nil {
		tc.prepare(t, c)
	}
	want := takeCheckpoint(t, c.repo)

	opKube := backend.Backend(tkube)
	if tc.opKube != nil {
		opKube = tc.opKube()
	}
	eng := engineOf(tnb, c.repo.b, opKube)
	if tc.arm != nil {
		tc.arm(t, c)
	}
	var err error
	switch tc.op {
	case "create", "update":
		d := render(t, eng, tc.vpc, vpcSpec(tc.want))
		if tc.mutate != nil {
			d = withManifest(d, tc.mutate)
		}
		_, err = eng.Apply(ctx, d, tc.op == "update")
	case "delete":
		err = eng.Delete(ctx, ref)
	default:
		t.Fatalf("unknown operation %q", tc.op)
	}
	if tc.disarm != nil {
		tc.disarm(t, c)
	}
	if err == nil {
		t.Fatal("the operation succeeded; want it to fail")
	}
	f, ok := saga.AsFailure(err)
	if !ok {
		t.Fatalf("error is not a *saga.Failure: %T %v", err, err)
	}
	if f.Step != tc.wantStep {
		t.Errorf("failed step = %q, want %q (%v)", f.Step, tc.wantStep, err)
	}
	var be *backend.Error
	if !errors.As(f.Err, &be) || be.Backend != tc.wantStep {
		t.Errorf("step error is not a *backend.Error of %s: %T %v", tc.wantStep, f.Err, f.Err)
	}
	if !reflect.DeepEqual(f.RolledBack, tc.wantRolledBack) {
		t.Errorf("rolled back = %v, want %v", f.RolledBack, tc.wantRolledBack)
	}
	order := applyOrder
	if tc.op == "delete" {
		order = deleteOrder
	}
	var wantSkipped []string
	for i, s := range order {
		if s == tc.wantStep {
			wantSkipped = order[i+1:]
		}
	}
	if len(wantSkipped) == 0 {
		wantSkipped = nil
	}
	if !reflect.DeepEqual(f.Skipped, wantSkipped) {
		t.Errorf("skipped = %v, want %v", f.Skipped, wantSkipped)
	}
	if !f.Clean() {
		t.Errorf("rollback is not clean: %v", f.UndoErrors)
	}
	if tc.checkErr != nil {
		tc.checkErr(t, err)
	}
	assertAtCheckpoint(t, c.repo, want)
	t.Logf("%s: %v", tc.name, time.Since(start).Round(time.Millisecond))
}

// TestApplyIsIdempotentAfterCrash: an apply that wrote NetBox and Git and then died before the Kubernetes
// step is re-run (adopt=false, as a create is); it adopts its own marked records and file and duplicates
// nothing.
func TestApplyIsIdempotentAfterCrash(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const name = "fcrash"
	r := newRepo(t, name)
	subs := map[string]sub{"default": {"10.111.1.0/24", 2101}, "extra": {"10.111.2.0/24", 2102}}

	crashed := engineOf(tnb, r.b) // no Kubernetes: the process "died" before that step
	if _, err := crashed.Apply(ctx, render(t, crashed, name, vpcSpec(subs)), false); err != nil {
		t.Fatalf("first (crashed) apply: %v", err)
	}
	if clusterVPC(t, name) != nil {
		t.Fatal("the crashed apply reached the cluster")
	}
	logBefore, err := gitserver.Log(r.dir, "main")
	if err != nil {
		t.Fatal(err)
	}

	full := engineOf(tnb, r.b, tkube)
	d := render(t, full, name, vpcSpec(subs))
	res, err := full.Apply(ctx, d, false)
	if err != nil {
		t.Fatalf("re-run with adopt=false: %v", err)
	}
	for _, b := range []string{backend.NetBox, backend.Git, backend.Kubernetes} {
		if st := res[b]; !st.Exists || !st.Owned || st.Digest != d.Digests[b] {
			t.Errorf("%s after the re-run: exists=%v owned=%v in sync=%v", b, st.Exists, st.Owned, st.Digest == d.Digests[b])
		}
	}
	if got := len(netboxRecordsOf("ipam.vrf", name)); got != 1 {
		t.Errorf("%d VRFs for %s, want 1", got, name)
	}
	if got := len(netboxRecordsOf("ipam.prefix", name)); got != 2 {
		t.Errorf("%d prefixes for %s, want 2", got, name)
	}
	if got := len(netboxRecordsOf("ipam.vlan", name)); got != 2 {
		t.Errorf("%d VLANs for %s, want 2", got, name)
	}
	logAfter, err := gitserver.Log(r.dir, "main")
	if err != nil {
		t.Fatal(err)
	}
	if len(logAfter) != len(logBefore) {
		t.Errorf("the re-run made %d new commits, want none (file already in place)", len(logAfter)-len(logBefore))
	}
	files, err := gitserver.ListFiles(r.dir, "main", "fabric")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(files, []string{"fabric/vpc/" + name + ".yaml"}) {
		t.Errorf("git files = %v", files)
	}
	u := clusterVPC(t, name)
	if u == nil {
		t.Fatal("the re-run did not create the VPC in the cluster")
	}
	if u.GetAnnotations()[backend.OwnerAnnotation] != backend.OwnerValue {
		t.Errorf("cluster VPC lacks the ownership mark: %v", u.GetAnnotations())
	}
	tstack.NetBox.CheckNoFailures(t)
}

// TestApplyRefusesForeignObject: a VPC someone else created in the cluster (no ownership mark) makes a
// create fail with ErrNotOwned at the Kubernetes step; NetBox and Git are rolled back and the foreign
// object is untouched.
func TestApplyRefusesForeignObject(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const name = "fforeign"
	r := newRepo(t, name)
	applyAs(t, "someone-else", name, map[string]any{"owner": "network-team"},
		vpcSpec(map[string]sub{"default": {"10.112.1.0/24", 2201}}))
	want := takeCheckpoint(t, r)

	eng := engineOf(tnb, r.b, tkube)
	_, err := eng.Apply(ctx, render(t, eng, name, vpcSpec(map[string]sub{"default": {"10.112.1.0/24", 2211}})), false)
	if err == nil {
		t.Fatal("apply over a foreign object succeeded")
	}
	if !errors.Is(err, backend.ErrNotOwned) {
		t.Errorf("ErrNotOwned not in the error chain: %v", err)
	}
	f, ok := saga.AsFailure(err)
	if !ok {
		t.Fatalf("not a *saga.Failure: %v", err)
	}
	if f.Step != backend.Kubernetes || !reflect.DeepEqual(f.RolledBack, []string{backend.Git, backend.NetBox}) || !f.Clean() {
		t.Errorf("failure: step %q, rolled back %v, clean %v", f.Step, f.RolledBack, f.Clean())
	}
	assertAtCheckpoint(t, r, want)
	if u := clusterVPC(t, name); u == nil || u.GetAnnotations()["owner"] != "network-team" {
		t.Errorf("the foreign VPC was changed: %v", u)
	}
	tstack.NetBox.CheckNoFailures(t)
}

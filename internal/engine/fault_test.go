package engine

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/guard"
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

func subnet(m map[string]any, name string) map[string]any {
	return m["spec"].(map[string]any)["subnets"].(map[string]any)[name].(map[string]any)
}

type caseEnv struct {
	repo repo
	vpc  string
}

var (
	applyOrder      = []string{backend.NetBox, backend.Git, backend.Kubernetes}
	deleteStepOrder = []string{backend.Kubernetes, backend.Git, backend.NetBox}
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

// failNetBox makes NetBox answer 500 to the next request (and to the retries an idempotent request gets, see
// package guard, so that the step fails).
func failNetBox(method, path string) func(t *testing.T, c *caseEnv) {
	n := 1
	if method == "GET" || method == "PUT" || method == "DELETE" {
		n += guard.DefaultMaxRetries
	}
	return func(t *testing.T, c *caseEnv) { tstack.NetBox.FailNext(method, path, 500, n) }
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
			want: map[string]sub{"default": {"10.102.1.0/24", 1201}},
			arm:  rejectPushes, disarm: acceptPushes,
			wantStep: backend.Git, wantRolledBack: []string{backend.NetBox},
			checkErr: errSays("pushes are rejected by policy"),
		},
		{
			// An update (the state holds the object, which carries our mark) whose cluster step hits a field
			// another manager owns. A create would be refused before any write (TestApplyRefusesForeignObject).
			name: "update/kubernetes field-manager conflict", vpc: "fckube", op: "update",
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
			before: map[string]sub{"default": {"10.106.1.0/24", 1601}},
			want:   map[string]sub{"default": {"10.106.1.0/24", 1611}, "extra": {"10.106.2.0/24", 1621}},
			arm:    rejectPushes, disarm: acceptPushes,
			wantStep: backend.Git, wantRolledBack: []string{backend.NetBox},
			checkErr: errSays("pushes are rejected by policy"),
		},
		{
			name: "update/kubernetes wrong field type", vpc: "fukube", op: "update",
			before: map[string]sub{"default": {"10.107.1.0/24", 1701}},
			want:   map[string]sub{"default": {"10.107.1.0/24", 1701}, "extra": {"10.107.2.0/24", 1721}},
			// NetBox (drops the VLAN of default, adds extra) and Git write the bad manifest first.
			mutate: func(m map[string]any) {
				subnet(m, "default")["vlan"] = "abc"
			},
			wantStep: backend.Kubernetes, wantRolledBack: []string{backend.Git, backend.NetBox},
			checkErr: func(t *testing.T, err error) {
				// Server-side apply rejects a type mismatch while building the typed patch, before CRD
				// validation, and answers 500 rather than 422 (kubernetes/kubernetes#139253, #122480).
				var se apierrors.APIStatus
				if !errors.As(err, &se) || !strings.Contains(se.Status().Message, ".spec.subnets.default.vlan") {
					t.Errorf("want the API server to reject .spec.subnets.default.vlan, got %v", err)
				}
			},
		},
		{
			name: "update/kubernetes schema violation 422", vpc: "fukubereq", op: "update",
			before: map[string]sub{"default": {"10.113.1.0/24", 2301}},
			want:   map[string]sub{"default": {"10.113.1.0/24", 2311}, "extra": {"10.113.2.0/24", 2321}},
			// dhcp.options lacks the fields the CRD requires (interfaceMTU, leaseTimeSeconds): 422.
			mutate: func(m map[string]any) {
				subnet(m, "default")["dhcp"] = map[string]any{"options": map[string]any{"pxeURL": "http://10.113.1.9/boot"}}
			},
			wantStep: backend.Kubernetes, wantRolledBack: []string{backend.Git, backend.NetBox},
			checkErr: func(t *testing.T, err error) {
				if !apierrors.IsInvalid(err) {
					t.Errorf("want a 422 in the chain, got %v", err)
				}
				if !strings.Contains(err.Error(), "interfaceMTU") {
					t.Errorf("the error does not name the missing field: %v", err)
				}
			},
		},
		{
			// The preflight read is refused, so the delete stops before any backend is written.
			name: "delete/kubernetes forbidden", vpc: "fdkube", op: "delete",
			before:   map[string]sub{"default": {"10.108.1.0/24", 1801}},
			opKube:   denied,
			wantStep: "preflight", wantRolledBack: nil,
			checkErr: func(t *testing.T, err error) {
				if !apierrors.IsForbidden(err) {
					t.Errorf("want a 403 in the chain, got %v", err)
				}
			},
		},
		{
			name: "delete/git", vpc: "fdgit", op: "delete",
			before: map[string]sub{"default": {"10.109.1.0/24", 1901}},
			arm:    rejectPushes, disarm: acceptPushes,
			wantStep: backend.Git, wantRolledBack: []string{backend.Kubernetes},
			checkErr: errSays("pushes are rejected by policy"),
		},
		{
			// The cluster copy is someone else's (no mark, another field manager): its restore takes the
			// Update/Create path with the prior managed fields rather than server-side apply.
			name: "delete/git foreign cluster object", vpc: "fdforeign", op: "delete",
			prepare: func(t *testing.T, c *caseEnv) {
				spec := vpcSpec(map[string]sub{"default": {"10.114.1.0/24", 2401}})
				e := engineOf(tnb, c.repo.b)
				if _, err := e.Apply(context.Background(), render(t, e, c.vpc, spec), createW); err != nil {
					t.Fatal(err)
				}
				applyAs(t, "someone-else", c.vpc, map[string]any{"owner": "network-team"}, spec)
			},
			arm: rejectPushes, disarm: acceptPushes,
			wantStep: backend.Git, wantRolledBack: []string{backend.Kubernetes},
			checkErr: func(t *testing.T, err error) {
				u := clusterVPC(t, "fdforeign")
				if u == nil {
					return // reported by the checkpoint comparison
				}
				var managers []string
				for _, mf := range u.GetManagedFields() {
					managers = append(managers, mf.Manager)
				}
				if !slices.Equal(managers, []string{"someone-else"}) {
					t.Errorf("restored field managers = %v, want exactly [someone-else]", managers)
				}
				st, err := tkube.Get(context.Background(), backend.Ref{Kind: "VPC", Namespace: "default", Name: "fdforeign"})
				if err != nil || st.Owned {
					t.Errorf("the restore made the foreign object look owned by this provider (owned=%v, err=%v)", st.Owned, err)
				}
			},
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
		if _, err := full.Apply(ctx, render(t, full, tc.vpc, vpcSpec(tc.before)), createW); err != nil {
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
		_, err = eng.Apply(ctx, d, writeFor(tc.op == "update"))
	case "delete":
		_, err = eng.Delete(ctx, ref, updateW)
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
	if tc.wantStep == "preflight" {
		if ok {
			t.Fatalf("want a refusal before any write, got a saga failure: %v", err)
		}
		if tc.checkErr != nil {
			tc.checkErr(t, err)
		}
		assertAtCheckpoint(t, c.repo, want)
		return
	}
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
		order = deleteStepOrder
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

// TestCrashedCreateIsSettledByJournal: an apply that wrote NetBox and Git and then died before the
// Kubernetes step leaves an open journal entry; the next apply (a create of the same object, as Terraform
// plans it, since nothing reached state) first rolls the partial writes back, then creates the object once.
func TestCrashedCreateIsSettledByJournal(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const name = "fcrash"
	r := newRepo(t, name)
	subs := map[string]sub{"default": {"10.111.1.0/24", 2101}, "extra": {"10.111.2.0/24", 2102}}
	j := newMemJournal()

	crashed := New(Options{Backends: []backend.Backend{tnb, r.b, tkube}, Journal: j,
		Faults: &Faults{CrashOp: backend.OpCreate, CrashStep: 2, Exit: func(int) { panic(errCrash) }}})
	func() {
		defer func() {
			if p := recover(); p != errCrash {
				t.Fatalf("the crash fault did not fire: %v", p)
			}
		}()
		_, _ = crashed.Apply(ctx, render(t, crashed, name, vpcSpec(subs)), createW)
	}()
	if clusterVPC(t, name) != nil {
		t.Fatal("the crashed apply reached the cluster")
	}
	if len(netboxRecordsOf("ipam.vrf", name)) != 1 {
		t.Fatal("the crashed apply did not write NetBox (the test would prove nothing)")
	}
	if open, _ := j.Pending(ctx, backend.DefaultOwner); len(open) != 1 || open[0].Op != backend.OpCreate {
		t.Fatalf("journal after the crash: %+v", open)
	}

	full := New(Options{Backends: []backend.Backend{tnb, r.b, tkube}, Journal: j})
	d := render(t, full, name, vpcSpec(subs))
	res, err := full.Apply(ctx, d, createW)
	if err != nil {
		t.Fatalf("re-run: %v", err)
	}
	if got := full.Recovered(); len(got) != 1 || !strings.Contains(got[0], "rolled back") {
		t.Errorf("recovered = %v", got)
	}
	if open, _ := j.Pending(ctx, backend.DefaultOwner); len(open) != 0 {
		t.Errorf("journal still open: %+v", open)
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

// TestCrashedCreateWithoutJournalIsRefused: without a journal, the partial writes of a crashed create are
// another state's objects as far as a new create can tell: it refuses before writing anything.
func TestCrashedCreateWithoutJournalIsRefused(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const name = "fcrash2"
	r := newRepo(t, name)
	subs := map[string]sub{"default": {"10.111.3.0/24", 2103}}
	crashed := engineOf(tnb, r.b) // no Kubernetes: the process "died" before that step
	if _, err := crashed.Apply(ctx, render(t, crashed, name, vpcSpec(subs)), createW); err != nil {
		t.Fatalf("first (crashed) apply: %v", err)
	}
	want := takeCheckpoint(t, r)
	full := engineOf(tnb, r.b, tkube)
	_, err := full.Apply(ctx, render(t, full, name, vpcSpec(subs)), createW)
	if oe, ok := backend.AsOwnership(err); !ok || oe.Backend != backend.NetBox {
		t.Fatalf("want a NetBox ownership refusal, got %v", err)
	}
	assertAtCheckpoint(t, r, want)
}

// TestApplyRefusesForeignObject: a VPC someone else created in the cluster (no ownership mark) makes a
// create fail with ErrNotOwned before any backend is written (the preflight), and the foreign object is
// untouched.
func TestApplyRefusesForeignObject(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const name = "fforeign"
	r := newRepo(t, name)
	applyAs(t, "someone-else", name, map[string]any{"owner": "network-team"},
		vpcSpec(map[string]sub{"default": {"10.112.1.0/24", 2201}}))
	want := takeCheckpoint(t, r)

	eng := engineOf(tnb, r.b, tkube)
	_, err := eng.Apply(ctx, render(t, eng, name, vpcSpec(map[string]sub{"default": {"10.112.1.0/24", 2211}})), createW)
	if err == nil {
		t.Fatal("apply over a foreign object succeeded")
	}
	if !errors.Is(err, backend.ErrNotOwned) {
		t.Errorf("ErrNotOwned not in the error chain: %v", err)
	}
	if _, ok := saga.AsFailure(err); ok {
		t.Fatalf("want a refusal before any write, got a saga failure: %v", err)
	}
	if oe, ok := backend.AsOwnership(err); !ok || oe.Backend != backend.Kubernetes || oe.Found.Marked {
		t.Errorf("want a Kubernetes refusal naming an unmarked object, got %v", err)
	}
	assertAtCheckpoint(t, r, want)
	if u := clusterVPC(t, name); u == nil || u.GetAnnotations()["owner"] != "network-team" {
		t.Errorf("the foreign VPC was changed: %v", u)
	}
	tstack.NetBox.CheckNoFailures(t)
}

// TestCheckpointCatchesMissingCompensation proves the checkpoint comparison can fail: with one backend's
// compensation silently doing nothing, the saga still reports a clean rollback, and the comparison names
// exactly that backend.
func TestCheckpointCatchesMissingCompensation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, tc := range []struct {
		name, vpc, broken, op string
		fault                 func(t *testing.T, c *caseEnv)
		undoFault             func(t *testing.T, c *caseEnv)
	}{
		{name: "create/git, netbox not compensated", vpc: "fmnetbox", broken: backend.NetBox, op: "create",
			fault: rejectPushes, undoFault: acceptPushes},
		{name: "update/kubernetes, git not compensated", vpc: "fmgit", broken: backend.Git, op: "update",
			fault: func(t *testing.T, c *caseEnv) {}},
		{name: "delete/git, kubernetes not compensated", vpc: "fmkube", broken: backend.Kubernetes, op: "delete",
			fault: rejectPushes, undoFault: acceptPushes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &caseEnv{repo: newRepo(t, tc.vpc), vpc: tc.vpc}
			spec := vpcSpec(map[string]sub{"default": {"10.120.1.0/24", 2400}})
			if tc.op != "create" {
				full := engineOf(tnb, c.repo.b, tkube)
				if _, err := full.Apply(ctx, render(t, full, tc.vpc, spec), createW); err != nil {
					t.Fatal(err)
				}
			}
			want := takeCheckpoint(t, c.repo)
			bs := []backend.Backend{tnb, c.repo.b, tkube}
			for i, b := range bs {
				if b.Name() == tc.broken {
					bs[i] = noUndo{b}
				}
			}
			eng := engineOf(bs...)
			tc.fault(t, c)
			var err error
			switch tc.op {
			case "create":
				_, err = eng.Apply(ctx, render(t, eng, tc.vpc, spec), createW)
			case "update":
				d := withManifest(render(t, eng, tc.vpc, vpcSpec(map[string]sub{"default": {"10.120.1.0/24", 2401}})),
					func(m map[string]any) { subnet(m, "default")["dhcp"] = map[string]any{"options": map[string]any{}} })
				_, err = eng.Apply(ctx, d, updateW)
			case "delete":
				_, err = eng.Delete(ctx, backend.Ref{Kind: "VPC", Namespace: "default", Name: tc.vpc}, updateW)
			}
			if tc.undoFault != nil {
				tc.undoFault(t, c)
			}
			f, ok := saga.AsFailure(err)
			if !ok || !f.Clean() {
				t.Fatalf("want a clean-looking *saga.Failure, got %v", err)
			}
			diffs := checkpointDiff(t, c.repo, want)
			if len(diffs) == 0 {
				t.Fatalf("the checkpoint comparison missed the uncompensated %s write", tc.broken)
			}
			for _, d := range diffs {
				if !strings.HasPrefix(d, tc.broken+":") {
					t.Errorf("difference outside the broken backend %s: %s", tc.broken, d)
				}
			}
		})
	}
}

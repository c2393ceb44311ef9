// Package engine is the one generic resource engine behind every resource type: it renders a fabric object
// from its metadata and spec, runs the validation cascade, runs the saga of backend writes and reads the
// backends back. It knows nothing of Terraform (the provider package adapts it) and nothing of any one
// backend (they sit behind backend.Backend).
package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/spec"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/redact"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/saga"
)

// Options configure an Engine.
type Options struct {
	// Backends are the configured backends, in any order; the saga orders them NetBox → Git → Kubernetes.
	Backends []backend.Backend
	// FabricConfig is the fabric configuration given in provider configuration; nil reads it from the
	// cluster (ConfigReader) or falls back to the fabric's usual defaults.
	FabricConfig *cascade.FabricConfig
	// ConfigReader reads the fabric's config.yaml from the cluster (nil without a cluster).
	ConfigReader func(ctx context.Context) ([]byte, error)
	// Policy is the compliance policy (nil: none).
	Policy *cascade.Policy
	// ListTTL bounds how long one list per kind and backend serves reads (refresh of many resources).
	ListTTL time.Duration
	// Owner is the owner identity that goes into every mark (backend.DefaultOwner when empty).
	Owner string
	// Audit holds the run's facts every write records (owner, Terraform Cloud run, workspace, VCS commit).
	Audit backend.Audit
	// Journal records every saga before it runs (nil: no journal; see DECISIONS.md).
	Journal backend.Journal
	// CompensationTimeout bounds the compensation of one saga (0: saga.DefaultUndoTimeout). Compensation
	// runs on after Ctrl-C, so that an interrupted apply still rolls back, but never without a deadline.
	CompensationTimeout time.Duration
	// DryRunAtPlan has the cluster judge every created or changed object at plan (Engine.DryRun): a
	// server-side apply with dryRun=All. Ignored when the cluster only observes.
	DryRunAtPlan bool
	// Faults are test hooks (HEDGEHOG_TEST_FAULTS): nil in normal runs.
	Faults *Faults
	// Declared is what Terraform's validate walk saw of the configuration (nil: unknown).
	Declared *Declared
	// CrossNeedsDeclared limits plan-time checks to the object alone when Declared is nil. Terraform runs
	// its validate walk before a plan walk only: a process without that record is an apply walk, whose
	// re-plan of each resource may come before the resources it refers to by literal name are re-planned.
	// Their cross-resource checks then run at the write (ValidateWrite), in order.
	CrossNeedsDeclared bool
	// PlanWithoutBackends makes the integration stage's failures warnings at plan (provider setting).
	PlanWithoutBackends bool
}

// Engine is safe for concurrent use; Terraform calls the provider with parallelism 10 by default.
type Engine struct {
	opts     Options
	backends []backend.Backend // saga order
	source   backend.Backend   // the backend that holds whole objects: Kubernetes, else Git, else nil

	cfgOnce sync.Once
	cfg     *cascade.FabricConfig
	cfgNote string
	cfgWarn string // set when reading the configuration failed and the defaults stand in (fabricNotes)

	viewMu    sync.Mutex
	view      *cascade.View // the plan view: the fabric after this plan (runview.go)
	written   *cascade.View // the written view: the fabric as this process has written it
	viewNote  string
	viewBuilt bool

	chMu       sync.Mutex
	changed    chan struct{} // closed at each view change (runview.go)
	lastChange time.Time
	running    int // writes and deletes running their saga

	lists listCache
	fresh freshLister // the apply's last look at the VPCs (recheck.go)
	// createdHere holds the namespaces ("kind/name") this process created (recheck.go).
	createdHere sync.Map

	viewNoteReported atomic.Bool

	integOnce     sync.Once
	integ         diag.Diagnostics
	integReported atomic.Bool

	recovery recovery
	reported sync.Map
	owners   map[string]int      // owner ("" unmarked) → objects of the view's source
	ownObjs  []cascade.Reference // objects of the view's source that carry this owner's mark
	viewFrom string              // the backend the view was read from

	skipped map[string]string // source backend → note naming its objects that did not decode (fabricNotes)
}

var sagaOrder = map[string]int{backend.NetBox: 0, backend.Git: 1, backend.Kubernetes: 2}

// New returns an engine. It does no I/O.
func New(opts Options) *Engine {
	if opts.ListTTL == 0 {
		opts.ListTTL = 30 * time.Second
	}
	bs := append([]backend.Backend(nil), opts.Backends...)
	sort.SliceStable(bs, func(i, j int) bool { return sagaOrder[bs[i].Name()] < sagaOrder[bs[j].Name()] })
	opts.Owner = backend.OwnerOrDefault(opts.Owner)
	opts.Audit.Owner = opts.Owner
	e := &Engine{opts: opts, backends: bs}
	for _, name := range []string{backend.Kubernetes, backend.Git} {
		if b := e.Backend(name); b != nil {
			e.source = b
			break
		}
	}
	e.lists.ttl = opts.ListTTL
	e.lastChange = time.Now()
	return e
}

// Backends returns the configured backends in saga order.
func (e *Engine) Backends() []backend.Backend { return e.backends }

// Backend returns the configured backend with the given name, or nil.
func (e *Engine) Backend(name string) backend.Backend {
	for _, b := range e.backends {
		if b.Name() == name {
			return b
		}
	}
	return nil
}

// Source is the backend that holds whole objects (Kubernetes, else Git), nil when only NetBox is set.
func (e *Engine) Source() backend.Backend { return e.source }

// handling returns the backends that store objects of the kind, in saga order.
func (e *Engine) handling(kind string) []backend.Backend {
	var out []backend.Backend
	for _, b := range e.backends {
		if b.Handles(kind) {
			out = append(out, b)
		}
	}
	return out
}

// FabricConfig returns the fabric configuration in force and a note saying where it came from.
func (e *Engine) FabricConfig(ctx context.Context) (*cascade.FabricConfig, string) {
	e.cfgOnce.Do(func() {
		switch {
		case e.opts.FabricConfig != nil:
			e.cfg, e.cfgNote = e.opts.FabricConfig, "provider configuration"
		case e.opts.ConfigReader != nil:
			data, err := e.opts.ConfigReader(ctx)
			if err == nil && data != nil {
				if c, perr := cascade.ParseFabricConfig(data); perr == nil {
					e.cfg, e.cfgNote = c, "cluster ConfigMap fabric-ctrl-config"
					return
				} else {
					err = perr
				}
			}
			e.cfg = cascade.DefaultFabricConfig()
			if err != nil {
				e.cfgNote = fmt.Sprintf("the fabric's usual defaults (reading fabric-ctrl-config failed: %v)", err)
				e.cfgWarn = configFallbackNote(err, e.cfg)
			} else {
				e.cfgNote = "the fabric's usual defaults (no fabric-ctrl-config in the cluster)"
			}
		default:
			e.cfg, e.cfgNote = cascade.DefaultFabricConfig(), "the fabric's usual defaults"
		}
	})
	return e.cfg, e.cfgNote
}

// Policy returns the compliance policy (may be nil).
func (e *Engine) Policy() *cascade.Policy { return e.opts.Policy }

// View returns the fabric view: every object the source backend holds (one list per kind, once per
// engine) plus every object planned or written through this engine since. When the source cannot be read
// the view holds only planned objects and note says why.
func (e *Engine) View(ctx context.Context) (v *cascade.View, note string) {
	e.viewMu.Lock()
	defer e.viewMu.Unlock()
	if e.viewBuilt {
		return e.view, e.viewNote
	}
	e.viewBuilt = true
	var objs []fabric.Object
	owners := map[string]int{}
	if e.source == nil {
		e.viewNote = "no Git or Kubernetes backend is configured, so objects outside this configuration are not known"
	} else {
		// The cluster first; when it cannot be read, Git (which holds the same objects in a GitOps setup).
		var failures []string
		for _, src := range e.sources() {
			got, err := e.readAll(ctx, src, owners)
			if err != nil {
				failures = append(failures, fmt.Sprintf("reading the fabric from %s failed (%v)", src.Name(), err))
				for k := range owners {
					delete(owners, k)
				}
				continue
			}
			objs = got
			e.viewFrom = src.Name()
			if len(failures) > 0 {
				e.viewNote = strings.Join(failures, "; ") + "; cross-resource checks use the objects in " + src.Name() + " instead"
			}
			failures = nil
			break
		}
		if len(failures) > 0 {
			e.viewNote = strings.Join(failures, "; ") + "; cross-resource checks see only the objects in this plan"
		}
	}
	// A cluster ships its SwitchProfile catalog; Git-only fabrics (and a bare cluster) do not, so the
	// built-in catalog stands in for port checks there.
	hasProfiles := false
	for _, o := range objs {
		if o.GetKind() == fabric.KindSwitchProfile {
			hasProfiles = true
			break
		}
	}
	if !hasProfiles {
		objs = append(objs, cascade.BuiltinSwitchProfiles()...)
	}
	e.owners = owners
	e.view = cascade.NewView(objs...)
	e.written = cascade.NewView(objs...)
	for _, v := range []*cascade.View{e.view, e.written} {
		for _, r := range e.ownObjs {
			v.MarkOwn(r.Kind, r.Name)
		}
		if e.viewNote != "" {
			v.SetPartial(e.viewNote)
		}
	}
	if d := e.opts.Declared; d != nil && e.viewNote == "" {
		for _, o := range d.Objects {
			e.view.UpsertDeclared(o) // declared by this configuration: part of the fabric after this plan
		}
		e.view.Claim(d.ClaimedSubnets, d.ClaimedVLANs)
	}
	return e.view, e.viewNote
}

// sources are the backends that hold whole objects, in the order the view and imports read them: the
// cluster, then Git.
func (e *Engine) sources() []backend.Backend {
	var out []backend.Backend
	for _, name := range []string{backend.Kubernetes, backend.Git} {
		if b := e.Backend(name); b != nil {
			out = append(out, b)
		}
	}
	return out
}

// readAll lists every kind from src and decodes the objects, counting them per owner.
func (e *Engine) readAll(ctx context.Context, src backend.Backend, owners map[string]int) ([]fabric.Object, error) {
	var c cascade.Collector // an object that does not decode is named in a warning (fabricNotes), not dropped
	for _, k := range fabric.Kinds() {
		states, err := e.list(ctx, src, k.Kind)
		if err != nil {
			return nil, err
		}
		for key, st := range states {
			if st.Object == nil {
				continue
			}
			owners[st.Owner]++
			c.Add(k.Kind, key, st.Object.Manifest)
			if st.Owned && st.Owner == e.opts.Owner {
				e.ownObjs = append(e.ownObjs, cascade.Reference{Kind: k.Kind, Name: st.Object.Ref.Name})
			}
		}
	}
	e.noteSkipped(src.Name(), c.Note(src.Name()))
	return c.Objects, nil
}

// GetWhole reads ref from the first backend that holds whole objects and has it: the cluster, else Git
// (import). tried names where it looked. err is set only when every source failed to answer: a source that
// answered "not there" makes the object absent, not the read failed.
func (e *Engine) GetWhole(ctx context.Context, ref backend.Ref) (st backend.State, from string, tried []string, err error) {
	answered := false
	for _, b := range e.sources() {
		s, gerr := b.Get(ctx, ref)
		if gerr != nil {
			tried = append(tried, fmt.Sprintf("%s (%v)", b.Name(), gerr))
			err = gerr
			continue
		}
		if s.Exists && s.Object != nil {
			return s, b.Name(), tried, nil
		}
		answered = true
		tried = append(tried, b.Name()+" (not there)")
	}
	if answered {
		err = nil
	}
	return backend.State{}, "", tried, err
}

// Meta is the metadata a resource sets.
type Meta struct {
	Namespace   string
	Name        string
	Labels      map[string]string
	Annotations map[string]string
}

// Desired is a rendered object: what every backend will receive.
type Desired struct {
	Ref      backend.Ref
	Typed    fabric.Object     // defaulted model object
	Object   backend.Object    // the manifest written to Git and the cluster (with the ownership mark)
	Spec     map[string]any    // the defaulted spec (JSON form)
	Digests  map[string]string // per handling backend: its projection of the object
	Describe map[string]string // per handling backend: what it will receive, in words
	// Predicted holds, per backend, the checkpoint fields known before the write (backend.Predictor).
	Predicted map[string]map[string]string
}

// YAML renders the manifest as Git stores it (backend.YAML). It is made on demand: a plan no longer carries
// it (DECISIONS.md, entry 37), and rendering it for every object of every plan was about half of Render.
func (d *Desired) YAML() (string, error) {
	y, err := backend.YAML(d.Object)
	return string(y), err
}

// Render builds the desired object from metadata and a spec (JSON form, nil fields omitted), applying the
// fabric's defaulting. Schema errors (the first stage of the cascade) are returned as diagnostics.
func (e *Engine) Render(kind string, m Meta, spec map[string]any) (*Desired, diag.Diagnostics) {
	ki, ok := fabric.LookupKind(kind)
	if !ok {
		return nil, diag.Diagnostics{{Stage: diag.StageSchema, Kind: kind, Name: m.Name, Rule: "kind.unknown", Summary: "Unknown kind", Detail: kind}}
	}
	if m.Namespace == "" {
		m.Namespace = "default"
	}
	md := map[string]any{"name": m.Name, "namespace": m.Namespace}
	if len(m.Labels) > 0 {
		md["labels"] = stringMap(m.Labels)
	}
	if len(m.Annotations) > 0 {
		md["annotations"] = stringMap(m.Annotations)
	}
	u := map[string]any{"apiVersion": ki.APIVersion(), "kind": kind, "metadata": md}
	if spec == nil {
		spec = map[string]any{}
	}
	u["spec"] = spec
	if ds := cascade.ValidateSchema(kind, u); ds.HasError() {
		return nil, append(ds, diag.Diagnostic{Stage: diag.StageSchema, Severity: diag.Warning, Rule: cascade.RuleStagesSkipped,
			Kind: kind, Name: m.Name, Summary: "Later checks did not run",
			Detail: "The spec, fabric-rule, cross-resource and policy checks run once the schema errors are fixed."})
	}
	typed, err := fabric.FromUnstructured(u)
	if err != nil {
		return nil, diag.Diagnostics{{Stage: diag.StageSchema, Kind: kind, Name: m.Name, Rule: "decode", Summary: "The object does not decode", Detail: err.Error()}}
	}
	fabric.Default(typed)
	return e.desired(typed)
}

func (e *Engine) desired(typed fabric.Object) (*Desired, diag.Diagnostics) {
	manifest, err := fabric.ToUnstructured(typed)
	if err != nil {
		return nil, diag.Diagnostics{{Stage: diag.StageSchema, Kind: typed.GetKind(), Name: typed.Meta().Name, Rule: "encode", Summary: "The object does not encode", Detail: err.Error()}}
	}
	delete(manifest, "status")
	e.mark(manifest)
	meta := typed.Meta()
	d := &Desired{
		Ref:       backend.Ref{Kind: typed.GetKind(), Namespace: meta.Namespace, Name: meta.Name},
		Typed:     typed,
		Digests:   map[string]string{},
		Describe:  map[string]string{},
		Predicted: map[string]map[string]string{},
	}
	d.Object = backend.Object{Ref: d.Ref, APIVersion: fmt.Sprint(manifest["apiVersion"]), Manifest: manifest}
	d.Spec, _ = manifest["spec"].(map[string]any)
	for _, b := range e.handling(d.Ref.Kind) {
		d.Digests[b.Name()] = b.Digest(d.Object)
		d.Describe[b.Name()] = redact.Text(b.Describe(d.Object))
		if p, ok := b.(backend.Predictor); ok {
			d.Predicted[b.Name()] = p.Predict(d.Object)
		}
	}
	return d, nil
}

// mark puts this owner's mark (the ownership annotations) on a manifest.
func (e *Engine) mark(manifest map[string]any) {
	md, _ := manifest["metadata"].(map[string]any)
	if md == nil {
		md = map[string]any{}
		manifest["metadata"] = md
	}
	ann, _ := md["annotations"].(map[string]any)
	if ann == nil {
		ann = map[string]any{}
	}
	ann[backend.OwnerAnnotation] = backend.OwnerValue
	if e.opts.Owner != backend.DefaultOwner {
		ann[backend.OwnerIDAnnotation] = e.opts.Owner
	}
	md["annotations"] = ann
}

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ValidateAlone runs the stages that need neither provider configuration nor other objects (schema and
// spec); it is what `terraform validate` runs.
func ValidateAlone(d *Desired) diag.Diagnostics {
	return spec.Validate(d.Typed)
}

// Probes returns the integration-stage probes of the configured backends.
func (e *Engine) Probes() []cascade.Probe {
	var out []cascade.Probe
	for _, b := range e.backends {
		out = append(out, probe{b})
	}
	return out
}

// Integration runs the integration stage (each configured backend's Check) once per engine and returns
// its findings; first is true for exactly one caller, so that plan-time warnings are shown once.
func (e *Engine) Integration(ctx context.Context) (ds diag.Diagnostics, first bool) {
	e.integOnce.Do(func() {
		e.integ = cascade.ValidateIntegration(ctx, e.Probes())
	})
	return e.integ, !e.integReported.Swap(true)
}

// PlanWithoutBackends reports whether a plan may go on when a backend cannot be reached.
func (e *Engine) PlanWithoutBackends() bool { return e.opts.PlanWithoutBackends }

type probe struct{ b backend.Backend }

func (p probe) Name() string                    { return p.b.Name() }
func (p probe) Check(ctx context.Context) error { return p.b.Check(ctx) }

// Result is what an apply or read leaves per backend.
type Result map[string]backend.State

// Owner is the owner identity in force.
func (e *Engine) Owner() string { return e.opts.Owner }

// Write says what a write is for: the operation, the checkpoints Terraform state holds and whether the
// configuration asks to adopt what another party holds.
type Write struct {
	// Op is backend.OpCreate, OpUpdate or OpDelete.
	Op string
	// Expect holds, per backend, the checkpoint Terraform state holds (update, delete).
	Expect map[string]map[string]string
	// Adopt takes over objects held by another owner, tool or person (resource `adopt`, or after import).
	Adopt bool
	// Prior is the manifest Terraform state holds (update, delete), kept in the journal.
	Prior map[string]any
	// Resource names the Terraform resource for the audit trail, e.g. "hedgehog_vpc web".
	Resource string
}

func (e *Engine) intent(w Write, backendName string, op string) backend.Intent {
	a := e.opts.Audit
	a.Resource, a.Op = w.Resource, op
	return backend.Intent{Op: w.Op, Owner: e.opts.Owner, Expect: w.Expect[backendName], Adopt: w.Adopt, Audit: a}
}

// preflight asks every backend, without writing, whether the write may go ahead.
//
// A saga of one step skips it: every backend's Put and Delete judge what they find before their own first
// write (the same Authorize), and with no other backend there is no earlier write a refusal would have to
// undo. That saves a read per object on the cluster-only path (DECISIONS.md, entry 38).
func (e *Engine) preflight(ctx context.Context, ref backend.Ref, obj *backend.Object, w Write, bs []backend.Backend) error {
	if len(bs) < 2 {
		return nil
	}
	for _, b := range bs {
		err := b.Preflight(ctx, ref, obj, e.intent(w, b.Name(), w.Op))
		if oe, ok := backend.AsOwnership(err); ok && oe.Left {
			continue // a delete leaves it alone; the step reports it
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Apply writes d to every backend that handles its kind as a saga: NetBox → Git → Kubernetes, each step
// compensated (in reverse) when a later one fails. Every backend is asked first, without writing, whether
// the write may touch what it holds (backend.Intent.Authorize); the saga is journaled before its first
// write and the journal entry closed when it completed or was fully compensated.
func (e *Engine) Apply(ctx context.Context, d *Desired, w Write) (Result, error) {
	if err := e.Recover(ctx); err != nil {
		return nil, err
	}
	defer e.busy()()
	hs := e.handling(d.Ref.Kind)
	if err := e.preflight(ctx, d.Ref, &d.Object, w, hs); err != nil {
		return nil, err
	}
	res := Result{}
	var mu sync.Mutex
	var gitCommit string
	var steps []saga.Step
	for _, b := range hs {
		b := b
		var prior backend.State
		steps = append(steps, saga.Step{
			Name: b.Name(),
			Do: func(ctx context.Context) error {
				in := e.intent(w, b.Name(), w.Op)
				mu.Lock()
				in.Audit.GitCommit = gitCommit
				mu.Unlock()
				p, after, err := b.Put(ctx, d.Object, in)
				prior = p
				if err != nil {
					return err
				}
				mu.Lock()
				res[b.Name()] = after
				if b.Name() == backend.Git {
					gitCommit = after.Checkpoint["commit"]
				}
				mu.Unlock()
				return nil
			},
			Undo:          func(ctx context.Context) error { return b.Restore(ctx, d.Ref, prior) },
			UndoOnFailure: b.Name() == backend.NetBox, // several records: a failed Put may have written some
		})
	}
	entry := e.entry(w, d.Ref, hs)
	entry.Desired = d.Object.Manifest
	if err := e.runJournaled(saga.WithUndoTimeout(ctx, e.opts.CompensationTimeout), entry, steps); err != nil {
		return nil, err
	}
	for name, st := range res {
		e.lists.put(name, d.Ref, st)
	}
	e.recordWritten(d.Ref, d.Typed)
	if w.Op == backend.OpCreate && (d.Ref.Kind == fabric.KindIPv4Namespace || d.Ref.Kind == fabric.KindVLANNamespace) {
		e.createdHere.Store(d.Ref.Kind+"/"+d.Ref.Name, true)
	}
	return res, nil
}

// Delete removes the object from every backend as a saga in reverse order (Kubernetes → Git → NetBox),
// restoring the deleted copies when a later step fails. What a backend holds that is not the object the
// state recorded is left alone; notes says so, one line per backend.
func (e *Engine) Delete(ctx context.Context, ref backend.Ref, w Write) (notes []string, err error) {
	if err := e.Recover(ctx); err != nil {
		return nil, err
	}
	defer e.busy()()
	w.Op = backend.OpDelete
	hs := e.handling(ref.Kind)
	order := deleteOrder(hs)
	if err := e.preflight(ctx, ref, nil, w, order); err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var steps []saga.Step
	for _, b := range order {
		var prior backend.State
		var left bool
		steps = append(steps, saga.Step{
			Name: b.Name(),
			Do: func(ctx context.Context) error {
				p, err := b.Delete(ctx, ref, e.intent(w, b.Name(), backend.OpDelete))
				prior = p
				if oe, ok := backend.AsOwnership(err); ok && oe.Left {
					left = true
					mu.Lock()
					notes = append(notes, oe.Error())
					mu.Unlock()
					return nil
				}
				return err
			},
			Undo: func(ctx context.Context) error {
				if left {
					return nil // nothing was deleted there
				}
				return b.Restore(ctx, ref, prior)
			},
			UndoOnFailure: b.Name() == backend.NetBox,
		})
	}
	if err := e.runJournaled(saga.WithUndoTimeout(ctx, e.opts.CompensationTimeout), e.entry(w, ref, order), steps); err != nil {
		return nil, err
	}
	for _, b := range hs {
		e.lists.put(b.Name(), ref, backend.State{})
	}
	e.recordWritten(ref, nil)
	return notes, nil
}

// deleteOrder is the reverse of the saga order, except that a backend that only observes (the cluster in
// observe mode) waits right after Git: the object leaves the cluster only once its file left the repository.
func deleteOrder(hs []backend.Backend) []backend.Backend {
	var out []backend.Backend
	var observer backend.Backend
	for i := len(hs) - 1; i >= 0; i-- {
		if o, ok := hs[i].(backend.Observer); ok && o.Observes() {
			observer = hs[i]
			continue
		}
		out = append(out, hs[i])
	}
	if observer == nil {
		return out
	}
	for i, b := range out {
		if b.Name() == backend.Git {
			return append(out[:i+1], append([]backend.Backend{observer}, out[i+1:]...)...)
		}
	}
	return append([]backend.Backend{observer}, out...)
}

// Read returns what each backend that handles the kind holds for ref, served from one list per kind and
// backend (refreshing 500 resources costs one list per kind per backend, not 500 GETs).
func (e *Engine) Read(ctx context.Context, ref backend.Ref) (Result, error) {
	res := Result{}
	for _, b := range e.handling(ref.Kind) {
		st, err := e.lists.lookup(ctx, b, ref)
		if err != nil {
			return nil, &backend.Error{Backend: b.Name(), Op: "read", Ref: ref, Err: err}
		}
		res[b.Name()] = st
	}
	return res, nil
}

// ReadEach reads ref with one Get per backend, bypassing the list cache (import: exact checkpoints, such
// as the commit that last wrote the file rather than the branch head).
func (e *Engine) ReadEach(ctx context.Context, ref backend.Ref) (Result, error) {
	res := Result{}
	for _, b := range e.handling(ref.Kind) {
		s, err := b.Get(ctx, ref)
		if err != nil {
			return nil, &backend.Error{Backend: b.Name(), Op: "read", Ref: ref, Err: err}
		}
		res[b.Name()] = s
	}
	return res, nil
}

func (e *Engine) list(ctx context.Context, b backend.Backend, kind string) (map[string]backend.State, error) {
	return e.lists.get(ctx, b, kind)
}

// ReportOnce is true for the first caller with key in this engine (one warning per run, not per resource).
func (e *Engine) ReportOnce(key string) bool {
	_, seen := e.reported.LoadOrStore(key, true)
	return !seen
}

// OwnersSeen says whose objects the view's source holds, when it holds any not written by this owner ("" when
// all are this owner's, or the view was not read).
func (e *Engine) OwnersSeen(ctx context.Context) string {
	e.View(ctx)
	e.viewMu.Lock()
	defer e.viewMu.Unlock()
	others := false
	for o := range e.owners {
		if o != e.opts.Owner {
			others = true
		}
	}
	if !others || e.viewFrom == "" {
		return ""
	}
	total := 0
	var parts []string
	keys := make([]string, 0, len(e.owners))
	for o, n := range e.owners {
		total += n
		keys = append(keys, o)
	}
	sort.Strings(keys)
	for _, o := range keys {
		n := e.owners[o]
		switch {
		case o == e.opts.Owner:
			parts = append(parts, fmt.Sprintf("%d of this configuration's owner %q", n, o))
		case o == "":
			parts = append(parts, fmt.Sprintf("%d without an ownership mark (made outside this provider)", n))
		default:
			parts = append(parts, fmt.Sprintf("%d of owner %q", n, o))
		}
	}
	return fmt.Sprintf("%s holds %d fabric objects: %s. Objects of other owners and unmarked objects are checked against, never written or deleted (unless a resource sets adopt = true or is imported).", e.viewFrom, total, strings.Join(parts, ", "))
}

// Taken reports, for a create, the backends whose list shows an object of the same kind and name that this
// owner did not write (checked at plan; the apply's preflight checks again before any write). An object
// marked with this owner is not reported here: it may be this state's own object being replaced.
func (e *Engine) Taken(ctx context.Context, d *Desired) []*backend.OwnershipError {
	var out []*backend.OwnershipError
	in := backend.Intent{Op: backend.OpCreate, Owner: e.opts.Owner}
	for _, b := range e.handling(d.Ref.Kind) {
		if b.Name() == backend.NetBox {
			continue // its list holds only this owner's records; natural keys are checked at apply, before any write
		}
		if o, ok := b.(backend.Observer); ok && o.Observes() {
			continue
		}
		st, err := e.lists.lookup(ctx, b, d.Ref)
		if err != nil || !st.Exists || (st.Owned && st.Owner == e.opts.Owner) {
			continue
		}
		f := backend.Found{Exists: true, Marked: st.Owned, Owner: st.Owner, What: fmt.Sprintf("%s %s/%s", d.Ref.Kind, d.Ref.Namespace, d.Ref.Name)}
		if err := in.Authorize(b.Name(), d.Ref, f); err != nil {
			if oe, ok := backend.AsOwnership(err); ok {
				out = append(out, oe)
			}
		}
	}
	return out
}

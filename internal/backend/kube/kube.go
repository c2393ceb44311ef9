// Package kube is the Kubernetes backend: it writes fabric objects to the cluster with server-side apply
// ("apply" mode) or, when a GitOps controller applies from Git, only waits until the cluster matches
// ("observe" mode).
package kube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/yaml"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/guard"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric/crds"
)

// Modes of the backend.
const (
	ModeApply   = "apply"
	ModeObserve = "observe"
)

// Defaults of Config.
const (
	DefaultNamespace    = "default"
	DefaultFieldManager = "terraform-provider-hedgehog"
	// DefaultQPS turns client-go's client-side rate limiter off (a negative QPS does). Terraform's
	// -parallelism already bounds the requests in flight, the API server's priority and fairness queues
	// them on the server side, and the guard retries 429s after their Retry-After. A limit of 100 per
	// second made a 500-VPC apply wait about 12 s in the limiter (DECISIONS 42). Config.QPS > 0 sets one.
	DefaultQPS            = -1
	DefaultBurst          = 200
	DefaultObserveTimeout = 5 * time.Minute
)

// lastApplied is kubectl's client-side apply annotation, never part of a manifest here.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// Fabric configuration ConfigMap.
const (
	FabricConfigMap       = "fabric-ctrl-config"
	FabricConfigKey       = "config.yaml"
	FabricConfigNamespace = "default"
)

// Config configures the backend. Kubeconfig (content) or KubeconfigPath select a kubeconfig (default
// loading rules otherwise); Context, Host, Token, CAData and Insecure override it; InCluster uses the pod's
// service account instead.
type Config struct {
	Kubeconfig     string
	KubeconfigPath string
	Context        string
	Host           string
	Token          string
	CAData         string // PEM
	Insecure       bool
	InCluster      bool
	Namespace      string // default "default"
	FieldManager   string // default "terraform-provider-hedgehog"
	Mode           string // "apply" (default) or "observe"
	QPS            float32
	Burst          int
	ObserveTimeout time.Duration // default 5m (DefaultObserveTimeout)
	// Exec runs a client-go credential plugin (e.g. `aws eks get-token`) for the token, with Host and CAData
	// (or on top of a kubeconfig's user).
	Exec *Exec
	// NoForceConflicts makes every apply fail on fields another field manager owns, even on objects this
	// provider owns (by default those take ownership: the configuration is their source of truth).
	NoForceConflicts bool
	// PollInterval is how often observe mode re-reads the object (default 500ms).
	PollInterval time.Duration
	// Guard applies the request timeout and retries to every request (nil: the guard defaults).
	Guard *guard.Guard
}

// Backend is the Kubernetes backend. It is safe for concurrent use.
type Backend struct {
	cfg  Config
	gvrs map[string]schema.GroupVersionResource

	once    sync.Once
	initErr error
	rest    *rest.Config
	dyn     dynamic.Interface
}

var _ backend.Backend = (*Backend)(nil)

var cmGVR = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

// New returns a backend; it does no network I/O (the client is built on first use).
func New(cfg Config) *Backend {
	if cfg.Namespace == "" {
		cfg.Namespace = DefaultNamespace
	}
	if cfg.FieldManager == "" {
		cfg.FieldManager = DefaultFieldManager
	}
	if cfg.Mode == "" {
		cfg.Mode = ModeApply
	}
	if cfg.QPS == 0 {
		cfg.QPS = DefaultQPS
	}
	if cfg.Burst == 0 {
		cfg.Burst = DefaultBurst
	}
	if cfg.ObserveTimeout == 0 {
		cfg.ObserveTimeout = DefaultObserveTimeout
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 500 * time.Millisecond
	}
	if cfg.Guard == nil {
		cfg.Guard = guard.New(backend.Kubernetes, guard.Config{})
	}
	b := &Backend{cfg: cfg, gvrs: map[string]schema.GroupVersionResource{}}
	for k, g := range kindGVRs() {
		b.gvrs[k] = g
	}
	return b
}

var (
	gvrOnce sync.Once
	gvrMap  map[string]schema.GroupVersionResource
)

// kindGVRs maps each fabric kind to its resource, read once from the embedded CRDs (group, storage
// version, plural), so no discovery round trip is ever needed.
func kindGVRs() map[string]schema.GroupVersionResource {
	gvrOnce.Do(func() {
		gvrMap = map[string]schema.GroupVersionResource{}
		for _, b := range crds.All() {
			var crd struct {
				Spec struct {
					Group    string
					Names    struct{ Kind, Plural string }
					Versions []struct {
						Name    string
						Storage bool
					}
				}
			}
			if err := yaml.Unmarshal(b, &crd); err != nil || len(crd.Spec.Versions) == 0 {
				continue
			}
			v := crd.Spec.Versions[0].Name
			for _, ver := range crd.Spec.Versions {
				if ver.Storage {
					v = ver.Name
				}
			}
			gvrMap[crd.Spec.Names.Kind] = schema.GroupVersionResource{Group: crd.Spec.Group, Version: v, Resource: crd.Spec.Names.Plural}
		}
	})
	return gvrMap
}

// client builds the REST config and dynamic client once.
func (b *Backend) client() (dynamic.Interface, error) {
	b.once.Do(func() {
		b.rest, b.initErr = b.buildRESTConfig()
		if b.initErr == nil {
			b.dyn, b.initErr = dynamic.NewForConfig(b.rest)
		}
		if b.initErr != nil {
			b.initErr = fmt.Errorf("kubernetes client configuration: %w", b.initErr)
		}
	})
	return b.dyn, b.initErr
}

// RESTConfig returns the client configuration in use (built on first call).
func (b *Backend) RESTConfig() (*rest.Config, error) {
	if _, err := b.client(); err != nil {
		return nil, err
	}
	return rest.CopyConfig(b.rest), nil
}

func (b *Backend) buildRESTConfig() (*rest.Config, error) {
	c := b.cfg
	var rc *rest.Config
	var err error
	if c.InCluster {
		rc, err = rest.InClusterConfig()
	} else {
		ov := &clientcmd.ConfigOverrides{CurrentContext: c.Context}
		ov.ClusterInfo.Server = c.Host
		if c.CAData != "" {
			ov.ClusterInfo.CertificateAuthorityData = []byte(c.CAData)
		}
		ov.ClusterInfo.InsecureSkipTLSVerify = c.Insecure
		ov.AuthInfo.Token = c.Token
		if c.Exec != nil {
			ov.AuthInfo.Exec = c.Exec.config()
		}
		var cc clientcmd.ClientConfig
		switch {
		case c.Kubeconfig != "":
			raw, lerr := clientcmd.Load([]byte(c.Kubeconfig))
			if lerr != nil {
				return nil, fmt.Errorf("parse kubeconfig: %w", lerr)
			}
			cc = clientcmd.NewNonInteractiveClientConfig(*raw, c.Context, ov, nil)
		case c.KubeconfigPath != "":
			cc = clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
				&clientcmd.ClientConfigLoadingRules{ExplicitPath: c.KubeconfigPath}, ov)
		case c.Host != "":
			cc = clientcmd.NewNonInteractiveClientConfig(*clientcmdapi.NewConfig(), "", ov, nil)
		default:
			cc = clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(), ov)
		}
		rc, err = cc.ClientConfig()
	}
	if err != nil {
		return nil, err
	}
	if c.InCluster {
		if c.Host != "" {
			rc.Host = c.Host
		}
		if c.Token != "" {
			rc.BearerToken, rc.BearerTokenFile = c.Token, ""
		}
	}
	rc.QPS, rc.Burst = c.QPS, c.Burst
	rc.UserAgent = c.FieldManager
	// Request timeout and retries come from the guard's transport (no answer within the request timeout,
	// including the connection); the dialer gives up at the same bound.
	reqTimeout := c.Guard.Config().RequestTimeout
	rc.Dial = (&net.Dialer{Timeout: reqTimeout, KeepAlive: 30 * time.Second}).DialContext
	prev := rc.WrapTransport
	rc.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		if prev != nil {
			rt = prev(rt)
		}
		return c.Guard.Transport(rt)
	}
	return rc, nil
}

// Name implements backend.Backend.
func (b *Backend) Name() string { return backend.Kubernetes }

// Handles implements backend.Backend: every fabric kind.
func (b *Backend) Handles(kind string) bool { _, ok := b.gvrs[kind]; return ok }

// Describe implements backend.Backend.
func (b *Backend) Describe(obj backend.Object) string {
	ref := b.norm(obj.Ref)
	if b.cfg.Mode == ModeObserve {
		return fmt.Sprintf("kubernetes: wait (up to %v) until GitOps applies %s %s/%s", b.cfg.ObserveTimeout, obj.Kind, ref.Namespace, ref.Name)
	}
	return fmt.Sprintf("kubernetes: server-side apply %s %s/%s (field manager %q)", obj.Kind, ref.Namespace, ref.Name, b.cfg.FieldManager)
}

// Digest implements backend.Backend: backend.ManifestDigest of the manifest as this backend applies it
// (ownership annotation added, last-applied annotation and empty maps dropped).
func (b *Backend) Digest(obj backend.Object) string {
	return backend.ManifestDigest(b.desired(obj).Object)
}

func (b *Backend) norm(ref backend.Ref) backend.Ref {
	if ref.Namespace == "" {
		ref.Namespace = b.cfg.Namespace
	}
	return ref
}

func (b *Backend) gvr(kind string) (schema.GroupVersionResource, error) {
	g, ok := b.gvrs[kind]
	if !ok {
		return g, fmt.Errorf("unknown kind %q", kind)
	}
	return g, nil
}

func (b *Backend) res(ref backend.Ref) (dynamic.ResourceInterface, error) {
	dyn, err := b.client()
	if err != nil {
		return nil, err
	}
	g, err := b.gvr(ref.Kind)
	if err != nil {
		return nil, err
	}
	return dyn.Resource(g).Namespace(ref.Namespace), nil
}

func (b *Backend) fail(op string, ref backend.Ref, err error) error {
	return &backend.Error{Backend: backend.Kubernetes, Op: op, Ref: ref, Err: explain(err)}
}

// explain adds what the API server's message leaves out: the field causes of a 422, and a hint for
// authentication and authorization failures.
func explain(err error) error {
	var se apierrors.APIStatus
	if !errors.As(err, &se) {
		return err
	}
	st := se.Status()
	switch {
	case st.Code == http.StatusUnprocessableEntity && st.Details != nil && len(st.Details.Causes) > 0:
		var causes []string
		for _, c := range st.Details.Causes {
			causes = append(causes, fmt.Sprintf("%s: %s", c.Field, c.Message))
		}
		return fmt.Errorf("%w (invalid fields: %s)", err, strings.Join(causes, "; "))
	case st.Code == http.StatusUnauthorized:
		return fmt.Errorf("authentication failed (check token or client certificate): %w", err)
	case st.Code == http.StatusForbidden:
		return fmt.Errorf("authorization denied: %w", err)
	case apierrors.IsConflict(err) && strings.Contains(st.Message, "conflict"):
		return fmt.Errorf("fields are managed by another field manager (server-side apply, force off): %w", err)
	}
	return err
}

// desired renders obj as it is applied: apiVersion, kind, metadata name/namespace/labels/annotations
// (with the ownership mark) and spec.
func (b *Backend) desired(obj backend.Object) *unstructured.Unstructured {
	ref := b.norm(obj.Ref)
	u := strip(obj.Manifest)
	if obj.APIVersion != "" {
		u.SetAPIVersion(obj.APIVersion)
	} else if u.GetAPIVersion() == "" {
		if g, err := b.gvr(obj.Kind); err == nil {
			u.SetAPIVersion(g.GroupVersion().String())
		}
	}
	u.SetKind(obj.Kind)
	u.SetName(ref.Name)
	u.SetNamespace(ref.Namespace)
	ann := u.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann[backend.OwnerAnnotation] = backend.OwnerValue
	u.SetAnnotations(ann)
	return u
}

// strip keeps apiVersion, kind, metadata name/namespace/labels/annotations (minus kubectl's
// last-applied annotation and the audit annotations; empty maps dropped) and spec, deep-copied.
func strip(m map[string]any) *unstructured.Unstructured {
	src := &unstructured.Unstructured{Object: m}
	out := &unstructured.Unstructured{Object: map[string]any{}}
	if v, ok := m["apiVersion"]; ok {
		out.Object["apiVersion"] = v
	}
	if v, ok := m["kind"]; ok {
		out.Object["kind"] = v
	}
	md := map[string]any{}
	if m != nil {
		md["name"] = src.GetName()
		if ns := src.GetNamespace(); ns != "" {
			md["namespace"] = ns
		}
	}
	if l := src.GetLabels(); len(l) > 0 {
		md["labels"] = toAny(l)
	}
	if a := src.GetAnnotations(); len(a) > 0 {
		delete(a, lastApplied)
		for k := range a {
			if backend.IsAuditAnnotation(k) {
				delete(a, k) // added at write time, not part of the manifest (see withAudit)
			}
		}
		if len(a) > 0 {
			md["annotations"] = toAny(a)
		}
	}
	out.Object["metadata"] = md
	if s, ok := m["spec"]; ok {
		out.Object["spec"] = deepCopy(s)
	}
	return out
}

func toAny(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func deepCopy(v any) any {
	return (&unstructured.Unstructured{Object: map[string]any{"v": v}}).DeepCopy().Object["v"]
}

// owned reports whether u carries the ownership annotation or an entry of our field manager.
func (b *Backend) owned(u *unstructured.Unstructured) bool {
	if u.GetAnnotations()[backend.OwnerAnnotation] == backend.OwnerValue {
		return true
	}
	for _, mf := range u.GetManagedFields() {
		if mf.Manager == b.cfg.FieldManager {
			return true
		}
	}
	return false
}

// applies reports whether our field manager has an Apply entry in u's managed fields.
func (b *Backend) applies(u *unstructured.Unstructured) bool {
	for _, mf := range u.GetManagedFields() {
		if mf.Manager == b.cfg.FieldManager && mf.Operation == metav1.ManagedFieldsOperationApply {
			return true
		}
	}
	return false
}

// state converts a server object (nil: absent) into a backend.State. Restore holds a full deep copy.
func (b *Backend) state(ref backend.Ref, u *unstructured.Unstructured) backend.State {
	if u == nil {
		return backend.State{}
	}
	s := strip(u.Object)
	owner, _ := backend.OwnerOfAnnotations(u.GetAnnotations())
	return backend.State{
		Exists: true,
		Object: &backend.Object{Ref: ref, APIVersion: u.GetAPIVersion(), Manifest: s.Object},
		Owned:  b.owned(u),
		Owner:  owner,
		Digest: backend.ManifestDigest(s.Object),
		Checkpoint: map[string]string{
			"uid":              string(u.GetUID()),
			"resource_version": u.GetResourceVersion(),
		},
		Restore: u.DeepCopy(),
	}
}

// get reads the raw object; a missing object is nil, nil.
func (b *Backend) get(ctx context.Context, ref backend.Ref) (*unstructured.Unstructured, error) {
	r, err := b.res(ref)
	if err != nil {
		return nil, err
	}
	u, err := r.Get(ctx, ref.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	return u, err
}

// Get implements backend.Backend.
func (b *Backend) Get(ctx context.Context, ref backend.Ref) (backend.State, error) {
	ref = b.norm(ref)
	u, err := b.get(ctx, ref)
	if err != nil {
		return backend.State{}, b.fail("get", ref, err)
	}
	return b.state(ref, u), nil
}

// List implements backend.Backend: every object of kind in the configured namespace, paginated by 500.
func (b *Backend) List(ctx context.Context, kind string) (map[string]backend.State, error) {
	ref := backend.Ref{Kind: kind, Namespace: b.cfg.Namespace}
	r, err := b.res(ref)
	if err != nil {
		return nil, b.fail("list", ref, err)
	}
	out := map[string]backend.State{}
	opts := metav1.ListOptions{Limit: 500}
	for {
		l, err := r.List(ctx, opts)
		if err != nil {
			return nil, b.fail("list", ref, err)
		}
		for i := range l.Items {
			u := &l.Items[i]
			if u.GetAPIVersion() == "" {
				u.SetAPIVersion(l.GetAPIVersion())
			}
			if u.GetKind() == "" {
				u.SetKind(kind)
			}
			r := backend.Ref{Kind: kind, Namespace: u.GetNamespace(), Name: u.GetName()}
			out[backend.ListKey(r)] = b.state(r, u)
		}
		if opts.Continue = l.GetContinue(); opts.Continue == "" {
			return out, nil
		}
	}
}

// found describes what the cluster holds for ref (cur nil: nothing) for backend.Intent.Authorize.
func (b *Backend) found(ref backend.Ref, cur *unstructured.Unstructured, in backend.Intent) backend.Found {
	if cur == nil {
		return backend.Found{}
	}
	owner, marked := backend.OwnerOfAnnotations(cur.GetAnnotations())
	f := backend.Found{Exists: true, Marked: marked, Owner: owner,
		What: fmt.Sprintf("%s %s/%s (uid %s)", ref.Kind, ref.Namespace, ref.Name, cur.GetUID())}
	if uid := in.Expect["uid"]; uid != "" {
		f.Same = backend.SameMismatch
		if string(cur.GetUID()) == uid {
			f.Same = backend.SameMatch
		}
	}
	var managers []string
	for _, mf := range cur.GetManagedFields() {
		if mf.Manager != b.cfg.FieldManager && !has(managers, mf.Manager) {
			managers = append(managers, mf.Manager)
		}
	}
	if len(managers) > 0 {
		f.Note = "field managers: " + strings.Join(managers, ", ")
	}
	return f
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Preflight implements backend.Backend: one read, judged by in.Authorize (observe mode writes nothing).
func (b *Backend) Preflight(ctx context.Context, ref backend.Ref, obj *backend.Object, in backend.Intent) error {
	if b.cfg.Mode == ModeObserve {
		return nil
	}
	ref = b.norm(ref)
	cur, err := b.get(ctx, ref)
	if err != nil {
		return b.fail("preflight", ref, err)
	}
	if obj == nil && in.Op != backend.OpRecover {
		in.Op = backend.OpDelete
	}
	return in.Authorize(backend.Kubernetes, ref, b.found(ref, cur, in))
}

// Put implements backend.Backend.
func (b *Backend) Put(ctx context.Context, obj backend.Object, in backend.Intent) (backend.State, backend.State, error) {
	ref := b.norm(obj.Ref)
	cur, err := b.get(ctx, ref)
	if err != nil {
		return backend.State{}, backend.State{}, b.fail("put", ref, err)
	}
	prior := b.state(ref, cur)
	want := b.desired(obj)
	if b.cfg.Mode == ModeObserve {
		digest := backend.ManifestDigest(want.Object)
		after, err := b.observe(ctx, ref, func(s backend.State) bool { return s.Exists && s.Digest == digest })
		if err != nil {
			return prior, after, b.fail("put", ref, err)
		}
		return prior, after, nil
	}
	if err := in.Authorize(backend.Kubernetes, ref, b.found(ref, cur, in)); err != nil {
		return prior, prior, err
	}
	if cur != nil && prior.Digest == backend.ManifestDigest(want.Object) && b.applies(cur) {
		return prior, prior, nil // in sync and applied by us: nothing to write
	}
	// An authorized write is to our own object (or one we were told to adopt): it takes field ownership,
	// since the configuration is its source of truth and a field another manager changed out of band is
	// drift to converge, not a conflict.
	force := !b.cfg.NoForceConflicts
	u, err := b.apply(ctx, ref, withAudit(want, in.Audit), force)
	if err != nil {
		return prior, prior, b.fail("put", ref, err)
	}
	return prior, b.state(ref, u), nil
}

// DryRun implements backend.DryRunner: obj is sent exactly as Put would apply it (the same manifest, field
// manager and force), as a server-side apply with dryRun=All, so that the API server's admission (webhooks,
// the CRD's schema and CEL rules, admission policies) judges it and nothing is persisted. A refusal is a
// *backend.Denial; observe mode makes no dry runs (backend.ErrNoDryRun): a GitOps controller applies there.
func (b *Backend) DryRun(ctx context.Context, obj backend.Object) error {
	if b.cfg.Mode == ModeObserve {
		return backend.ErrNoDryRun
	}
	ref := b.norm(obj.Ref)
	r, err := b.res(ref)
	if err != nil {
		return b.fail("dry run", ref, err)
	}
	data, err := b.desired(obj).MarshalJSON()
	if err != nil {
		return b.fail("dry run", ref, err)
	}
	force := !b.cfg.NoForceConflicts
	_, err = r.Patch(ctx, ref.Name, "application/apply-patch+yaml", data,
		metav1.PatchOptions{FieldManager: b.cfg.FieldManager, Force: &force, DryRun: []string{metav1.DryRunAll}})
	if err == nil {
		return nil
	}
	if d := denial(ref, err); d != nil {
		return d
	}
	if apierrors.IsForbidden(err) {
		err = fmt.Errorf("the credentials may not patch %s objects, which a dry run needs as much as the apply (plans with read-only credentials: set kubernetes.dry_run_at_plan = false): %w", ref.Kind, err)
	}
	return b.fail("dry run", ref, err)
}

// denial returns the refusal in err when the server judged the object (400, 403, 409, 422), nil when the
// judgement could not be obtained (unreachable, unauthenticated, not found, a server error, or credentials
// that may not patch: a plan often runs with read-only credentials, and authorization judges the caller,
// not the object).
func denial(ref backend.Ref, err error) *backend.Denial {
	var se apierrors.APIStatus
	if !errors.As(err, &se) {
		return nil
	}
	st := se.Status()
	switch st.Code {
	case http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity:
	case http.StatusForbidden:
		if isAuthorizationDenial(st.Message) {
			return nil
		}
	default:
		return nil
	}
	d := &backend.Denial{Backend: backend.Kubernetes, Ref: ref, Code: st.Code, Reason: string(st.Reason), Message: st.Message}
	if st.Details != nil {
		for _, c := range st.Details.Causes {
			d.Causes = append(d.Causes, backend.DenialCause{Field: c.Field, Message: c.Message})
		}
	}
	return d
}

// isAuthorizationDenial reports whether a 403's message is the authorizer's ("User "x" cannot patch
// resource ..."), as opposed to an admission plugin's or webhook's refusal of the object.
func isAuthorizationDenial(msg string) bool {
	return strings.Contains(msg, " cannot patch resource ") && !strings.Contains(msg, "admission webhook")
}

// withAudit adds the audit annotations of a write to the object applied: the Git commit of the same write
// and the Terraform Cloud run, when known. Digests and reads leave them out (strip, ManifestDigest), and an
// apply without them removes the ones an earlier write of ours set: they always describe the last write.
func withAudit(u *unstructured.Unstructured, a backend.Audit) *unstructured.Unstructured {
	if a.GitCommit == "" && a.RunID == "" {
		return u
	}
	u = u.DeepCopy()
	ann := u.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	if a.GitCommit != "" {
		ann[backend.GitCommitAnnotation] = a.GitCommit
	}
	if a.RunID != "" {
		ann[backend.RunIDAnnotation] = a.RunID
	}
	u.SetAnnotations(ann)
	return u
}

// auditOf returns the audit annotations u carries.
func auditOf(u *unstructured.Unstructured) map[string]string {
	out := map[string]string{}
	for k, v := range u.GetAnnotations() {
		if backend.IsAuditAnnotation(k) {
			out[k] = v
		}
	}
	return out
}

// apply server-side applies u with our field manager; force takes over fields other managers own.
func (b *Backend) apply(ctx context.Context, ref backend.Ref, u *unstructured.Unstructured, force bool) (*unstructured.Unstructured, error) {
	r, err := b.res(ref)
	if err != nil {
		return nil, err
	}
	data, err := u.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return r.Patch(ctx, ref.Name, "application/apply-patch+yaml", data,
		metav1.PatchOptions{FieldManager: b.cfg.FieldManager, Force: &force})
}

// observe polls until cond holds for the object's state, bounded by ObserveTimeout. Each read uses ctx
// itself, so that the deadline does not cut a request short (client-side rate limiter included).
func (b *Backend) observe(ctx context.Context, ref backend.Ref, cond func(backend.State) bool) (backend.State, error) {
	deadline := time.Now().Add(b.cfg.ObserveTimeout)
	tick := time.NewTicker(b.cfg.PollInterval)
	defer tick.Stop()
	var last backend.State
	for {
		u, err := b.get(ctx, ref)
		if err == nil {
			last = b.state(ref, u)
			if cond(last) {
				return last, nil
			}
		} else if !isTransient(err) {
			return last, err
		}
		if time.Now().After(deadline) {
			return last, fmt.Errorf("observe mode: the cluster did not reach the desired state within %v (is the GitOps controller syncing?)", b.cfg.ObserveTimeout)
		}
		select {
		case <-ctx.Done():
			return last, ctx.Err()
		case <-tick.C:
		}
	}
}

func isTransient(err error) bool {
	return apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err) || apierrors.IsTooManyRequests(err) ||
		apierrors.IsServiceUnavailable(err) || apierrors.IsInternalError(err)
}

// Exec is a client-go exec credential plugin: Command with Args and Env, answering an ExecCredential of
// APIVersion (default client.authentication.k8s.io/v1).
type Exec struct {
	APIVersion string
	Command    string
	Args       []string
	Env        map[string]string
}

func (e *Exec) config() *clientcmdapi.ExecConfig {
	ec := &clientcmdapi.ExecConfig{APIVersion: e.APIVersion, Command: e.Command, Args: e.Args,
		InteractiveMode: clientcmdapi.NeverExecInteractiveMode}
	if ec.APIVersion == "" {
		ec.APIVersion = "client.authentication.k8s.io/v1"
	}
	keys := make([]string, 0, len(e.Env))
	for k := range e.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ec.Env = append(ec.Env, clientcmdapi.ExecEnvVar{Name: k, Value: e.Env[k]})
	}
	return ec
}

// Observes implements backend.Observer: true in observe mode.
func (b *Backend) Observes() bool { return b.cfg.Mode == ModeObserve }

// Delete implements backend.Backend: only the object the state recorded (uid precondition), never another.
func (b *Backend) Delete(ctx context.Context, ref backend.Ref, in backend.Intent) (backend.State, error) {
	ref = b.norm(ref)
	cur, err := b.get(ctx, ref)
	if err != nil {
		return backend.State{}, b.fail("delete", ref, err)
	}
	prior := b.state(ref, cur)
	if cur == nil {
		return prior, nil
	}
	if b.cfg.Mode == ModeObserve {
		if _, err := b.observe(ctx, ref, func(s backend.State) bool { return !s.Exists }); err != nil {
			return prior, b.fail("delete", ref, err)
		}
		return prior, nil
	}
	if in.Op != backend.OpRecover {
		in.Op = backend.OpDelete
	}
	if err := in.Authorize(backend.Kubernetes, ref, b.found(ref, cur, in)); err != nil {
		return backend.State{Restore: prior.Restore}, err
	}
	if err := b.deleteUID(ctx, ref, string(cur.GetUID())); err != nil {
		return prior, b.fail("delete", ref, err)
	}
	return prior, nil
}

func (b *Backend) deleteUID(ctx context.Context, ref backend.Ref, uid string) error {
	r, err := b.res(ref)
	if err != nil {
		return err
	}
	opts := metav1.DeleteOptions{}
	if uid != "" {
		opts.Preconditions = metav1.NewUIDPreconditions(uid)
	}
	err = r.Delete(ctx, ref.Name, opts)
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// Restore implements backend.Backend. prior absent: delete what is there (uid precondition of the object
// read). prior present and ours: server-side apply its labels, annotations and spec with our manager.
// prior present and not ours: Update (or Create, if gone) with its labels, annotations, spec and managed
// fields, guarded by the current resourceVersion.
func (b *Backend) Restore(ctx context.Context, ref backend.Ref, prior backend.State) error {
	ref = b.norm(ref)
	if b.cfg.Mode == ModeObserve {
		return nil // GitOps restores from Git; nothing to write here.
	}
	cur, err := b.get(ctx, ref)
	if err != nil {
		return b.fail("restore", ref, err)
	}
	if !prior.Exists {
		if cur == nil {
			return nil
		}
		if err := b.deleteUID(ctx, ref, string(cur.GetUID())); err != nil {
			return b.fail("restore", ref, err)
		}
		return nil
	}
	pu, err := priorObject(prior)
	if err != nil {
		return b.fail("restore", ref, err)
	}
	want := strip(pu.Object)
	want.SetName(ref.Name)
	want.SetNamespace(ref.Namespace)
	if a := auditOf(pu); len(a) > 0 { // the prior's audit annotations come back with it
		ann := want.GetAnnotations()
		if ann == nil {
			ann = map[string]string{}
		}
		for k, v := range a {
			ann[k] = v
		}
		want.SetAnnotations(ann)
	}
	if prior.Owned {
		if _, err := b.apply(ctx, ref, want, true); err != nil {
			return b.fail("restore", ref, err)
		}
		return nil
	}
	r, err := b.res(ref)
	if err != nil {
		return b.fail("restore", ref, err)
	}
	want.SetManagedFields(pu.GetManagedFields())
	var written *unstructured.Unstructured
	if cur == nil {
		written, err = r.Create(ctx, want, metav1.CreateOptions{FieldManager: b.cfg.FieldManager})
	} else {
		want.SetResourceVersion(cur.GetResourceVersion())
		written, err = r.Update(ctx, want, metav1.UpdateOptions{FieldManager: b.cfg.FieldManager})
	}
	if err != nil {
		return b.fail("restore", ref, err)
	}
	// The server gives our manager every field that write changed (on Create: all of them), which would
	// drop the other managers and make the object look owned by this provider. Writing the prior managed
	// fields again over unchanged content records no change, so they are kept exactly.
	if !sameManagers(written.GetManagedFields(), pu.GetManagedFields()) {
		want.SetResourceVersion(written.GetResourceVersion())
		if _, err = r.Update(ctx, want, metav1.UpdateOptions{FieldManager: b.cfg.FieldManager}); err != nil {
			return b.fail("restore", ref, err)
		}
	}
	return nil
}

// sameManagers reports whether two managed-field lists name the same managers and operations, in order.
func sameManagers(a, b []metav1.ManagedFieldsEntry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Manager != b[i].Manager || a[i].Operation != b[i].Operation || a[i].Subresource != b[i].Subresource {
			return false
		}
	}
	return true
}

// priorObject recovers the full prior object from State.Restore (or, failing that, State.Object).
func priorObject(prior backend.State) (*unstructured.Unstructured, error) {
	switch r := prior.Restore.(type) {
	case *unstructured.Unstructured:
		return r.DeepCopy(), nil
	case map[string]any:
		return (&unstructured.Unstructured{Object: r}).DeepCopy(), nil
	}
	if prior.Object != nil {
		return (&unstructured.Unstructured{Object: prior.Object.Manifest}).DeepCopy(), nil
	}
	return nil, errors.New("prior state carries no object to restore")
}

// Check implements backend.Backend: the server is reachable, authentication and authorization work, and
// every fabric CRD is served (discovery of the fabric group versions, then a one-item list).
func (b *Backend) Check(ctx context.Context) error {
	ref := backend.Ref{Namespace: b.cfg.Namespace}
	fail := func(err error) error {
		return &backend.Error{Backend: backend.Kubernetes, Op: "check", Ref: ref, Err: err}
	}
	dyn, err := b.client()
	if err != nil {
		return fail(err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(b.rest)
	if err != nil {
		return fail(err)
	}
	wantByGV := map[string][]string{}
	for kind, g := range b.gvrs {
		gv := g.GroupVersion().String()
		wantByGV[gv] = append(wantByGV[gv], kind)
	}
	gvs := make([]string, 0, len(wantByGV))
	for gv := range wantByGV {
		gvs = append(gvs, gv)
	}
	sort.Strings(gvs)
	var missing []string
	for _, gv := range gvs {
		var list metav1.APIResourceList
		raw, err := dc.RESTClient().Get().AbsPath("/apis/" + gv).Do(ctx).Raw()
		if err == nil {
			err = json.Unmarshal(raw, &list)
		}
		switch {
		case apierrors.IsNotFound(err):
			missing = append(missing, wantByGV[gv]...)
			continue
		case err != nil:
			var se apierrors.APIStatus
			if !errors.As(err, &se) {
				return fail(fmt.Errorf("kubernetes API server %s unreachable: %w", b.rest.Host, err))
			}
			return fail(fmt.Errorf("discovery of %s: %w", gv, explain(err)))
		}
		served := map[string]bool{}
		for _, r := range list.APIResources {
			served[r.Kind] = true
		}
		for _, k := range wantByGV[gv] {
			if !served[k] {
				missing = append(missing, k)
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fail(fmt.Errorf("fabric CRDs not installed for kinds: %s", strings.Join(missing, ", ")))
	}
	g := b.gvrs["VPC"]
	if _, err := dyn.Resource(g).Namespace(b.cfg.Namespace).List(ctx, metav1.ListOptions{Limit: 1}); err != nil {
		return fail(fmt.Errorf("list VPCs in namespace %s: %w", b.cfg.Namespace, explain(err)))
	}
	return nil
}

// ReadFabricConfig returns the fabric's config.yaml from ConfigMap default/fabric-ctrl-config (nil, nil
// when the ConfigMap or the key is missing).
func (b *Backend) ReadFabricConfig(ctx context.Context) ([]byte, error) {
	ref := backend.Ref{Kind: "ConfigMap", Namespace: FabricConfigNamespace, Name: FabricConfigMap}
	dyn, err := b.client()
	if err != nil {
		return nil, b.fail("read fabric config", ref, err)
	}
	u, err := dyn.Resource(cmGVR).Namespace(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, b.fail("read fabric config", ref, err)
	}
	s, found, err := unstructured.NestedString(u.Object, "data", FabricConfigKey)
	if err != nil || !found {
		return nil, err
	}
	return []byte(s), nil
}

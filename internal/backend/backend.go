// Package backend defines what every backend of the saga (NetBox, Git, the fabric's Kubernetes API)
// offers the resource engine. Each backend lives in its own sub-package and knows nothing of Terraform,
// of the other backends or of the saga; the engine composes them.
package backend

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/redact"
)

// Names of the three backends, in saga order for create and update (delete runs in reverse).
const (
	NetBox     = "netbox"
	Git        = "git"
	Kubernetes = "kubernetes"
)

// OwnerAnnotation marks an object as written by this provider. NetBox carries the same mark as a tag and
// custom field.
const OwnerAnnotation = "terraform.githedgehog.com/managed-by"

// OwnerValue is the value of OwnerAnnotation.
const OwnerValue = "terraform-provider-hedgehog"

// OwnerIDAnnotation names the owner (a team, workspace or configuration: the provider's `owner` setting)
// whose Terraform state wrote the object. An object with OwnerAnnotation but without this annotation was
// written before owners existed and belongs to DefaultOwner.
const OwnerIDAnnotation = "terraform.githedgehog.com/owner"

// Audit annotations the cluster backend adds to an object at write time (the audit trail, see
// docs/guides/audit-trail.md). They are not part of the planned manifest, so digests and reads ignore them.
const (
	// GitCommitAnnotation is the Git backend's commit of the same write (Audit.GitCommit).
	GitCommitAnnotation = "terraform.githedgehog.com/git-commit"
	// RunIDAnnotation is the Terraform Cloud run that made the write (Audit.RunID).
	RunIDAnnotation = "terraform.githedgehog.com/run-id"
)

// IsAuditAnnotation reports whether an annotation key is one of the audit annotations.
func IsAuditAnnotation(key string) bool { return key == GitCommitAnnotation || key == RunIDAnnotation }

// DefaultOwner is the owner when neither the provider setting nor a Terraform Cloud workspace names one.
const DefaultOwner = "default"

// OwnerOfAnnotations returns the owner named by an object's annotations and whether the object carries this
// provider's mark at all.
func OwnerOfAnnotations(ann map[string]string) (owner string, marked bool) {
	if _, ok := ann[OwnerAnnotation]; !ok {
		return "", false
	}
	if o := ann[OwnerIDAnnotation]; o != "" {
		return o, true
	}
	return DefaultOwner, true
}

// Ref names one object.
type Ref struct {
	Kind      string // e.g. "VPC"
	Namespace string // "default" unless set
	Name      string
}

func (r Ref) String() string { return r.Kind + " " + r.Namespace + "/" + r.Name }

// ListKey is the key of ref in a List result: the name in the default namespace (or none), else
// "<namespace>/<name>", so that lists, caches and lookups never confuse objects of two namespaces.
func ListKey(ref Ref) string {
	if ref.Namespace == "" || ref.Namespace == "default" {
		return ref.Name
	}
	return ref.Namespace + "/" + ref.Name
}

// Object is one fabric object exactly as the provider renders it. Manifest is the full unstructured
// object (apiVersion, kind, metadata{name, namespace, labels, annotations}, spec) after defaulting;
// it is what Git stores (as YAML) and what the cluster receives (server-side apply).
type Object struct {
	Ref
	APIVersion string
	Manifest   map[string]any
}

// State is what one backend holds for one object.
type State struct {
	// Exists is false when the backend holds nothing for the object.
	Exists bool
	// Object is the object as read back, when the backend can represent it whole (Git, Kubernetes).
	// NetBox cannot, and leaves it nil.
	Object *Object
	// Owned is true when the backend's copy carries this provider's ownership mark (of any owner).
	Owned bool
	// Owner is the owner named in the mark ("" when the copy is not marked).
	Owner string
	// Digest is a hash of the backend's own projection of what it holds: equal to Backend.Digest of the
	// desired object exactly when the backend is in sync. Drift detection compares the two.
	Digest string
	// Checkpoint holds the rollback checkpoint fields the backend reports, kept in Terraform state:
	//   git:        "path", "commit", "blob"
	//   kubernetes: "uid", "resource_version"
	//   netbox:     one entry per NetBox object, e.g. "vrf" -> "12", "prefix/default" -> "33", "vlan/default" -> "7"
	Checkpoint map[string]string
	// Restore is opaque data the same backend needs to put this exact state back (compensation).
	Restore any
}

// Backend is one backend of the saga. Implementations must be safe for concurrent use: Terraform calls the
// provider with parallelism 10 by default.
type Backend interface {
	// Name is one of NetBox, Git, Kubernetes.
	Name() string
	// Handles reports whether this backend stores objects of the kind (NetBox maps only some kinds).
	Handles(kind string) bool
	// Describe says in one or a few lines what the backend will receive for obj (shown in the plan).
	Describe(obj Object) string
	// Digest is the backend's projection hash of a desired object (see State.Digest).
	Digest(obj Object) string
	// Get reads one object. A missing object is State{Exists: false}, not an error.
	Get(ctx context.Context, ref Ref) (State, error)
	// List reads every object of a kind in one call (or one paginated series), keyed by ListKey: the name,
	// or "<namespace>/<name>" outside the default namespace.
	List(ctx context.Context, kind string) (map[string]State, error)
	// Preflight checks, without writing, that Put (obj non-nil) or Delete (obj nil) of ref may go ahead under
	// the intent: the engine runs every backend's Preflight before the saga's first write, so an object that
	// is not ours stops the saga before anything is written. It returns an *OwnershipError when Authorize
	// refuses.
	Preflight(ctx context.Context, ref Ref, obj *Object, in Intent) error
	// Put creates or updates obj and returns the state before (for compensation) and after (checkpoint).
	// Put is idempotent. What it finds is judged by in.Authorize before anything is written: it never
	// writes over what another owner, tool or person holds unless in.Adopt.
	Put(ctx context.Context, obj Object, in Intent) (prior State, after State, err error)
	// Delete removes the object; a missing object is not an error. It returns the state before. What it
	// finds is judged by in.Authorize: an object that is not the one the state recorded is left alone and
	// Delete returns an *OwnershipError with Left set (the engine reports it as a warning).
	Delete(ctx context.Context, ref Ref, in Intent) (prior State, err error)
	// Restore puts prior back (prior.Exists false: remove what is there). It is the compensation step.
	Restore(ctx context.Context, ref Ref, prior State) error
	// Check is the integration stage: the backend is reachable and what it needs exists.
	Check(ctx context.Context) error
}

// Predictor is implemented by backends that know some checkpoint fields before writing (Git knows the
// file path). The plan shows them as known values.
type Predictor interface {
	Predict(obj Object) map[string]string
}

// Observer is implemented by backends that may only watch instead of writing (the cluster in `observe`
// mode, where a GitOps controller applies from Git). An observing backend's steps wait for the change to
// appear, so they must come after the Git step in both directions.
type Observer interface {
	Observes() bool
}

// CheckNotice is what Check returns when the backend is ready but something should be said about it (e.g.
// an empty Git repository whose branch the first apply creates). The integration stage reports it as a
// warning, not as a failure.
type CheckNotice struct{ Msg string }

func (n *CheckNotice) Error() string { return redact.Text(n.Msg) }

// IsNotice marks the error as a notice for the integration stage (which does not import this package).
func (n *CheckNotice) IsNotice() bool { return true }

// ErrNotOwned is returned when a write would overwrite an object that this provider does not own.
var ErrNotOwned = errors.New("object exists and is not managed by terraform-provider-hedgehog")

// Error wraps a backend failure with the backend and operation, so the saga can name the failing step.
type Error struct {
	Backend string
	Op      string
	Ref     Ref
	Err     error
}

func (e *Error) Error() string {
	return redact.Text(fmt.Sprintf("%s: %s %s: %v", e.Backend, e.Op, e.Ref, e.Err))
}

func (e *Error) Unwrap() error { return e.Err }

// HashJSON returns a stable hex sha256 of v's JSON encoding (map keys are sorted by encoding/json).
func HashJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "unhashable:" + err.Error()
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// ManifestDigest is the digest Git and Kubernetes use: the hash of the object's labels, annotations and
// spec (the fields this provider manages), ignoring status, server-set metadata, the labels the
// fabric's controllers set themselves (keys under githedgehog.com) and the audit annotations the cluster
// backend adds at write time (IsAuditAnnotation), and the labels and annotations GitOps
// controllers add to track what they applied (IsGitOpsKey): none of these is drift.
func ManifestDigest(manifest map[string]any) string {
	md, _ := manifest["metadata"].(map[string]any)
	proj := map[string]any{"spec": manifest["spec"]}
	if md != nil {
		if l, ok := md["labels"].(map[string]any); ok && len(l) > 0 {
			own := map[string]any{}
			for k, v := range l {
				if !IsFabricLabel(k) && !IsGitOpsKey(k) {
					own[k] = v
				}
			}
			if len(own) > 0 {
				proj["labels"] = own
			}
		}
		if a, ok := md["annotations"].(map[string]any); ok && len(a) > 0 {
			own := map[string]any{}
			for k, v := range a {
				if !IsGitOpsKey(k) && !IsAuditAnnotation(k) {
					own[k] = v
				}
			}
			if len(own) > 0 {
				proj["annotations"] = own
			}
		}
	}
	return HashJSON(proj)
}

// gitOpsPrefixes are the label and annotation key prefixes (up to and including the '/') that GitOps
// controllers set on the objects they apply: Flux's kustomize and helm controllers, Argo CD.
var gitOpsPrefixes = []string{"kustomize.toolkit.fluxcd.io/", "helm.toolkit.fluxcd.io/", "argocd.argoproj.io/"}

// gitOpsKeys are single keys GitOps tooling sets: Argo CD's default tracking label and kubectl's
// client-side apply record.
var gitOpsKeys = map[string]bool{
	"app.kubernetes.io/instance":                       true,
	"kubectl.kubernetes.io/last-applied-configuration": true,
}

// IsGitOpsKey reports whether a label or annotation key is one that a GitOps controller (Flux, Argo CD) or
// kubectl adds to track what it applied. Such keys are not this provider's and never drift; a
// configuration that sets one itself sees it written, but changes to it made elsewhere are not reported.
func IsGitOpsKey(key string) bool {
	if gitOpsKeys[key] {
		return true
	}
	for _, p := range gitOpsPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// YAML renders obj's manifest as the canonical YAML that Git stores and the plan shows (keys sorted).
func YAML(obj Object) ([]byte, error) { return yaml.Marshal(obj.Manifest) }

// IsFabricLabel reports whether a label key belongs to the fabric's controllers (e.g.
// vpc.githedgehog.com/ipv4ns), which set such labels on the objects they reconcile.
func IsFabricLabel(key string) bool {
	i := strings.IndexByte(key, '/')
	return i > 0 && strings.HasSuffix(key[:i], "githedgehog.com")
}

// Journal records every saga before its first step runs, outside Terraform state and in the backends
// themselves, so that a crash at any point leaves nothing behind that nobody knows about. One entry per
// owner and object is open at a time; the engine opens it before the first write and closes it when the
// saga completed or was fully compensated. A later run finds this owner's open entries, names them at plan
// and settles them at apply before new work (see engine.Recover).
type Journal interface {
	// Where names the store for messages, e.g. "kubernetes ConfigMaps in namespace default".
	Where() string
	// Open writes (creates or replaces) the entry.
	Open(ctx context.Context, e JournalEntry) error
	// Close removes the entry; a missing entry is not an error.
	Close(ctx context.Context, e JournalEntry) error
	// Pending lists the owner's open entries.
	Pending(ctx context.Context, owner string) ([]JournalEntry, error)
}

// JournalEntry is one saga in flight.
type JournalEntry struct {
	// ID is JournalID(Owner, Ref): stable, so that a re-run overwrites its own entry.
	ID    string `json:"id"`
	Owner string `json:"owner"`
	Op    string `json:"op"` // create, update, delete
	Ref   Ref    `json:"ref"`
	// Steps are the saga's steps (backend names) in the order they run.
	Steps []string `json:"steps"`
	// Desired is the manifest being written (create, update); Prior the manifest Terraform state holds
	// (update, delete), nil on create.
	Desired map[string]any `json:"desired,omitempty"`
	Prior   map[string]any `json:"prior,omitempty"`
	// Expect holds, per backend, the checkpoint Terraform state holds (update, delete).
	Expect  map[string]map[string]string `json:"expect,omitempty"`
	Started string                       `json:"started"` // RFC 3339
	Audit   Audit                        `json:"audit"`
	// Note says why the entry is still open when a run ended with it (a failed compensation).
	Note string `json:"note,omitempty"`
}

// JournalID is the stable id of the entry of owner's saga on ref: a short hash, safe in file and object names.
func JournalID(owner string, ref Ref) string {
	ns := ref.Namespace
	if ns == "" {
		ns = "default"
	}
	sum := sha256.Sum256([]byte(owner + "\x00" + ref.Kind + "\x00" + ns + "\x00" + ref.Name))
	return hex.EncodeToString(sum[:10])
}

// OwnerKey is a short hash of an owner identity, safe in labels, refs and file names.
func OwnerKey(owner string) string {
	sum := sha256.Sum256([]byte(owner))
	return hex.EncodeToString(sum[:8])
}

// DryRunner is implemented by backends that can have a write judged without making it: the cluster in
// `apply` mode sends the object as a server-side apply with dryRun=All, so that admission webhooks, schema
// checks and other admission controls judge it and nothing is persisted. The plan uses it.
type DryRunner interface {
	// DryRun judges a Put of obj. It returns nil when the write would be accepted, a *Denial when the
	// backend refused it, ErrNoDryRun when this backend does not judge writes (observe mode, or a wrapped
	// backend without DryRun), and any other error when the judgement could not be obtained.
	DryRun(ctx context.Context, obj Object) error
}

// ErrNoDryRun says a backend makes no dry runs.
var ErrNoDryRun = errors.New("this backend makes no dry runs")

// Denial is a write the backend judged and refused in a dry run: an admission webhook's denial, an invalid
// object (a schema or CEL rule of the CRD), a field-manager conflict.
type Denial struct {
	Backend string
	Ref     Ref
	// Code is the HTTP status of the refusal (403 for a webhook's default denial, 422 for an invalid object).
	Code int32
	// Reason is the API's machine-readable reason (Forbidden, Invalid, Conflict, ...).
	Reason string
	// Message is the server's message, e.g. `admission webhook "vpc.example.com" denied the request: ...`.
	Message string
	// Causes are the field causes the server named (field path, message), when any.
	Causes []DenialCause
}

// DenialCause is one field the server named in a denial.
type DenialCause struct{ Field, Message string }

func (d *Denial) Error() string {
	return redact.Text(fmt.Sprintf("%s: dry run of %s refused: %s", d.Backend, d.Ref, d.Message))
}

// AsDenial returns the *Denial in err, if any.
func AsDenial(err error) (*Denial, bool) {
	var d *Denial
	ok := errors.As(err, &d)
	return d, ok
}

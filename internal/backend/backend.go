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
)

// Names of the three backends, in saga order for create and update (delete runs in reverse).
const (
	NetBox     = "netbox"
	Git        = "git"
	Kubernetes = "kubernetes"
)

// OwnerAnnotation marks an object as written by this provider (the ownership mark that lets a re-run create
// adopt its own objects and never another's). NetBox carries the same mark as a tag and custom field.
const OwnerAnnotation = "terraform.githedgehog.com/managed-by"

// OwnerValue is the value of OwnerAnnotation.
const OwnerValue = "terraform-provider-hedgehog"

// Ref names one object.
type Ref struct {
	Kind      string // e.g. "VPC"
	Namespace string // "default" unless set
	Name      string
}

func (r Ref) String() string { return r.Kind + " " + r.Namespace + "/" + r.Name }

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
	// Owned is true when the backend's copy carries this provider's ownership mark.
	Owned bool
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
	// List reads every object of a kind in one call (or one paginated series), keyed by name.
	List(ctx context.Context, kind string) (map[string]State, error)
	// Put creates or updates obj and returns the state before (for compensation) and after (checkpoint).
	// Put is idempotent. It refuses (ErrNotOwned) to overwrite an object without the ownership mark
	// unless adopt is true (import, or a re-run of a create that this provider began).
	Put(ctx context.Context, obj Object, adopt bool) (prior State, after State, err error)
	// Delete removes the object; a missing object is not an error. It returns the state before.
	Delete(ctx context.Context, ref Ref) (prior State, err error)
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
	return fmt.Sprintf("%s: %s %s: %v", e.Backend, e.Op, e.Ref, e.Err)
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
// spec (the fields this provider manages), ignoring status, server-set metadata and the labels the
// fabric's controllers set themselves (keys under githedgehog.com), which are not drift.
func ManifestDigest(manifest map[string]any) string {
	md, _ := manifest["metadata"].(map[string]any)
	proj := map[string]any{"spec": manifest["spec"]}
	if md != nil {
		if l, ok := md["labels"].(map[string]any); ok && len(l) > 0 {
			own := map[string]any{}
			for k, v := range l {
				if !IsFabricLabel(k) {
					own[k] = v
				}
			}
			if len(own) > 0 {
				proj["labels"] = own
			}
		}
		if a, ok := md["annotations"]; ok && a != nil {
			proj["annotations"] = a
		}
	}
	return HashJSON(proj)
}

// YAML renders obj's manifest as the canonical YAML that Git stores and the plan shows (keys sorted).
func YAML(obj Object) ([]byte, error) { return yaml.Marshal(obj.Manifest) }

// IsFabricLabel reports whether a label key belongs to the fabric's controllers (e.g.
// vpc.githedgehog.com/ipv4ns), which set such labels on the objects they reconcile.
func IsFabricLabel(key string) bool {
	i := strings.IndexByte(key, '/')
	return i > 0 && strings.HasSuffix(key[:i], "githedgehog.com")
}

package backend

import (
	"errors"
	"fmt"
	"strings"
)

// This file is the one place where the provider decides what a write may touch. Every backend describes
// what it found (Found) and asks Intent.Authorize; none of them has ownership rules of its own.

// Operations of an Intent.
const (
	OpCreate  = "create"  // the resource is not in Terraform state
	OpUpdate  = "update"  // the resource is in state: Expect holds its checkpoints
	OpDelete  = "delete"  // the resource is in state: Expect holds its checkpoints
	OpRecover = "recover" // finishing or undoing this owner's own incomplete saga (the journal)
)

// Intent says on whose behalf and from which recorded state a write is made.
type Intent struct {
	Op string
	// Owner is this configuration's owner identity (provider setting `owner`, else the Terraform Cloud
	// workspace, else DefaultOwner). It goes into every mark.
	Owner string
	// Expect is this backend's checkpoint from Terraform state (update, delete): git {path, commit, blob},
	// kubernetes {uid, resource_version}, netbox {vrf: "12", prefix/<subnet>: "33", ...}. Empty on create.
	Expect map[string]string
	// Adopt allows taking over an object that another owner, tool or person holds (resource `adopt = true`,
	// or the first apply after `terraform import`). The prior state is kept so that a rollback restores it.
	Adopt bool
	// Audit says who writes and why (commit trailers, NetBox journal entries, cluster annotations).
	Audit Audit
}

// Audit is what every write records about itself.
type Audit struct {
	Owner     string // the owner identity
	Resource  string // the Terraform resource type and object, e.g. "hedgehog_vpc web"
	Op        string // create, update, delete, rollback, recover
	RunID     string // Terraform Cloud run id (TFC_RUN_ID), when run there
	Workspace string // Terraform Cloud workspace (TFC_WORKSPACE_SLUG or TFC_WORKSPACE_NAME)
	VCSCommit string // the configuration's VCS commit (TFC_CONFIGURATION_VERSION_GIT_COMMIT_SHA)
	GitCommit string // the Git backend's commit of this write, once known (for NetBox and the cluster)
}

// Sameness is a backend's verdict on whether what it found is the very object Terraform state recorded.
type Sameness int

const (
	// SameUnknown: the state recorded nothing for this backend (create, or a backend added later).
	SameUnknown Sameness = iota
	// SameMatch: the identity matches the checkpoint (cluster uid, Git blob or our own marked file, NetBox
	// record id with our mark).
	SameMatch
	// SameMismatch: something else now holds the name or key.
	SameMismatch
)

// Found is what a backend holds where a write would go.
type Found struct {
	Exists bool
	// Marked: the copy carries this provider's mark; Owner: the owner it names ("" when not marked).
	Marked bool
	Owner  string
	Same   Sameness
	// What names the record for messages, e.g. `VLAN 1702 "web-default" (id 7) in group "vlans"` or a path.
	What string
	// Note adds what the backend knows about the holder, e.g. "field managers: kubectl-client-side-apply".
	Note string
}

// OwnershipError is a refused write: the backend, the object, what holds it and how to proceed.
type OwnershipError struct {
	Backend string
	Ref     Ref
	Op      string
	Found   Found
	// Owner is the intent's owner.
	Owner string
	// Left is set when a delete left the object alone (it is not the one the state recorded).
	Left bool
}

func (e *OwnershipError) holder() string {
	switch {
	case e.Found.Marked && e.Found.Owner == e.Owner:
		return fmt.Sprintf("another Terraform state of the same owner %q", e.Owner)
	case e.Found.Marked:
		return fmt.Sprintf("owner %q", e.Found.Owner)
	}
	return "someone outside this provider (no ownership mark)"
}

func (e *OwnershipError) Error() string {
	what := e.Found.What
	if what == "" {
		what = e.Ref.String()
	}
	held := e.holder()
	if e.Found.Note != "" {
		held += "; " + e.Found.Note
	}
	if e.Left {
		return fmt.Sprintf("%s: left %s alone: it is not the object this state wrote (held by %s)", e.Backend, what, held)
	}
	var verb string
	switch e.Op {
	case OpCreate:
		verb = "create would write over"
	case OpDelete:
		verb = "delete would remove"
	default:
		verb = e.Op + " would write over"
	}
	return fmt.Sprintf("%s: %s %s, held by %s", e.Backend, verb, what, held)
}

// Hint is the way forward for a refused write.
func (e *OwnershipError) Hint() string {
	if e.Left {
		return "Nothing was deleted there. If the object should go, delete it where it was made, or take it over deliberately (adopt = true, or terraform import) first."
	}
	return "Nothing was written. Choose another name, remove the other object where it was made, or take it over deliberately: `terraform import` it, or set `adopt = true` on the resource (a rollback then restores it exactly)."
}

// Is makes errors.Is(err, ErrNotOwned) true for ownership refusals.
func (e *OwnershipError) Is(target error) bool { return target == ErrNotOwned }

// AsOwnership returns the *OwnershipError in err, if any.
func AsOwnership(err error) (*OwnershipError, bool) {
	var oe *OwnershipError
	ok := errors.As(err, &oe)
	return oe, ok
}

// Authorize decides whether a write may go ahead over what a backend found. The rules:
//   - nothing there: always;
//   - Adopt: always (the caller keeps the prior state for rollback);
//   - create: never over anything that exists, whoever owns it;
//   - update and delete: only over the very object the state recorded (Same == SameMatch), or, when the
//     state recorded nothing for this backend, over an object marked with this owner;
//   - recover: only over objects marked with this owner.
func (in Intent) Authorize(backendName string, ref Ref, f Found) error {
	if !f.Exists || in.Adopt {
		return nil
	}
	ok := false
	switch in.Op {
	case OpCreate:
		ok = false
	case OpRecover:
		ok = f.Marked && f.Owner == in.Owner
	default:
		ok = f.Same == SameMatch || (f.Same == SameUnknown && f.Marked && f.Owner == in.Owner)
	}
	if ok {
		return nil
	}
	return &OwnershipError{Backend: backendName, Ref: ref, Op: in.Op, Found: f, Owner: in.Owner, Left: in.Op == OpDelete}
}

// OwnerOrDefault returns owner, or DefaultOwner when it is empty.
func OwnerOrDefault(owner string) string {
	if strings.TrimSpace(owner) == "" {
		return DefaultOwner
	}
	return owner
}

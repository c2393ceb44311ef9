// Package backendtest holds what the backends' tests share.
package backendtest

import (
	"context"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
)

// Intents of the backend tests: an update or delete without checkpoints touches only what carries the
// default owner's mark; Adopt takes over anything.
var (
	Update = backend.Intent{Op: backend.OpUpdate, Owner: backend.DefaultOwner}
	Adopt  = backend.Intent{Op: backend.OpUpdate, Owner: backend.DefaultOwner, Adopt: true}
	Delete = backend.Intent{Op: backend.OpDelete, Owner: backend.DefaultOwner}
)

// IntentOf is Adopt or Update.
func IntentOf(adopt bool) backend.Intent {
	if adopt {
		return Adopt
	}
	return Update
}

// Entry is a journal entry of a VPC create, update or delete by owner, as the journal tests open them.
func Entry(owner, name, op string) backend.JournalEntry {
	ref := backend.Ref{Kind: "VPC", Namespace: "default", Name: name}
	return backend.JournalEntry{ID: backend.JournalID(owner, ref), Owner: owner, Op: op, Ref: ref,
		Steps: []string{backend.NetBox, backend.Git, backend.Kubernetes}, Started: "2025-01-01T00:00:00Z",
		Desired: map[string]any{"spec": map[string]any{"x": "y"}},
		Audit:   backend.Audit{Owner: owner, Resource: "hedgehog_vpc " + name, Op: op, RunID: "run-1"}}
}

// PendingNames lists the owner's open entries as "name:op".
func PendingNames(t testing.TB, j backend.Journal, owner string) []string {
	t.Helper()
	es, err := j.Pending(context.Background(), owner)
	if err != nil {
		t.Fatalf("pending %s: %v", owner, err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Ref.Name+":"+e.Op)
	}
	return out
}

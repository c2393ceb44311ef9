// Package backendtest holds what the backends' tests share.
package backendtest

import "github.com/githedgehog/terraform-provider-hedgehog/internal/backend"

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

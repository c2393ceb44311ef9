package git

import "github.com/githedgehog/terraform-provider-hedgehog/internal/backend"

// Intents of the tests that predate owners: an update or delete without checkpoints touches only what
// carries the default owner's mark; adopt takes over anything.
var (
	legacyPut    = backend.Intent{Op: backend.OpUpdate, Owner: backend.DefaultOwner}
	legacyAdopt  = backend.Intent{Op: backend.OpUpdate, Owner: backend.DefaultOwner, Adopt: true}
	legacyDelete = backend.Intent{Op: backend.OpDelete, Owner: backend.DefaultOwner}
)

func intentOf(adopt bool) backend.Intent {
	if adopt {
		return legacyAdopt
	}
	return legacyPut
}

package engine

import "github.com/githedgehog/terraform-provider-hedgehog/internal/backend"

// Writes of the tests that predate checkpoints as preconditions: a create, and an update or delete that
// holds no checkpoint (it touches only what carries this owner's mark).
var (
	createW = Write{Op: backend.OpCreate}
	updateW = Write{Op: backend.OpUpdate}
)

func writeFor(update bool) Write {
	if update {
		return updateW
	}
	return createW
}

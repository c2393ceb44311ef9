package engine

import (
	"context"
	"errors"
	"sync"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
)

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

var errCrash = errors.New("test crash")

// memJournal is an in-memory backend.Journal for the engine's tests (the real ones live in the cluster and
// Git and are tested there).
type memJournal struct {
	mu sync.Mutex
	m  map[string]backend.JournalEntry
}

func newMemJournal() *memJournal { return &memJournal{m: map[string]backend.JournalEntry{}} }

func (j *memJournal) Where() string { return "memory" }

func (j *memJournal) Open(_ context.Context, e backend.JournalEntry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.m[e.ID] = e
	return nil
}

func (j *memJournal) Close(_ context.Context, e backend.JournalEntry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	delete(j.m, e.ID)
	return nil
}

func (j *memJournal) Pending(_ context.Context, owner string) ([]backend.JournalEntry, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []backend.JournalEntry
	for _, e := range j.m {
		if e.Owner == owner {
			out = append(out, e)
		}
	}
	return out, nil
}

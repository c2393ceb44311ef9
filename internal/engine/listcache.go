package engine

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
)

// listCache serves reads of many objects of one kind from one List call per backend. Concurrent readers
// of the same kind wait for the one list in flight. Writes through the engine update their entry in place,
// so a read after a write sees the write without listing again. Entries expire after ttl. A List that
// failed is remembered for the rest of the run (the provider process): every reader waiting for it and
// every later reader of the kind gets the same error at once, instead of listing again one after another
// (with 500 resources and a silent backend a refresh would otherwise never end). Only a List cut short by
// the caller's own cancellation is tried again.
type listCache struct {
	ttl     time.Duration
	mu      sync.Mutex
	entries map[string]*listEntry
}

type listEntry struct {
	ready  chan struct{}
	at     time.Time
	states map[string]backend.State
	err    error
}

// lookup returns one object's state from the list of its kind (one List per kind and backend serves every
// object; no copy of the list is made per read). Entries are keyed by namespace and name (backend.ListKey).
func (c *listCache) lookup(ctx context.Context, b backend.Backend, ref backend.Ref) (backend.State, error) {
	key := backend.ListKey(ref)
	return c.with(ctx, b, ref.Kind, func(states map[string]backend.State) backend.State { return states[key] })
}

func (c *listCache) get(ctx context.Context, b backend.Backend, kind string) (map[string]backend.State, error) {
	var out map[string]backend.State
	_, err := c.with(ctx, b, kind, func(states map[string]backend.State) backend.State {
		out = copyStates(states)
		return backend.State{}
	})
	return out, err
}

// with runs f on the cached list of kind (listing it first when needed), under the cache lock.
func (c *listCache) with(ctx context.Context, b backend.Backend, kind string, f func(map[string]backend.State) backend.State) (backend.State, error) {
	key := b.Name() + "/" + kind
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]*listEntry{}
	}
	if e, ok := c.entries[key]; ok {
		c.mu.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			return backend.State{}, ctx.Err()
		}
		if e.err != nil && !errors.Is(e.err, context.Canceled) {
			return backend.State{}, e.err
		}
		if e.err == nil && time.Since(e.at) < c.ttlOf(len(e.states)) {
			c.mu.Lock()
			defer c.mu.Unlock()
			return f(e.states), nil
		}
		c.mu.Lock()
		if c.entries[key] == e {
			delete(c.entries, key)
		}
		c.mu.Unlock()
		return c.with(ctx, b, kind, f)
	}
	e := &listEntry{ready: make(chan struct{})}
	c.entries[key] = e
	c.mu.Unlock()
	states, err := b.List(ctx, kind)
	c.mu.Lock()
	e.states, e.err, e.at = states, err, time.Now()
	if e.states == nil {
		e.states = map[string]backend.State{}
	}
	out := f(e.states)
	c.mu.Unlock()
	close(e.ready)
	if err != nil {
		return backend.State{}, err
	}
	return out, nil
}

// ttlOf is how long a list of n objects serves reads: ttl, paced by its size (backend.Paced). At 2,000 VPCs
// an apply listed every backend's VPCs again every ttl, 7 times, where a 500-VPC apply, shorter than ttl,
// listed them once. The engine's own writes keep the list current meanwhile (put); what others change shows
// in the next list, and every write is still judged against the backend itself (the preflight and the
// write's own check), never against this cache.
func (c *listCache) ttlOf(n int) time.Duration { return backend.Paced(c.ttl, n) }

// put records the state a write left, when a list of the kind is cached.
func (c *listCache) put(backendName string, ref backend.Ref, st backend.State) {
	key := backendName + "/" + ref.Kind
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return
	}
	select {
	case <-e.ready:
	default:
		// a list is in flight and may or may not include the write: drop it so the next read lists again
		delete(c.entries, key)
		return
	}
	if e.err != nil {
		return
	}
	if st.Exists {
		e.states[backend.ListKey(ref)] = st
	} else {
		delete(e.states, backend.ListKey(ref))
	}
}

func copyStates(m map[string]backend.State) map[string]backend.State {
	out := make(map[string]backend.State, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// drop forgets the cached list of a kind (after writes the engine cannot describe entry by entry).
func (c *listCache) drop(backendName, kind string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, backendName+"/"+kind)
}

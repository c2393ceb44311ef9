package netbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// bulkLinger is how long the first of several concurrent bulk calls to one endpoint waits for others to
// join its request (a variable for tests). A call made while no other saga is running goes at once.
var bulkLinger = 5 * time.Millisecond

// bulkCall is one caller's items of a coalesced bulk request.
type bulkCall struct {
	items []any
	res   []json.RawMessage
	err   error
	alone bool // the merged request failed: send these items alone, so that each caller gets its own answer
	done  chan struct{}
}

// coalescer merges concurrent bulk requests (NetBox's list endpoints take lists on POST and DELETE) of
// this backend's sagas into one request per endpoint.
type coalescer struct {
	mu     sync.Mutex
	queues map[string][]*bulkCall
	active atomic.Int32 // Put and Delete calls in progress
}

// busy counts a Put or Delete in progress; the returned function ends it.
func (b *Backend) busy() func() {
	b.co.active.Add(1)
	return func() { b.co.active.Add(-1) }
}

// bulk sends items as one list to method path, together with other sagas' concurrent calls to the same
// endpoint, and returns the answer's items for these (POST: in order; DELETE: none). NetBox runs a bulk
// request in one transaction, so a merged request that fails is sent again per caller: each caller gets
// the answer its own items get, as if it had been alone.
func (b *Backend) bulk(ctx context.Context, method, path string, items []any) ([]json.RawMessage, error) {
	if len(items) == 0 {
		return nil, nil
	}
	c := &bulkCall{items: items, done: make(chan struct{})}
	key := method + " " + path
	b.co.mu.Lock()
	if b.co.queues == nil {
		b.co.queues = map[string][]*bulkCall{}
	}
	b.co.queues[key] = append(b.co.queues[key], c)
	leader := len(b.co.queues[key]) == 1
	b.co.mu.Unlock()
	if leader {
		if b.co.active.Load() > 1 {
			time.Sleep(bulkLinger)
		}
		b.co.mu.Lock()
		calls := b.co.queues[key]
		delete(b.co.queues, key)
		b.co.mu.Unlock()
		b.flush(ctx, method, path, calls)
	}
	<-c.done
	if c.alone {
		return b.sendBulk(ctx, method, path, c.items)
	}
	return c.res, c.err
}

// flush sends the calls' items in one request and hands each call its part of the answer.
func (b *Backend) flush(ctx context.Context, method, path string, calls []*bulkCall) {
	var all []any
	for _, c := range calls {
		all = append(all, c.items...)
	}
	res, err := b.sendBulk(ctx, method, path, all)
	if err != nil && len(calls) > 1 {
		for _, c := range calls {
			c.alone = true
			close(c.done)
		}
		return
	}
	off := 0
	for _, c := range calls {
		c.err = err
		if err == nil && res != nil {
			c.res = res[off : off+len(c.items)]
		}
		off += len(c.items)
		close(c.done)
	}
}

// sendBulk performs one bulk request.
func (b *Backend) sendBulk(ctx context.Context, method, path string, items []any) ([]json.RawMessage, error) {
	var out []json.RawMessage
	var dst any
	if method != http.MethodDelete {
		dst = &out
	}
	if err := b.raw(ctx, method, path, nil, items, dst); err != nil {
		return nil, err
	}
	if dst != nil && len(out) != len(items) {
		return nil, fmt.Errorf("%s %s: %d items sent, %d answered", method, path, len(items), len(out))
	}
	return out, nil
}

// listPath is the list endpoint of a model.
func listPath(model string) string {
	switch model {
	case modelVRF:
		return "/api/ipam/vrfs/"
	case modelPrefix:
		return "/api/ipam/prefixes/"
	case modelVLAN:
		return "/api/ipam/vlans/"
	case modelVLANGroup:
		return "/api/ipam/vlan-groups/"
	}
	return ""
}

// removeAll deletes records of one model with one bulk DELETE (merged with other sagas'); records
// already gone are not an error (NetBox ignores ids that match nothing).
func (b *Backend) removeAll(ctx context.Context, model string, ids []int32) error {
	if len(ids) == 0 {
		return nil
	}
	items := make([]any, 0, len(ids))
	for _, id := range ids {
		items = append(items, map[string]any{"id": id})
	}
	if _, err := b.bulk(ctx, http.MethodDelete, listPath(model), items); err != nil {
		return fmt.Errorf("delete %s %v: %w", modelLabel(model), ids, err)
	}
	for _, id := range ids {
		b.forget(model, id)
	}
	return nil
}

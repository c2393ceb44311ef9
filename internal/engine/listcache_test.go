package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
)

// slowFailingList is a backend whose List fails after 100 ms.
type slowFailingList struct {
	backend.Backend
	calls atomic.Int32
}

func (b *slowFailingList) Name() string { return backend.Git }

func (b *slowFailingList) List(ctx context.Context, kind string) (map[string]backend.State, error) {
	b.calls.Add(1)
	time.Sleep(100 * time.Millisecond)
	return nil, errors.New("git: list: the server failed")
}

// A failed List is remembered: 10 concurrent readers of a list that fails after 100 ms all get its error
// in about 0.1 s (one List), and a later reader gets it at once.
func TestListCacheRemembersFailure(t *testing.T) {
	b := &slowFailingList{}
	c := &listCache{ttl: time.Minute}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.lookup(context.Background(), b, backend.Ref{Kind: "VPC", Namespace: "default", Name: "v"})
		}()
	}
	wg.Wait()
	took := time.Since(start)
	t.Logf("10 readers of a list failing after 100ms: %v, %d List call(s)", took, b.calls.Load())
	for _, err := range errs {
		if err == nil || err.Error() != "git: list: the server failed" {
			t.Fatalf("reader got %v", err)
		}
	}
	if b.calls.Load() != 1 || took > 300*time.Millisecond {
		t.Fatalf("%d List calls in %v, want 1 in about 100ms", b.calls.Load(), took)
	}
	start = time.Now()
	if _, err := c.lookup(context.Background(), b, backend.Ref{Kind: "VPC", Namespace: "default", Name: "w"}); err == nil || time.Since(start) > 10*time.Millisecond || b.calls.Load() != 1 {
		t.Fatalf("later reader: %v after %v, %d calls", err, time.Since(start), b.calls.Load())
	}
}

// A reader waiting for a list in flight stops waiting when its own context ends (Ctrl-C).
func TestListCacheWaitHonoursContext(t *testing.T) {
	b := &slowFailingList{}
	c := &listCache{ttl: time.Minute}
	go func() {
		_, _ = c.lookup(context.Background(), b, backend.Ref{Kind: "VPC", Namespace: "default", Name: "v"})
	}()
	time.Sleep(10 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.lookup(ctx, b, backend.Ref{Kind: "VPC", Namespace: "default", Name: "w"}); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 60*time.Millisecond {
		t.Fatalf("got %v after %v", err, time.Since(start))
	}
}

// sizedList is a backend whose List returns n objects and counts its calls.
type sizedList struct {
	backend.Backend
	n     int
	calls atomic.Int32
}

func (b *sizedList) Name() string { return backend.Kubernetes }

func (b *sizedList) List(ctx context.Context, kind string) (map[string]backend.State, error) {
	b.calls.Add(1)
	out := map[string]backend.State{}
	for i := range b.n {
		out[backend.ListKey(backend.Ref{Kind: kind, Namespace: "default", Name: fmt.Sprint("v", i)})] = backend.State{Exists: true}
	}
	return out, nil
}

// A list of more than backend.CachePace objects serves reads proportionally longer than ttl, so a long run does not
// list a large kind again every ttl; a small list keeps ttl.
func TestListCachePacedBySize(t *testing.T) {
	ref := backend.Ref{Kind: "VPC", Namespace: "default", Name: "v1"}
	for _, tc := range []struct {
		n       int
		age     time.Duration // how old the list is at the second read
		relists bool
	}{
		{n: 10, age: 2 * time.Minute, relists: true},
		{n: 4 * backend.CachePace, age: 2 * time.Minute, relists: false},
		{n: 4 * backend.CachePace, age: 5 * time.Minute, relists: true},
	} {
		b := &sizedList{n: tc.n}
		c := &listCache{ttl: time.Minute}
		if st, err := c.lookup(context.Background(), b, ref); err != nil || !st.Exists {
			t.Fatalf("n=%d: %+v %v", tc.n, st, err)
		}
		c.mu.Lock()
		for _, e := range c.entries {
			e.at = e.at.Add(-tc.age)
		}
		c.mu.Unlock()
		if _, err := c.lookup(context.Background(), b, ref); err != nil {
			t.Fatal(err)
		}
		if got := b.calls.Load() == 2; got != tc.relists {
			t.Errorf("list of %d objects read again after %s: %v, want %v (ttl %s)", tc.n, tc.age, got, tc.relists, c.ttlOf(tc.n))
		}
	}
}

package git

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
)

// Group commit (DECISIONS 35). Every write (Put, Delete, Restore, a journal entry) is a request queued per
// repository configuration in the process. The first request of an empty queue opens a group and starts its
// committer; the group gathers the writes that arrive while it lingers, then takes the repository lock, fetches,
// judges and applies each write in order on the fetched tree, and makes ONE commit and ONE push for all of them.
// Each write gets its own outcome: its prior file, its blob, and the commit that holds it.
//
// When a group closes: when it is full (maxGroup); or when no write announced by Preflight is outstanding, none
// arrived for groupQuiet, and it holds at least as many writes as the largest of the last 4 groups (the writers
// of an apply come back) or groupLinger passed (a shrinking apply); at the latest announceTTL after it opened.
const (
	// maxGroup bounds the writes of one commit.
	maxGroup = 64
	// groupQuiet: a group closes when no write arrived for this long and no announced write is outstanding.
	groupQuiet = 15 * time.Millisecond
	// groupLinger bounds how long a group waits for the writers of the last groups to come back.
	groupLinger = time.Second
	// announceTTL: a write announced by Preflight that did not arrive within this time is not waited for; no
	// group waits longer than this.
	announceTTL = 2 * time.Second
	// groupPoll is how often a lingering group looks at its queue.
	groupPoll = 3 * time.Millisecond
)

// request is one write waiting for its group's commit.
type request struct {
	ctx  context.Context
	c    change
	done chan struct{}
	// taken is set (under queue.mu) when the group's committer took the request: from then on it runs.
	taken bool
	grp   *group
	out   outcome
}

// outcome is what one write of a group commit did.
type outcome struct {
	err error
	// base is the remote head the write was judged and built on; prior is the file there (after the writes
	// before it in the same commit, which never touch the same file in practice).
	base  plumbing.Hash
	prior file
	// commit is the pushed commit holding the write, zero when the file already was as wanted.
	commit plumbing.Hash
	// blob is the written file's blob (zero when removed).
	blob plumbing.Hash
}

// head returns the commit that holds the write: its commit, or the base when nothing changed.
func (o outcome) head() plumbing.Hash {
	if !o.commit.IsZero() {
		return o.commit
	}
	return o.base
}

type group struct {
	reqs  []*request
	start time.Time
	last  time.Time
}

// queue is the process-wide write queue of one repository configuration.
type queue struct {
	mu   sync.Mutex
	open *group
	// announced holds the paths Preflight cleared for a write, until the write arrives or the entry expires.
	announced map[string]time.Time
	// expected is the size of the largest of the last 4 groups: as many writers are likely to come back
	// (Terraform's parallelism keeps the same number of resources in flight), so a group waits for them up to
	// groupLinger.
	expected int
	sizes    []int
	// commits counts the commits pushed through this queue (tests, bench).
	commits atomic.Int64
}

var (
	queuesMu sync.Mutex
	queues   = map[Config]*queue{}
)

// queueOf returns the process-wide queue of a configuration: only writes of identical configurations (URL,
// branch, credentials, author, prefix) share a commit.
func queueOf(cfg Config) *queue {
	queuesMu.Lock()
	defer queuesMu.Unlock()
	q, ok := queues[cfg]
	if !ok {
		q = &queue{announced: map[string]time.Time{}}
		queues[cfg] = q
	}
	return q
}

// announce records that a write of path is about to come (Preflight cleared it): an open group waits for it.
func (q *queue) announce(path string) {
	q.mu.Lock()
	q.announced[path] = time.Now().Add(announceTTL)
	q.mu.Unlock()
}

// outstanding counts the announced writes that have not arrived. Callers hold q.mu.
func (q *queue) outstanding(now time.Time) int {
	n := 0
	for p, exp := range q.announced {
		if now.After(exp) {
			delete(q.announced, p)
			continue
		}
		n++
	}
	return n
}

// write queues c and waits for the commit of its group. A request whose context ends before its group took it
// leaves the queue; once taken, it waits for the outcome (the push may already be under way).
func (b *Backend) write(ctx context.Context, c change) outcome {
	q := b.queue
	r := &request{ctx: ctx, c: c, done: make(chan struct{})}
	now := time.Now()
	q.mu.Lock()
	delete(q.announced, c.path)
	if q.open == nil || len(q.open.reqs) >= maxGroup {
		q.open = &group{start: now}
		go b.run(q.open)
	}
	r.grp = q.open
	r.grp.reqs = append(r.grp.reqs, r)
	r.grp.last = now
	q.mu.Unlock()
	select {
	case <-r.done:
		return r.out
	case <-ctx.Done():
	}
	q.mu.Lock()
	if !r.taken {
		g := r.grp
		for i, x := range g.reqs {
			if x == r {
				g.reqs = append(g.reqs[:i], g.reqs[i+1:]...)
				break
			}
		}
		q.mu.Unlock()
		return outcome{err: errors.New("waiting for the commit of this write: " + context.Cause(ctx).Error())}
	}
	q.mu.Unlock()
	<-r.done
	return r.out
}

// run is the committer of one group: it lingers while writes keep arriving or are announced, closes the group,
// takes the repository lock and commits.
func (b *Backend) run(g *group) {
	q := b.queue
	var reqs []*request
	for {
		q.mu.Lock()
		now := time.Now()
		n := len(g.reqs)
		age := now.Sub(g.start)
		ready := n == 0 || n >= maxGroup || age >= announceTTL ||
			(q.outstanding(now) == 0 && now.Sub(g.last) >= groupQuiet && (n >= q.expected || age >= groupLinger))
		if ready {
			if q.open == g {
				q.open = nil
			}
			q.sizes = append(q.sizes, n)
			if len(q.sizes) > 4 {
				q.sizes = q.sizes[1:]
			}
			q.expected = slices.Max(q.sizes)
			reqs = g.reqs
			for _, r := range reqs {
				r.taken = true
			}
			q.mu.Unlock()
			break
		}
		q.mu.Unlock()
		time.Sleep(groupPoll)
	}
	if len(reqs) == 0 {
		return
	}
	// The group runs with the first write's context values (the guard), and stops only when every write in
	// it was cancelled.
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(reqs[0].ctx))
	defer cancel(nil)
	var left atomic.Int64
	left.Store(int64(len(reqs)))
	for _, r := range reqs {
		r := r
		stop := context.AfterFunc(r.ctx, func() {
			if left.Add(-1) == 0 {
				cancel(context.Cause(r.ctx))
			}
		})
		defer stop()
	}
	var outs []outcome
	if err := b.lock.LockContext(ctx); err != nil {
		outs = make([]outcome, len(reqs))
		for i := range outs {
			outs[i].err = err
		}
	} else {
		outs = b.commitGroup(ctx, changesOf(reqs))
		b.lock.Unlock()
	}
	for i, r := range reqs {
		r.out = outs[i]
		close(r.done)
	}
}

func changesOf(reqs []*request) []change {
	cs := make([]change, len(reqs))
	for i, r := range reqs {
		cs[i] = r.c
	}
	return cs
}

// commitGroup applies changes in order on the fetched remote head in ONE commit and pushes it, re-applying them
// on the new head when another writer moved the branch. Each change is judged (backend.Intent.Authorize) against
// the tree it is applied to; a change refused there, or already as wanted, is not part of the commit. A push
// that fails for any other reason (hook, permission) fails exactly the changes in the commit; the remote is
// unchanged. Callers hold b.lock.
func (b *Backend) commitGroup(ctx context.Context, changes []change) []outcome {
	outs := make([]outcome, len(changes))
	failAll := func(err error) []outcome {
		for i := range outs {
			outs[i] = outcome{err: err}
		}
		return outs
	}
	s, err := b.fetch(ctx)
	if err != nil {
		return failAll(err)
	}
	for attempt := 1; ; attempt++ {
		st := b.repo.Storer // each attempt's fetch may have started a fresh clone
		root := plumbing.ZeroHash
		if s.tree != nil {
			root = s.tree.Hash
		}
		stg, err := newStage(st, root)
		if err != nil {
			return failAll(err)
		}
		var edits []change
		var existed []bool
		var included []int
		for i, c := range changes {
			o := outcome{base: s.head}
			prior, err := b.readStaged(stg, c.path)
			if err != nil {
				outs[i] = outcome{err: err}
				continue
			}
			o.prior = prior
			if c.intent != nil {
				in := *c.intent
				if err := in.Authorize(backend.Git, c.ref, found(prior, in)); err != nil {
					outs[i] = outcome{err: err}
					continue
				}
			}
			if prior.exists == (c.content != nil) && bytes.Equal(prior.content, c.content) {
				o.blob = prior.blob
				outs[i] = o // already as wanted
				continue
			}
			if c.content != nil {
				if o.blob, err = writeBlob(st, c.content); err != nil {
					return failAll(err)
				}
				stg.added(o.blob)
			}
			if err := stg.set(c.path, o.blob); err != nil {
				outs[i] = outcome{err: err}
				continue
			}
			outs[i] = o
			edits = append(edits, c)
			existed = append(existed, prior.exists)
			included = append(included, i)
		}
		if len(edits) == 0 {
			return outs
		}
		if root, err = stg.write(); err != nil {
			return failAll(err)
		}
		if root.IsZero() { // everything removed: commit the empty tree
			if root, err = writeTree(st, nil); err != nil {
				return failAll(err)
			}
			stg.added(root)
		}
		commit, err := b.commit(s.head, root, b.message(edits, existed)+trailers(edits))
		if err != nil {
			return failAll(err)
		}
		stg.added(commit)
		if b.beforePush != nil {
			b.beforePush()
		}
		pushErr := b.push(ctx, s.head, commit, stg.objects())
		if pushErr == nil {
			b.queue.commits.Add(1)
			if t, err := object.GetTree(st, root); err == nil {
				b.remember(snapshot{head: commit, tree: t}) // the remote head is now this commit
			}
			for _, i := range included {
				outs[i].commit = commit
			}
			return outs
		}
		fail := func(err error) []outcome {
			for _, i := range included {
				outs[i] = outcome{err: err}
			}
			return outs
		}
		// Retry only when another writer moved the branch; anything else (hook, permission) is final.
		if ctx.Err() != nil || attempt >= maxAttempts {
			return fail(pushErr)
		}
		// (A push that lost the race to another writer fails in go-git's fast-forward check, which walks from
		// our commit into the clone's shallow boundary: "object not found". The fetch tells it apart.)
		if next, err := b.fetch(ctx); err != nil || next.head == s.head {
			return fail(pushErr)
		}
		if err := sleep(ctx, backoff(attempt)); err != nil {
			return fail(pushErr)
		}
		if s, err = b.fetch(ctx); err != nil {
			return fail(err)
		}
	}
}

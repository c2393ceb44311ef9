package netbox

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
)

// cacheTTL bounds how long the run's cached lookups are trusted before they are read again (a variable for
// tests). Our own writes keep them current in between; what others write shows after at most this long
// (DECISIONS.md).
var cacheTTL = 10 * time.Second

// cachedSet is one cached list: the records of one model a filter returned, kept current by our writes.
type cachedSet struct {
	model string
	at    time.Time
	match func(record) bool // whether a record written by us belongs to the set
	recs  map[int32]record
}

// index is the backend's per-process cache of the lookups its VPC writes need: every VRF (names and
// marks), the VLANs and prefixes marked as a VPC's, the VLANs of each VLAN group used, and every VLAN
// group. One list per set serves all sagas of a run instead of several reads per saga.
type index struct {
	mu   sync.Mutex
	sets map[string]*cachedSet
}

// lookup returns the records of the cached set key, reading it (model, f) when it is missing or older
// than cacheTTL. Reads hold the index lock, so a write that completes meanwhile is applied after the read
// is stored (never lost to it).
func (b *Backend) lookup(ctx context.Context, key, model string, f filter, match func(record) bool) ([]record, error) {
	b.idx.mu.Lock()
	defer b.idx.mu.Unlock()
	if b.idx.sets == nil {
		b.idx.sets = map[string]*cachedSet{}
	}
	s := b.idx.sets[key]
	if s == nil || time.Since(s.at) > cacheTTL {
		recs, err := b.list(ctx, model, f)
		if err != nil {
			return nil, err
		}
		s = &cachedSet{model: model, at: time.Now(), match: match, recs: map[int32]record{}}
		for _, r := range recs {
			s.recs[r.ID] = r
		}
		b.idx.sets[key] = s
	}
	out := make([]record, 0, len(s.recs))
	for _, r := range s.recs {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// wrote keeps the cached sets current after our own create or patch: r is the record as NetBox answered.
func (b *Backend) wrote(r record) {
	r, _ = b.finish(filter{}, r)
	b.idx.mu.Lock()
	defer b.idx.mu.Unlock()
	for _, s := range b.idx.sets {
		if s.model != r.Model {
			continue
		}
		if s.match(r) {
			s.recs[r.ID] = r
		} else {
			delete(s.recs, r.ID)
		}
	}
}

// seed starts an empty cached set (the VLANs of a group we just made).
func (b *Backend) seed(key, model string, match func(record) bool) {
	b.idx.mu.Lock()
	defer b.idx.mu.Unlock()
	if b.idx.sets == nil {
		b.idx.sets = map[string]*cachedSet{}
	}
	b.idx.sets[key] = &cachedSet{model: model, at: time.Now(), match: match, recs: map[int32]record{}}
}

// forget drops a record we deleted from the cached sets.
func (b *Backend) forget(model string, id int32) {
	b.idx.mu.Lock()
	defer b.idx.mu.Unlock()
	for _, s := range b.idx.sets {
		if s.model == model {
			delete(s.recs, id)
		}
	}
}

// learn keeps the cached sets current with what a live read found marked as ref's (recs): they replace
// what the cache held of ref.
func (b *Backend) learn(ref backend.Ref, recs []record) {
	mp := markPrefix(ref)
	b.idx.mu.Lock()
	defer b.idx.mu.Unlock()
	for _, s := range b.idx.sets {
		for id, r := range s.recs {
			if !strings.HasPrefix(r.Mark, mp) {
				continue
			}
			// Not marked as ref's any more, or gone: a set that holds it unmarked (every VRF, a group's
			// VLANs) keeps it as a record of nobody's, so that a create is refused rather than let through.
			r.Mark, r.Part = "", ""
			if s.match(r) {
				s.recs[id] = r
			} else {
				delete(s.recs, id)
			}
		}
		for _, r := range recs {
			if r.Model == s.model && s.match(r) {
				s.recs[r.ID] = r
			}
		}
	}
}

// invalidate drops every cached set: the next lookup reads NetBox again (after a refused write, which
// may mean that someone else wrote meanwhile).
func (b *Backend) invalidate() {
	b.idx.mu.Lock()
	defer b.idx.mu.Unlock()
	b.idx.sets = nil
}

func all(record) bool { return true }

func markedAs(prefix string) func(record) bool {
	return func(r record) bool { return strings.HasPrefix(r.Mark, prefix) }
}

// cachedMarked is marked for a VPC, from the cached sets: every VRF, and the VLANs and prefixes marked as
// any VPC's.
func (b *Backend) cachedMarked(ctx context.Context, ref backend.Ref) ([]record, error) {
	mp := markPrefix(ref)
	var out []record
	for _, m := range modelsOf(ref.Kind) {
		var recs []record
		var err error
		if m == modelVRF {
			recs, err = b.lookup(ctx, "vrf", modelVRF, filter{}, all)
		} else {
			recs, err = b.lookup(ctx, m+":"+kindVPC, m, filter{MarkPrefix: kindVPC + "/"}, markedAs(kindVPC+"/"))
		}
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			if strings.HasPrefix(r.Mark, mp) {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// cachedGroups is every VLAN group, from the cache.
func (b *Backend) cachedGroups(ctx context.Context) ([]record, error) {
	return b.lookup(ctx, "vlangroup", modelVLANGroup, filter{}, all)
}

// cachedGroupVLANs is the VLANs of group gid, from the cache.
func (b *Backend) cachedGroupVLANs(ctx context.Context, gid int32) ([]record, error) {
	return b.lookup(ctx, "vlan:group:"+strconv.Itoa(int(gid)), modelVLAN, filter{GroupIDs: []int32{gid}},
		func(r record) bool { return r.Group == gid })
}

// cachedVRFs is every VRF, from the cache.
func (b *Backend) cachedVRFs(ctx context.Context) ([]record, error) {
	return b.lookup(ctx, "vrf", modelVRF, filter{}, all)
}

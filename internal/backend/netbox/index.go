package netbox

import (
	"context"
	"iter"
	"maps"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
)

// cacheTTL bounds how long the run's cached lookups are trusted before they are read again (a variable for
// tests). Our own writes keep them current in between; what others create or change shows after at most
// this long (DECISIONS.md). Such a read asks only for the records of the model changed since the newest the
// set holds (last_updated__gte, less updateOverlap), so its cost follows what changed, not the size of the set;
// deletions do not show in it, so every cacheFullTTL the set is read whole again, paced by its size
// (fullEvery).
var (
	cacheTTL     = 10 * time.Second
	cacheFullTTL = time.Minute
)

// updateOverlap is how far before the newest last_updated held a changes-only read starts: NetBox stamps a
// record when it saves it, and a transaction that saved earlier may commit after a read that saw a later one.
const updateOverlap = 5 * time.Second

// cachedSet is one cached list: the records of one model a filter returned, kept current by our writes.
// A saga asks it for a few records (the ones marked as its VPC's, a VRF of one name, a VLAN of one vid), so
// the set keeps secondary indexes for those questions: an answer costs what it returns, not the size of the
// set, and a run's NetBox CPU grows with the number of VPCs rather than its square (DECISIONS 41).
type cachedSet struct {
	model  string
	at     time.Time         // last read (whole or of changes)
	full   time.Time         // last whole read
	newest time.Time         // newest last_updated of a record read from NetBox (ours included)
	match  func(record) bool // whether a record written by us belongs to the set
	recs   map[int32]record
	by     map[indexKey]map[string]map[int32]struct{} // built on first use, kept current by put and del
}

// indexKey names a secondary index of a cached set.
type indexKey int

const (
	byObject indexKey = iota // the object a record is marked as part of (markPrefix), "" when unmarked
	byName
	byVID
)

func (k indexKey) of(r record) string {
	switch k {
	case byObject:
		if i := strings.IndexByte(r.Mark, '#'); i >= 0 {
			return r.Mark[:i+1]
		}
		return ""
	case byName:
		return r.Name
	default:
		return strconv.Itoa(int(r.VID))
	}
}

// fullEvery is how long s goes between whole reads: cacheFullTTL, paced by the set's size (backend.Paced).
// At the old fixed pace sets that grow with a run were read whole again and again (2.4 s of provider CPU at
// 2,000 VPCs, 0.09 s at 500). Only deletions by others wait for a whole read; until then a write to a deleted
// record is refused by NetBox and drops the cache.
func (s *cachedSet) fullEvery() time.Duration { return backend.Paced(cacheFullTTL, len(s.recs)) }

func newSet(model string, match func(record) bool) *cachedSet {
	now := time.Now()
	return &cachedSet{model: model, at: now, full: now, match: match, recs: map[int32]record{}}
}

func (s *cachedSet) put(r record) {
	if r.Updated.After(s.newest) {
		s.newest = r.Updated
	}
	s.del(r.ID)
	s.recs[r.ID] = r
	for k, m := range s.by {
		v := k.of(r)
		if m[v] == nil {
			m[v] = map[int32]struct{}{}
		}
		m[v][r.ID] = struct{}{}
	}
}

func (s *cachedSet) del(id int32) {
	old, ok := s.recs[id]
	if !ok {
		return
	}
	delete(s.recs, id)
	for k, m := range s.by {
		v := k.of(old)
		delete(m[v], id)
		if len(m[v]) == 0 {
			delete(m, v)
		}
	}
}

// ids returns the ids of the records whose k is v, building the index on first use.
func (s *cachedSet) ids(k indexKey, v string) map[int32]struct{} {
	if s.by == nil {
		s.by = map[indexKey]map[string]map[int32]struct{}{}
	}
	m, ok := s.by[k]
	if !ok {
		m = map[string]map[int32]struct{}{}
		for id, r := range s.recs {
			key := k.of(r)
			if m[key] == nil {
				m[key] = map[int32]struct{}{}
			}
			m[key][id] = struct{}{}
		}
		s.by[k] = m
	}
	return m[v]
}

// sorted returns the records of ids by id.
func (s *cachedSet) sorted(ids iter.Seq[int32]) []record {
	out := []record{}
	for id := range ids {
		out = append(out, s.recs[id])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
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
	return b.lookupWhere(ctx, key, model, f, match, nil)
}

// where selects the records of a cached set whose index k is v.
type where struct {
	k indexKey
	v string
}

// lookupWhere is lookup of only the records w selects (all when w is nil).
func (b *Backend) lookupWhere(ctx context.Context, key, model string, f filter, match func(record) bool, w *where) ([]record, error) {
	b.idx.mu.Lock()
	defer b.idx.mu.Unlock()
	if b.idx.sets == nil {
		b.idx.sets = map[string]*cachedSet{}
	}
	s := b.idx.sets[key]
	switch {
	case s == nil || time.Since(s.full) > s.fullEvery() || (time.Since(s.at) > cacheTTL && s.newest.IsZero()):
		recs, err := b.list(ctx, model, f)
		if err != nil {
			return nil, err
		}
		s = newSet(model, match)
		for _, r := range recs {
			s.put(r)
		}
		b.idx.sets[key] = s
	case time.Since(s.at) > cacheTTL:
		if err := b.refreshChanged(ctx, s); err != nil {
			return nil, err
		}
	}
	if w != nil {
		return s.sorted(maps.Keys(s.ids(w.k, w.v))), nil
	}
	return s.sorted(maps.Keys(s.recs)), nil
}

// refreshChanged reads the records of s's model changed since the newest s holds, with no other filter, and
// judges each with the set's own match: one that matches is put (made or changed by someone else), one that
// no longer does is dropped (its mark or group changed, say). Records deleted by others stay until the next
// whole read.
func (b *Backend) refreshChanged(ctx context.Context, s *cachedSet) error {
	// NetBox's own form (microseconds), which Django's date-time parsing takes whatever its version.
	since := s.newest.Add(-updateOverlap).UTC().Format("2006-01-02T15:04:05.000000Z07:00")
	recs, err := b.list(withQuery(ctx, url.Values{"last_updated__gte": {since}}), s.model, filter{})
	if err != nil {
		return err
	}
	for _, r := range recs {
		if s.match(r) {
			s.put(r)
		} else {
			s.del(r.ID)
		}
	}
	s.at = time.Now()
	return nil
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
			s.put(r)
		} else {
			s.del(r.ID)
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
	b.idx.sets[key] = newSet(model, match)
}

// forget drops a record we deleted from the cached sets.
func (b *Backend) forget(model string, id int32) {
	b.idx.mu.Lock()
	defer b.idx.mu.Unlock()
	for _, s := range b.idx.sets {
		if s.model == model {
			s.del(id)
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
		for id := range s.ids(byObject, mp) {
			r := s.recs[id]
			// Not marked as ref's any more, or gone: a set that holds it unmarked (every VRF, a group's
			// VLANs) keeps it as a record of nobody's, so that a create is refused rather than let through.
			r.Mark, r.Part = "", ""
			if s.match(r) {
				s.put(r)
			} else {
				s.del(id)
			}
		}
		for _, r := range recs {
			if r.Model == s.model && s.match(r) {
				s.put(r)
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
		w := &where{byObject, mp}
		if m == modelVRF {
			recs, err = b.lookupWhere(ctx, "vrf", modelVRF, filter{}, all, w)
		} else {
			recs, err = b.lookupWhere(ctx, m+":"+kindVPC, m, filter{MarkPrefix: kindVPC + "/"}, markedAs(kindVPC+"/"), w)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	return out, nil
}

// cachedGroups is every VLAN group, from the cache.
func (b *Backend) cachedGroups(ctx context.Context) ([]record, error) {
	return b.lookup(ctx, "vlangroup", modelVLANGroup, filter{}, all)
}

// cachedGroupVLANs is the VLANs of group gid with the given vid, from the cache.
func (b *Backend) cachedGroupVLANs(ctx context.Context, gid, vid int32) ([]record, error) {
	return b.lookupWhere(ctx, "vlan:group:"+strconv.Itoa(int(gid)), modelVLAN, filter{GroupIDs: []int32{gid}},
		func(r record) bool { return r.Group == gid }, &where{byVID, strconv.Itoa(int(vid))})
}

// cachedVRFs is the VRFs of the given name, from the cache.
func (b *Backend) cachedVRFs(ctx context.Context, name string) ([]record, error) {
	return b.lookupWhere(ctx, "vrf", modelVRF, filter{}, all, &where{byName, name})
}

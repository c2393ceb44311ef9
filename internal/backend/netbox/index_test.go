package netbox

import (
	"fmt"
	"maps"
	"math/rand"
	"reflect"
	"sort"
	"testing"
)

// The secondary indexes of a cached set answer as a scan of the whole set would, whatever mix of puts
// (new records, changed marks, names and vids) and deletes came before, including ones made before the
// index was first built.
func TestCachedSetIndexesMatchScan(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	s := newSet(modelVLAN, all)
	marks := []string{"", "VPC/default/a#subnet/x", "VPC/default/a#vrf", "VPC/default/b#subnet/y", "VPC/default/b#subnet/y|owner=o"}
	keys := map[indexKey][]string{byObject: {"", "VPC/default/a#", "VPC/default/b#", "VPC/default/c#"}, byName: {"n0", "n1", "n2"}, byVID: {"1", "2", "3"}}
	scan := func(k indexKey, v string) []record {
		out := []record{}
		for _, r := range s.recs {
			if k.of(r) == v {
				out = append(out, r)
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
		return out
	}
	for step := range 2000 {
		id := int32(rng.Intn(40))
		if rng.Intn(4) == 0 {
			s.del(id)
		} else {
			s.put(record{ID: id, Model: modelVLAN, Mark: marks[rng.Intn(len(marks))], Name: fmt.Sprintf("n%d", rng.Intn(3)), VID: int32(1 + rng.Intn(3))})
		}
		if step == 500 {
			for k, vs := range keys {
				s.ids(k, vs[0]) // build the indexes partway
			}
		}
		if step < 500 {
			continue
		}
		for k, vs := range keys {
			for _, v := range vs {
				got := s.sorted(maps.Keys(s.ids(k, v)))
				if want := scan(k, v); !reflect.DeepEqual(got, want) {
					t.Fatalf("step %d index %d %q: got %v, want %v", step, k, v, got, want)
				}
			}
		}
	}
}

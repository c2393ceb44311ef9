package netbox

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	nb "github.com/netbox-community/go-netbox/v4"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/backendtest"
)

var create = backend.Intent{Op: backend.OpCreate, Owner: backend.DefaultOwner}

// The run's cache learns our own writes: a VLAN group this backend makes after the cache read the groups
// is the group of the next VPC's VLANs, and a VPC deleted and made again reuses its VLAN id without reading.
func TestCacheLearnsOwnWrites(t *testing.T) {
	e, b := start(t)
	first := vpcWith(t, "vpc-1", `"a":{"subnet":"10.0.1.0/24","vlan":1001}`)
	mustPut(t, b, first, false) // no VLAN group yet: the cache holds none
	if v := findBy(e.Objects("ipam.vlan"), "vid", 1001); v == nil || v["group"] != nil {
		t.Fatalf("vlan without a namespace group: %v", v)
	}
	mustPut(t, b, vlanNS(t), false)
	n := len(e.Requests())
	second := vpcWith(t, "vpc-2", `"a":{"subnet":"10.0.2.0/24","vlan":1002}`)
	if err := b.Preflight(ctx, second.Ref, &second, create); err != nil {
		t.Fatal(err)
	}
	mustPut(t, b, second, false)
	v := findBy(e.Objects("ipam.vlan"), "vid", 1002)
	g := findBy(e.Objects("ipam.vlangroup"), "name", "default")
	if v == nil || g == nil || fmt.Sprint(v["group"].(map[string]any)["id"]) != idOf(g) {
		t.Fatalf("vlan of the second VPC not in the group made meanwhile: %v", v)
	}
	for _, r := range e.Requests()[n:] {
		if r.Method == http.MethodGet {
			t.Errorf("preflight and put of a VPC read NetBox: %s %s", r.Method, r.Path)
		}
	}
	if _, err := b.Delete(ctx, second.Ref, backendtest.Delete); err != nil {
		t.Fatal(err)
	}
	_, after := mustPut(t, b, second, false)
	if after.Digest != b.Digest(second) || len(e.Objects("ipam.vlan")) != 2 {
		t.Fatalf("re-created VPC: %+v, %d VLANs", after, len(e.Objects("ipam.vlan")))
	}
	// What Get reads is what the cache holds from then on: a vid edited by hand is repaired by the next Put.
	c := rawClient(e)
	vid := int32(1777)
	if _, _, err := c.IpamAPI.IpamVlansPartialUpdate(ctx, int32(atoi(t, after.Checkpoint["vlan/a"]))).
		PatchedWritableVLANRequest(nb.PatchedWritableVLANRequest{Vid: &vid}).Execute(); err != nil {
		t.Fatal(err)
	}
	if st, err := b.Get(ctx, second.Ref); err != nil || st.Digest == b.Digest(second) {
		t.Fatalf("drift not seen: %v", err)
	}
	if _, after = mustPut(t, b, second, false); after.Digest != b.Digest(second) {
		t.Error("put after get did not repair the drift")
	}
}

// A VLAN someone makes by hand is refused, whether it existed when the cache was read or was made after:
// then NetBox refuses our VLAN (its group holds the vid), the first write of a new VPC, the cache is read
// again and the Put is refused like any other, with nothing written.
func TestCacheHandMadeStillRefused(t *testing.T) {
	e, b := start(t)
	mustPut(t, b, vlanNS(t), false)
	mustPut(t, b, vpcWith(t, "vpc-1", `"a":{"subnet":"10.0.1.0/24","vlan":1001}`), false) // the cache is read
	gid := int32(atoi(t, idOf(findBy(e.Objects("ipam.vlangroup"), "name", "default"))))
	c := rawClient(e)
	if _, _, err := c.IpamAPI.IpamVlansCreate(ctx).WritableVLANRequest(nb.WritableVLANRequest{Vid: 1002, Name: "by-hand",
		Group: *nb.NewNullablePatchedWritableVLANRequestGroup(ptr(nb.Int32AsPatchedWritableVLANRequestGroup(&gid)))}).Execute(); err != nil {
		t.Fatal(err)
	}
	before := snapshot(e, true)
	obj := vpcWith(t, "vpc-2", `"a":{"subnet":"10.0.2.0/24","vlan":1002}`)
	if err := b.Preflight(ctx, obj.Ref, &obj, create); err != nil {
		t.Fatalf("preflight within the cache's lifetime: %v", err) // it cannot know yet
	}
	if _, _, err := b.Put(ctx, obj, create); !errors.Is(err, backend.ErrNotOwned) || !strings.Contains(err.Error(), "by-hand") {
		t.Fatalf("want the hand-made VLAN refused, got %v", err)
	}
	if got := snapshot(e, true); got != before {
		t.Fatalf("refused Put wrote:\n%s", got)
	}
	// A backend whose cache is read after the hand-made VLAN refuses at the preflight.
	fresh := New(Config{ServerURL: e.URL, APIToken: e.Token})
	if err := fresh.Preflight(ctx, obj.Ref, &obj, create); err != nil {
		t.Fatal(err) // the preflight judges marked records; natural keys are judged by Put before its first write
	}
	if _, _, err := fresh.Put(ctx, obj, create); !errors.Is(err, backend.ErrNotOwned) {
		t.Fatalf("fresh backend: want ErrNotOwned, got %v", err)
	}
	if got := snapshot(e, true); got != before {
		t.Fatal("refused Put wrote")
	}
	// adopt takes it over.
	if _, _, err := b.Put(ctx, obj, backendtest.Adopt); err != nil {
		t.Fatal(err)
	}
	if v := findBy(e.Objects("ipam.vlan"), "vid", 1002); v["custom_fields"].(map[string]any)["hedgehog_object"] != "VPC/default/vpc-2#subnet:a" ||
		len(e.Objects("ipam.vlan")) != 2 {
		t.Errorf("adopted vlan %v", v)
	}
}

// Concurrent sagas' deletes and journal entries go as merged bulk requests; every saga gets its own
// records written and removed and its own journal entry.
func TestBulkMergesConcurrentSagas(t *testing.T) {
	old := bulkLinger
	bulkLinger = 100 * time.Millisecond
	defer func() { bulkLinger = old }()
	e, b := start(t)
	mustPut(t, b, vlanNS(t), false)
	const n = 8
	var objs []backend.Object
	for i := 0; i < n; i++ {
		objs = append(objs, vpcWith(t, fmt.Sprintf("vpc-%d", i),
			fmt.Sprintf(`"a":{"subnet":"10.0.%d.0/24","vlan":%d},"b":{"subnet":"10.1.%d.0/24","vlan":%d}`, i, 1100+i, i, 1200+i)))
	}
	start := len(e.Requests())
	parallel := func(f func(backend.Object) error) {
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i, o := range objs {
			wg.Add(1)
			go func(i int, o backend.Object) {
				defer wg.Done()
				errs[i] = f(o)
			}(i, o)
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("%s: %v", objs[i].Name, err)
			}
		}
	}
	parallel(func(o backend.Object) error {
		_, after, err := b.Put(ctx, o, create)
		if err == nil && (after.Digest != b.Digest(o) || len(after.Checkpoint) != 5) {
			err = fmt.Errorf("after %+v", after)
		}
		return err
	})
	if got := len(e.Objects("extras.journalentry")); got != n+1 {
		t.Errorf("%d journal entries, want %d", got, n+1)
	}
	for _, o := range objs {
		v := findBy(e.Objects("ipam.vrf"), "name", o.Name)
		found := false
		for _, j := range e.Objects("extras.journalentry") {
			if fmt.Sprint(j["assigned_object_id"]) == idOf(v) && strings.Contains(fmt.Sprint(j["comments"]), "VPC default/"+o.Name+"\n") {
				found = true
			}
		}
		if !found {
			t.Errorf("no journal entry on the VRF of %s", o.Name)
		}
	}
	parallel(func(o backend.Object) error { _, err := b.Delete(ctx, o.Ref, backendtest.Delete); return err })
	for _, m := range []string{"ipam.vrf", "ipam.vlan", "ipam.prefix"} {
		if got := len(e.Objects(m)); got != 0 {
			t.Errorf("%d %s left", got, m)
		}
	}
	count := map[string]int{}
	for _, r := range e.Requests()[start:] {
		count[r.Method+" "+strings.Split(r.Path, "?")[0]]++
	}
	if count["POST /api/extras/journal-entries/"] >= n || count["DELETE /api/ipam/vrfs/"] >= n || count["DELETE /api/ipam/prefixes/"] >= n {
		t.Errorf("bulk requests not merged: %v", count)
	}
	if count["POST /api/ipam/vlans/"] > n || count["POST /api/ipam/prefixes/"] > n {
		t.Errorf("want at most one VLAN and one prefix POST per VPC (both subnets' records): %v", count)
	}
	// Alone, one VPC's records of a model still go together.
	k := len(e.Requests())
	mustPut(t, b, objs[0], false)
	count = map[string]int{}
	for _, r := range e.Requests()[k:] {
		count[r.Method+" "+strings.Split(r.Path, "?")[0]]++
	}
	if count["POST /api/ipam/vlans/"] != 1 || count["POST /api/ipam/prefixes/"] != 1 || len(count) != 4 {
		t.Errorf("one VPC with two subnets: %v", count)
	}
}

// A merged bulk request NetBox refuses is sent again per caller: the callers whose items are valid
// succeed, the one whose item is not gets NetBox's answer.
func TestBulkFailureIsPerCaller(t *testing.T) {
	old := bulkLinger
	bulkLinger = 100 * time.Millisecond
	defer func() { bulkLinger = old }()
	e, b := start(t)
	mustPut(t, b, vlanNS(t), false)
	gid := int64(atoi(t, idOf(findBy(e.Objects("ipam.vlangroup"), "name", "default"))))
	entries := len(e.Objects("extras.journalentry"))
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		id := gid
		if i == 1 {
			id = 999999 // no such VLAN group
		}
		done := b.busy()
		wg.Add(1)
		go func(i int, id int64) {
			defer wg.Done()
			defer done()
			req := nb.NewWritableJournalEntryRequest("ipam.vlangroup", id, fmt.Sprintf("entry %d", i))
			_, errs[i] = b.bulk(ctx, http.MethodPost, "/api/extras/journal-entries/", []any{req})
		}(i, id)
	}
	wg.Wait()
	if errs[0] != nil || errs[2] != nil || errs[1] == nil {
		t.Fatalf("errors %v", errs)
	}
	if got := len(e.Objects("extras.journalentry")) - entries; got != 2 {
		t.Errorf("%d entries made, want 2", got)
	}
	e.TakeFailures() // the refused item is an expected 400
}

// Between whole reads the run cache asks NetBox only for what changed since the newest record it holds
// (last_updated__gte): a VRF made by hand shows, a VLAN whose mark someone cleared is no longer taken as ours,
// and a deletion shows at the next whole read (cacheFullTTL).
func TestCacheReadsOnlyChanges(t *testing.T) {
	e, b := start(t)
	ttl, full := cacheTTL, cacheFullTTL
	t.Cleanup(func() { cacheTTL, cacheFullTTL = ttl, full })
	mustPut(t, b, vlanNS(t), false)
	vpc := vpcWith(t, "vpc-1", `"a":{"subnet":"10.0.1.0/24","vlan":1001}`)
	mustPut(t, b, vpc, false)
	parts := func() string {
		t.Helper()
		recs, err := b.cachedMarked(ctx, vpc.Ref)
		if err != nil {
			t.Fatal(err)
		}
		var ps []string
		for _, r := range recs {
			ps = append(ps, r.Model+":"+r.Part)
		}
		return strings.Join(ps, " ")
	}
	if got := parts(); got != "vrf:vrf vlan:subnet:a prefix:subnet:a" {
		t.Fatalf("marked records: %s", got)
	}
	c := rawClient(e)
	if _, _, err := c.IpamAPI.IpamVrfsCreate(ctx).VRFRequest(nb.VRFRequest{Name: "by-hand"}).Execute(); err != nil {
		t.Fatal(err)
	}
	vlanID := int32(atoi(t, idOf(findBy(e.Objects("ipam.vlan"), "vid", 1001))))
	if _, _, err := c.IpamAPI.IpamVlansPartialUpdate(ctx, vlanID).PatchedWritableVLANRequest(nb.PatchedWritableVLANRequest{
		CustomFields: map[string]any{b.cfg.CustomField: nil}}).Execute(); err != nil {
		t.Fatal(err)
	}
	prefixID := int32(atoi(t, idOf(findBy(e.Objects("ipam.prefix"), "prefix", "10.0.1.0/24"))))
	if _, err := c.IpamAPI.IpamPrefixesDestroy(ctx, prefixID).Execute(); err != nil {
		t.Fatal(err)
	}

	cacheTTL = 0 // every lookup reads again, changes only
	n := len(e.Requests())
	if got := parts(); got != "vrf:vrf prefix:subnet:a" {
		t.Errorf("after a changes-only read (the VLAN is unmarked; the deletion shows at the next whole read): %s", got)
	}
	if vrfs, err := b.cachedVRFs(ctx, "by-hand"); err != nil || len(vrfs) != 1 || vrfs[0].Mark != "" {
		t.Errorf("VRF made by hand: %+v %v", vrfs, err)
	}
	reqs := e.Requests()[n:]
	if len(reqs) == 0 {
		t.Fatal("no reads")
	}
	for _, r := range reqs {
		if r.Method != http.MethodGet || !strings.Contains(r.Path, "last_updated__gte=") || strings.Contains(r.Path, "cf_") {
			t.Errorf("not a changes-only read: %s %s", r.Method, r.Path)
		}
	}

	cacheFullTTL = 0 // the next lookup reads whole
	n = len(e.Requests())
	if got := parts(); got != "vrf:vrf" {
		t.Errorf("after a whole read: %s", got)
	}
	for _, r := range e.Requests()[n:] {
		if strings.Contains(r.Path, "last_updated__gte=") {
			t.Errorf("not a whole read: %s", r.Path)
		}
	}
}

// A set larger than backend.CachePace is read whole proportionally less often, so whole reads cost a run a
// bounded number of records per minute however many VPCs it writes; smaller sets keep cacheFullTTL.
func TestWholeReadsScaleWithSetSize(t *testing.T) {
	e, b := start(t)
	mustPut(t, b, vlanNS(t), false)
	vpc := vpcWith(t, "vpc-1", `"a":{"subnet":"10.0.1.0/24","vlan":1001},"b":{"subnet":"10.0.2.0/24","vlan":1002},"c":{"subnet":"10.0.3.0/24","vlan":1003}`)
	mustPut(t, b, vpc, false)
	if _, err := b.cachedMarked(ctx, vpc.Ref); err != nil {
		t.Fatal(err)
	}
	const key = modelVLAN + ":" + kindVPC // the VLANs marked as VPCs'
	set := func() *cachedSet {
		b.idx.mu.Lock()
		defer b.idx.mu.Unlock()
		return b.idx.sets[key]
	}
	big := set()
	if big == nil || len(big.recs) != 3 {
		t.Fatalf("cached set %s: %+v", key, big)
	}
	if got := big.fullEvery(); got != cacheFullTTL {
		t.Fatalf("set of 3 records: whole read every %s, want %s", got, cacheFullTTL)
	}
	// The set as a long run leaves it: 3 × CachePace records (the stand-ins are gone after a whole read).
	b.idx.mu.Lock()
	for i := range 3*backend.CachePace - 3 {
		big.put(record{Model: modelVLAN, ID: int32(1_000_000 + i), Mark: kindVPC + "/default/other-" + strconv.Itoa(i) + "#vlan"})
	}
	b.idx.mu.Unlock()
	if got, want := big.fullEvery(), 3*cacheFullTTL; got != want {
		t.Fatalf("set of %d records: whole read every %s, want %s", 3*backend.CachePace, got, want)
	}
	if got := newSet(modelVRF, nil).fullEvery(); got != cacheFullTTL {
		t.Fatalf("empty set: whole read every %s, want %s", got, cacheFullTTL)
	}
	// wholeAfter reports whether a lookup reads the set whole when its last whole read is age old.
	wholeAfter := func(age time.Duration) bool {
		t.Helper()
		s := set()
		b.idx.mu.Lock()
		s.full, s.at = time.Now().Add(-age), time.Now()
		b.idx.mu.Unlock()
		k := len(e.Requests())
		if _, err := b.cachedMarked(ctx, vpc.Ref); err != nil {
			t.Fatal(err)
		}
		if set() == s {
			return false
		}
		if len(e.Requests()) == k {
			t.Fatal("the set was replaced without a read")
		}
		return true
	}
	if wholeAfter(cacheFullTTL + time.Second) {
		t.Errorf("a set of %d records was read whole after %s; want after %s", 3*backend.CachePace, cacheFullTTL+time.Second, 3*cacheFullTTL)
	}
	if !wholeAfter(3*cacheFullTTL + time.Second) {
		t.Errorf("a set of %d records was not read whole after %s", 3*backend.CachePace, 3*cacheFullTTL+time.Second)
	}
}

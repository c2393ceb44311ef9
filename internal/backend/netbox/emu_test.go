package netbox

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	nb "github.com/netbox-community/go-netbox/v4"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/backendtest"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/guard"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/netboxemu"
)

var ctx = context.Background()

func start(t *testing.T) (*netboxemu.Emulator, *Backend) {
	t.Helper()
	e := netboxemu.Start(t)
	// short retry waits: injected failures are retried (package guard) and the tests need not wait long
	g := guard.New(backend.NetBox, guard.Config{BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond})
	return e, New(Config{ServerURL: e.URL, APIToken: e.Token, Guard: g})
}

// failing is how many times an injected failure of a retried request must repeat to fail the call.
const failing = 1 + guard.DefaultMaxRetries

var models = []string{"ipam.vlangroup", "ipam.vrf", "ipam.vlan", "ipam.prefix"}

// volatile fields differ between a record and its re-created copy.
var volatile = map[string]bool{"id": true, "url": true, "display_url": true, "created": true, "last_updated": true}

func scrub(v any, keepIDs bool) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			if volatile[k] && !(keepIDs && (k == "id" || k == "url")) {
				continue
			}
			out[k] = scrub(val, keepIDs)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = scrub(val, keepIDs)
		}
		return out
	}
	return v
}

// snapshot is every record of the models this backend writes, as NetBox serves them.
func snapshot(e *netboxemu.Emulator, keepIDs bool) string {
	all := map[string]any{}
	for _, m := range models {
		var list []any
		for _, o := range e.Objects(m) {
			list = append(list, scrub(o, keepIDs))
		}
		all[m] = list
	}
	b, _ := json.MarshalIndent(all, "", " ")
	return string(b)
}

func writes(e *netboxemu.Emulator) int {
	n := 0
	for _, r := range e.Requests() {
		if r.Method != "GET" {
			n++
		}
	}
	return n
}

func mustPut(t *testing.T, b *Backend, obj backend.Object, adopt bool) (backend.State, backend.State) {
	t.Helper()
	prior, after, err := b.Put(ctx, obj, backendtest.IntentOf(adopt))
	if err != nil {
		t.Fatalf("put %s: %v", obj.Ref, err)
	}
	return prior, after
}

func vlanNS(t *testing.T) backend.Object {
	return manifest(t, "VLANNamespace", "default", `{"ranges":[{"from":1000,"to":2999}]}`)
}

func vpcWith(t *testing.T, name string, subnets string) backend.Object {
	return manifest(t, "VPC", name, `{"ipv4Namespace":"default","vlanNamespace":"default","subnets":{`+subnets+`}}`)
}

func findBy(objs []map[string]any, key string, val any) map[string]any {
	for _, o := range objs {
		if fmt.Sprint(o[key]) == fmt.Sprint(val) {
			return o
		}
	}
	return nil
}

func tagSlugs(o map[string]any) []string {
	var out []string
	for _, t := range o["tags"].([]any) {
		out = append(out, t.(map[string]any)["slug"].(string))
	}
	sort.Strings(out)
	return out
}

func idOf(o map[string]any) string {
	if o == nil {
		return "<nil>"
	}
	return fmt.Sprint(o["id"])
}

func TestVPCCreateUpdateDelete(t *testing.T) {
	e, b := start(t)
	mustPut(t, b, vlanNS(t), false)
	obj := vpcWith(t, "vpc-1", `"default":{"subnet":"10.0.1.0/24","vlan":1001},"second":{"subnet":"10.0.2.0/24","vlan":1002}`)
	prior, after := mustPut(t, b, obj, false)
	if prior.Exists {
		t.Error("prior of a create exists")
	}
	if !after.Exists || !after.Owned || after.Digest != b.Digest(obj) {
		t.Errorf("after %+v, want digest %s", after, b.Digest(obj))
	}

	vrf := findBy(e.Objects("ipam.vrf"), "name", "vpc-1")
	if vrf == nil || vrf["enforce_unique"] != true || vrf["custom_fields"].(map[string]any)["hedgehog_object"] != "VPC/default/vpc-1#vrf" ||
		!reflect.DeepEqual(tagSlugs(vrf), []string{"hedgehog-terraform"}) {
		t.Fatalf("vrf %v", vrf)
	}
	group := findBy(e.Objects("ipam.vlangroup"), "name", "default")
	vlan := findBy(e.Objects("ipam.vlan"), "name", "vpc-1-default")
	if vlan == nil || fmt.Sprint(vlan["vid"]) != "1001" || idOf(vlan["group"].(map[string]any)) != idOf(group) {
		t.Fatalf("vlan %v (group %v)", vlan, group)
	}
	p := findBy(e.Objects("ipam.prefix"), "prefix", "10.0.1.0/24")
	if p == nil || idOf(p["vrf"].(map[string]any)) != idOf(vrf) || idOf(p["vlan"].(map[string]any)) != idOf(vlan) ||
		p["status"].(map[string]any)["value"] != "active" || p["description"] != "vpc-1/default" {
		t.Fatalf("prefix %v", p)
	}
	want := map[string]string{"vrf": idOf(vrf), "vlan/default": idOf(vlan), "prefix/default": idOf(p)}
	for k, v := range want {
		if after.Checkpoint[k] != v {
			t.Errorf("checkpoint %s = %q, want %q", k, after.Checkpoint[k], v)
		}
	}

	// Idempotent: a second Put writes nothing.
	n := writes(e)
	_, again := mustPut(t, b, obj, false)
	if writes(e) != n || again.Digest != after.Digest {
		t.Errorf("re-put wrote %d requests", writes(e)-n)
	}

	// Update: vid change, subnet "second" removed.
	upd := vpcWith(t, "vpc-1", `"default":{"subnet":"10.0.1.0/24","vlan":1500}`)
	prior, after = mustPut(t, b, upd, false)
	if prior.Digest != b.Digest(obj) || after.Digest != b.Digest(upd) {
		t.Error("update digests")
	}
	if len(e.Objects("ipam.prefix")) != 1 || len(e.Objects("ipam.vlan")) != 1 {
		t.Fatalf("removed subnet left records: %v %v", e.Objects("ipam.prefix"), e.Objects("ipam.vlan"))
	}
	if v := e.Objects("ipam.vlan")[0]; fmt.Sprint(v["vid"]) != "1500" || idOf(v) != idOf(vlan) {
		t.Errorf("vlan not patched in place: %v", v)
	}
	if _, ok := after.Checkpoint["prefix/second"]; ok {
		t.Error("checkpoint keeps removed subnet")
	}

	prior, err := b.Delete(ctx, upd.Ref, backendtest.Delete)
	if err != nil || !prior.Exists {
		t.Fatalf("delete: %v %+v", err, prior)
	}
	if len(e.Objects("ipam.vrf"))+len(e.Objects("ipam.vlan"))+len(e.Objects("ipam.prefix")) != 0 {
		t.Error("delete left records")
	}
	if len(e.Objects("ipam.vlangroup")) != 1 {
		t.Error("deleting the VPC removed the VLAN namespace's group")
	}
	if st, err := b.Get(ctx, upd.Ref); err != nil || st.Exists {
		t.Errorf("get after delete: %+v %v", st, err)
	}
	if _, err := b.Delete(ctx, upd.Ref, backendtest.Delete); err != nil {
		t.Errorf("deleting a missing object: %v", err)
	}
}

func TestNamespacesCreateUpdateDelete(t *testing.T) {
	e, b := start(t)
	ip := manifest(t, "IPv4Namespace", "default", `{"subnets":["10.0.0.0/16"]}`)
	_, after := mustPut(t, b, ip, false)
	p := findBy(e.Objects("ipam.prefix"), "prefix", "10.0.0.0/16")
	if p == nil || p["vrf"] != nil || p["status"].(map[string]any)["value"] != "container" ||
		p["description"] != "hedgehog IPv4Namespace default" || after.Checkpoint["prefix/10.0.0.0/16"] != idOf(p) {
		t.Fatalf("container prefix %v, checkpoint %v", p, after.Checkpoint)
	}
	ip2 := manifest(t, "IPv4Namespace", "default", `{"subnets":["10.1.0.0/16"]}`)
	_, after = mustPut(t, b, ip2, false)
	if len(e.Objects("ipam.prefix")) != 1 || findBy(e.Objects("ipam.prefix"), "prefix", "10.1.0.0/16") == nil || after.Digest != b.Digest(ip2) {
		t.Errorf("ipv4 namespace update: %v", e.Objects("ipam.prefix"))
	}

	vl := vlanNS(t)
	_, after = mustPut(t, b, vl, false)
	g := findBy(e.Objects("ipam.vlangroup"), "slug", "hh-default")
	if g == nil || fmt.Sprint(g["vid_ranges"]) != "[[1000 2999]]" || after.Checkpoint["vlan_group"] != idOf(g) || after.Digest != b.Digest(vl) {
		t.Fatalf("vlan group %v %v", g, after)
	}
	vl2 := manifest(t, "VLANNamespace", "default", `{"ranges":[{"from":100,"to":200},{"from":1000,"to":1999}]}`)
	_, after = mustPut(t, b, vl2, false)
	g = findBy(e.Objects("ipam.vlangroup"), "slug", "hh-default")
	if fmt.Sprint(g["vid_ranges"]) != "[[100 200] [1000 1999]]" || after.Digest != b.Digest(vl2) {
		t.Errorf("vlan group update %v", g)
	}
	for _, ref := range []backend.Ref{ip.Ref, vl.Ref} {
		if _, err := b.Delete(ctx, ref, backendtest.Delete); err != nil {
			t.Fatal(err)
		}
	}
	if len(e.Objects("ipam.prefix"))+len(e.Objects("ipam.vlangroup")) != 0 {
		t.Error("delete left records")
	}
}

func TestRestoreAfterCreateUpdateDelete(t *testing.T) {
	e, b := start(t)
	mustPut(t, b, vlanNS(t), false)
	empty := snapshot(e, true)
	obj := vpcWith(t, "vpc-1", `"a":{"subnet":"10.0.1.0/24","vlan":1001},"b":{"subnet":"10.0.2.0/24","vlan":1002}`)

	prior, _ := mustPut(t, b, obj, false)
	if err := b.Restore(ctx, obj.Ref, prior); err != nil {
		t.Fatal(err)
	}
	if got := snapshot(e, true); got != empty {
		t.Fatalf("restore after create:\n%s\nwant\n%s", got, empty)
	}

	mustPut(t, b, obj, false)
	before := snapshot(e, true)
	upd := vpcWith(t, "vpc-1", `"a":{"subnet":"10.0.1.0/24","vlan":1500},"c":{"subnet":"10.0.3.0/24","vlan":1003}`)
	prior, _ = mustPut(t, b, upd, false)
	if err := b.Restore(ctx, obj.Ref, prior); err != nil {
		t.Fatal(err)
	}
	// Subnet b was deleted and re-created with new ids; compare without ids.
	if got, want := snapshot(e, false), before; got != snapshotNoIDs(t, want) {
		t.Fatalf("restore after update:\n%s\nwant\n%s", got, snapshotNoIDs(t, want))
	}
	if st, _ := b.Get(ctx, obj.Ref); st.Digest != b.Digest(obj) {
		t.Error("restored digest differs")
	}

	before = snapshot(e, false)
	prior, err := b.Delete(ctx, obj.Ref, backendtest.Delete)
	if err != nil {
		t.Fatal(err)
	}
	// Restore data survives a JSON round trip (e.g. through Terraform private state).
	data, _ := json.Marshal(prior.Restore)
	var generic map[string]any
	if err := json.Unmarshal(data, &generic); err != nil {
		t.Fatal(err)
	}
	prior.Restore = generic
	if err := b.Restore(ctx, obj.Ref, prior); err != nil {
		t.Fatal(err)
	}
	if got := snapshot(e, false); got != before {
		t.Fatalf("restore after delete:\n%s\nwant\n%s", got, before)
	}
	st, err := b.Get(ctx, obj.Ref)
	if err != nil || st.Digest != b.Digest(obj) || len(st.Checkpoint) != 5 {
		t.Errorf("get after restore %+v %v", st, err)
	}
}

// snapshotNoIDs re-scrubs a snapshot taken with ids.
func snapshotNoIDs(t *testing.T, s string) string {
	var v map[string]any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	for k, x := range v {
		out[k] = scrub(x, false)
	}
	b, _ := json.MarshalIndent(out, "", " ")
	return string(b)
}

func TestFaultMidPutThenRestore(t *testing.T) {
	e, b := start(t)
	mustPut(t, b, vlanNS(t), false)
	obj := vpcWith(t, "vpc-1", `"a":{"subnet":"10.0.1.0/24","vlan":1001},"b":{"subnet":"10.0.2.0/24","vlan":1002}`)
	mustPut(t, b, obj, false)
	before := snapshot(e, true)

	// Update: vid change (patch), subnet b removed (delete), subnet c added (VLAN created, prefix fails).
	upd := vpcWith(t, "vpc-1", `"a":{"subnet":"10.0.1.0/24","vlan":1500},"c":{"subnet":"10.0.3.0/24","vlan":1003}`)
	e.FailNext("POST", "/api/ipam/prefixes/", 500, 1)
	prior, _, err := b.Put(ctx, upd, backendtest.Update)
	var be *backend.Error
	if !errors.As(err, &be) || be.Backend != "netbox" || be.Op != "put" || be.Ref != upd.Ref || !strings.Contains(err.Error(), "500") {
		t.Fatalf("want *backend.Error for the injected 500, got %v", err)
	}
	if findBy(e.Objects("ipam.vlan"), "vid", 1003) == nil {
		t.Fatal("the fault was not mid-Put: VLAN of subnet c not created")
	}
	if err := b.Restore(ctx, upd.Ref, prior); err != nil {
		t.Fatal(err)
	}
	if got := snapshot(e, false); got != snapshotNoIDs(t, before) {
		t.Fatalf("after restore:\n%s\nwant\n%s", got, snapshotNoIDs(t, before))
	}

	// A failed create restores to nothing.
	mustPut(t, b, obj, false)
	before = snapshot(e, true)
	obj2 := vpcWith(t, "vpc-2", `"a":{"subnet":"10.1.1.0/24","vlan":2001}`)
	e.FailNext("POST", "/api/ipam/prefixes/", 500, 1)
	prior, _, err = b.Put(ctx, obj2, backendtest.Update)
	if err == nil {
		t.Fatal("no error from failed create")
	}
	if err := b.Restore(ctx, obj2.Ref, prior); err != nil {
		t.Fatal(err)
	}
	if got := snapshot(e, true); got != before {
		t.Fatalf("after restore of failed create:\n%s\nwant\n%s", got, before)
	}
}

func rawClient(e *netboxemu.Emulator) *nb.APIClient { return nb.NewAPIClientFor(e.URL, e.Token) }

func TestAdoptVersusNotOwned(t *testing.T) {
	e, b := start(t)
	c := rawClient(e)
	if _, _, err := c.ExtrasAPI.ExtrasTagsCreate(ctx).TagRequest(nb.TagRequest{Name: "human", Slug: "human"}).Execute(); err != nil {
		t.Fatal(err)
	}
	vrf, _, err := c.IpamAPI.IpamVrfsCreate(ctx).VRFRequest(nb.VRFRequest{Name: "vpc-2", Comments: ptr("hand made"),
		Tags: []nb.NestedTagRequest{{Name: "human", Slug: "human"}}}).Execute()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Check(ctx); err != nil { // read-only: the tag and custom field come with the first write
		t.Fatal(err)
	}
	before := snapshot(e, true)
	obj := vpcWith(t, "vpc-2", `"a":{"subnet":"10.1.1.0/24","vlan":2001}`)
	if st, err := b.Get(ctx, obj.Ref); err != nil || !st.Exists || st.Owned {
		t.Errorf("get of a foreign VRF: %+v %v", st, err)
	}
	_, _, err = b.Put(ctx, obj, backendtest.Update)
	if !errors.Is(err, backend.ErrNotOwned) {
		t.Fatalf("want ErrNotOwned, got %v", err)
	}
	if got := snapshot(e, true); got != before {
		t.Fatal("refused Put changed NetBox")
	}
	// The adopting Put makes the tag and custom field first; compare its rollback with NetBox as it is then.
	if err := b.setup(ctx); err != nil {
		t.Fatal(err)
	}
	before = snapshot(e, true)

	prior, after := mustPut(t, b, obj, true)
	if !prior.Exists || prior.Owned {
		t.Errorf("prior of adopt %+v", prior)
	}
	v := findBy(e.Objects("ipam.vrf"), "name", "vpc-2")
	if idOf(v) != fmt.Sprint(vrf.Id) || v["comments"] != "hand made" ||
		!reflect.DeepEqual(tagSlugs(v), []string{"hedgehog-terraform", "human"}) ||
		v["custom_fields"].(map[string]any)["hedgehog_object"] != "VPC/default/vpc-2#vrf" || after.Checkpoint["vrf"] != idOf(v) {
		t.Fatalf("adopted vrf %v", v)
	}
	// Compensating the adopt gives the VRF back exactly as the human left it.
	if err := b.Restore(ctx, obj.Ref, prior); err != nil {
		t.Fatal(err)
	}
	if got := snapshot(e, true); got != before {
		t.Fatalf("after restore of adopt:\n%s\nwant\n%s", got, before)
	}

	// Records of another Hedgehog object are never taken, even with adopt.
	mustPut(t, b, obj, true)
	other := vpcWith(t, "vpc-3", `"a":{"subnet":"10.1.1.0/24","vlan":2001}`)
	other.Name = "vpc-2" // same VRF name, different object
	other.Ref.Namespace = "other"
	if _, _, err := b.Put(ctx, other, backendtest.Adopt); !errors.Is(err, backend.ErrNotOwned) {
		t.Errorf("stealing another object's VRF: %v", err)
	}
}

func TestListGroupsByObject(t *testing.T) {
	e, b := start(t)
	mustPut(t, b, vlanNS(t), false)
	objs := []backend.Object{
		vpcWith(t, "vpc-1", `"a":{"subnet":"10.0.1.0/24","vlan":1001}`),
		vpcWith(t, "vpc-10", `"a":{"subnet":"10.0.10.0/24","vlan":1010},"b":{"subnet":"10.0.11.0/24","vlan":1011}`),
		manifest(t, "IPv4Namespace", "default", `{"subnets":["10.0.0.0/16"]}`),
	}
	for _, o := range objs {
		mustPut(t, b, o, false)
	}
	n := len(e.Requests())
	got, err := b.List(ctx, "VPC")
	if err != nil {
		t.Fatal(err)
	}
	if calls := len(e.Requests()) - n; calls != 4 {
		t.Errorf("List made %d calls, want 4 (tag + one per model)", calls)
	}
	if len(got) != 2 {
		t.Fatalf("list %v", got)
	}
	for _, o := range objs[:2] {
		st := got[o.Name]
		if !st.Exists || st.Digest != b.Digest(o) {
			t.Errorf("%s: %+v", o.Name, st)
		}
	}
	if len(got["vpc-10"].Checkpoint) != 5 || len(got["vpc-1"].Checkpoint) != 3 {
		t.Errorf("checkpoints %v %v", got["vpc-1"].Checkpoint, got["vpc-10"].Checkpoint)
	}
	ns, err := b.List(ctx, "IPv4Namespace")
	if err != nil || len(ns) != 1 || ns["default"].Digest != b.Digest(objs[2]) {
		t.Errorf("ipv4 list %v %v", ns, err)
	}
	fresh := New(Config{ServerURL: e.URL, APIToken: e.Token, Tag: "never-created"})
	if l, err := fresh.List(ctx, "VPC"); err != nil || len(l) != 0 {
		t.Errorf("list without the tag: %v %v", l, err)
	}
}

func TestDriftAndHumanFields(t *testing.T) {
	e, b := start(t)
	mustPut(t, b, vlanNS(t), false)
	obj := vpcWith(t, "vpc-1", `"a":{"subnet":"10.0.1.0/24","vlan":1001}`)
	_, after := mustPut(t, b, obj, false)
	c := rawClient(e)
	var vid int32 = 1777
	vlanID := int32(atoi(t, after.Checkpoint["vlan/a"]))
	if _, _, err := c.IpamAPI.IpamVlansPartialUpdate(ctx, vlanID).PatchedWritableVLANRequest(nb.PatchedWritableVLANRequest{Vid: &vid}).Execute(); err != nil {
		t.Fatal(err)
	}
	vrfID := int32(atoi(t, after.Checkpoint["vrf"]))
	if _, _, err := c.ExtrasAPI.ExtrasTagsCreate(ctx).TagRequest(nb.TagRequest{Name: "human", Slug: "human"}).Execute(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.IpamAPI.IpamVrfsPartialUpdate(ctx, vrfID).PatchedVRFRequest(nb.PatchedVRFRequest{Comments: ptr("note"),
		Tags: []nb.NestedTagRequest{{Name: "human", Slug: "human"}, {Name: "hedgehog-terraform", Slug: "hedgehog-terraform"}}}).Execute(); err != nil {
		t.Fatal(err)
	}
	st, err := b.Get(ctx, obj.Ref)
	if err != nil || st.Digest == b.Digest(obj) {
		t.Fatalf("vid edited in NetBox not seen as drift: %v", err)
	}
	_, after = mustPut(t, b, obj, false)
	if after.Digest != b.Digest(obj) {
		t.Error("put did not repair drift")
	}
	v := findBy(e.Objects("ipam.vrf"), "name", "vpc-1")
	if v["comments"] != "note" || !reflect.DeepEqual(tagSlugs(v), []string{"hedgehog-terraform", "human"}) {
		t.Errorf("human fields lost: %v", v)
	}
}

func atoi(t *testing.T, s string) int {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatalf("id %q: %v", s, err)
	}
	return n
}

func TestErrorCarriesNetBoxBody(t *testing.T) {
	_, b := start(t)
	mustPut(t, b, vlanNS(t), false)
	obj := vpcWith(t, "vpc-1", `"a":{"subnet":"10.0.1.0/24","vlan":3500}`) // outside the group's ranges
	_, _, err := b.Put(ctx, obj, backendtest.Update)
	if err == nil || !strings.Contains(err.Error(), "400") || !strings.Contains(err.Error(), "VID must be in ranges") {
		t.Fatalf("want NetBox's 400 body, got %v", err)
	}
}

func TestCheckAndBearerToken(t *testing.T) {
	e, err := netboxemu.New(netboxemu.Options{Tokens: []string{"nbt_key1.secret"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	b := New(Config{ServerURL: e.URL, APIToken: "nbt_key1.secret"})
	if err := b.Check(ctx); err != nil {
		t.Fatalf("check with a v2 token: %v", err)
	}
	if len(e.Objects("extras.tag")) != 0 || len(e.Objects("extras.customfield")) != 0 {
		t.Error("check wrote to NetBox: a plan must not write")
	}
	// The first write creates them.
	if _, _, err := b.Put(ctx, vpcWith(t, "bearer", `"a":{"subnet":"10.9.1.0/24","vlan":2901}`), backendtest.Update); err != nil {
		t.Fatal(err)
	}
	if len(e.Objects("extras.tag")) != 1 || len(e.Objects("extras.customfield")) != 1 {
		t.Error("the first write did not create tag and custom field")
	}
	cf := e.Objects("extras.customfield")[0]
	if fmt.Sprint(cf["object_types"]) != "[ipam.prefix ipam.vlan ipam.vlangroup ipam.vrf]" && len(cf["object_types"].([]any)) != 4 {
		t.Errorf("custom field object types %v", cf["object_types"])
	}
	bad := New(Config{ServerURL: e.URL, APIToken: "nbt_key1.wrong"})
	if err := bad.Check(ctx); err == nil || !strings.Contains(err.Error(), "API token rejected") {
		t.Errorf("bad token: %v", err)
	}
	site := New(Config{ServerURL: e.URL, APIToken: "nbt_key1.secret", Site: "nowhere"})
	if err := site.Check(ctx); err == nil || !strings.Contains(err.Error(), `site "nowhere"`) {
		t.Errorf("missing site: %v", err)
	}
	down := New(Config{ServerURL: "http://127.0.0.1:1", APIToken: "x"})
	if err := down.Check(ctx); err == nil || !strings.Contains(err.Error(), "/api/status/") {
		t.Errorf("unreachable: %v", err)
	}
	e.CheckNoFailures(t)
}

func TestVLANGroupScopedToSite(t *testing.T) {
	e, _ := start(t)
	c := rawClient(e)
	site, _, err := c.DcimAPI.DcimSitesCreate(ctx).WritableSiteRequest(nb.WritableSiteRequest{Name: "Site One", Slug: "site-1"}).Execute()
	if err != nil {
		t.Fatal(err)
	}
	b := New(Config{ServerURL: e.URL, APIToken: e.Token, Site: "site-1"})
	mustPut(t, b, vlanNS(t), false)
	g := e.Objects("ipam.vlangroup")[0]
	if g["scope_type"] != "dcim.site" || fmt.Sprint(g["scope_id"]) != fmt.Sprint(site.Id) {
		t.Errorf("group scope %v %v", g["scope_type"], g["scope_id"])
	}
}

func TestRerunAfterCrashReusesOwnRecords(t *testing.T) {
	e, b := start(t)
	mustPut(t, b, vlanNS(t), false)
	obj := vpcWith(t, "vpc-1", `"a":{"subnet":"10.0.1.0/24","vlan":1001}`)
	e.FailNext("POST", "/api/ipam/prefixes/", 500, 1)
	if _, _, err := b.Put(ctx, obj, backendtest.Update); err == nil {
		t.Fatal("no error")
	}
	// No compensation (the provider crashed): the re-run must take over the VRF and VLAN it made.
	_, after := mustPut(t, b, obj, false)
	if len(e.Objects("ipam.vrf")) != 1 || len(e.Objects("ipam.vlan")) != 1 || len(e.Objects("ipam.prefix")) != 1 {
		t.Fatalf("duplicates after re-run: %d VRFs, %d VLANs, %d prefixes",
			len(e.Objects("ipam.vrf")), len(e.Objects("ipam.vlan")), len(e.Objects("ipam.prefix")))
	}
	if after.Digest != b.Digest(obj) {
		t.Error("digest after re-run")
	}
}

func TestConcurrentPutsAndPagedList(t *testing.T) {
	e, b := start(t)
	mustPut(t, b, vlanNS(t), false)
	var objs []backend.Object
	for i := 0; i < 8; i++ {
		objs = append(objs, vpcWith(t, fmt.Sprintf("vpc-%d", i),
			fmt.Sprintf(`"a":{"subnet":"10.%d.1.0/24","vlan":%d},"b":{"subnet":"10.%d.2.0/24","vlan":%d}`, i, 1100+i, i, 1200+i)))
	}
	errs := make(chan error, len(objs))
	for _, o := range objs {
		go func(o backend.Object) {
			_, _, err := b.Put(ctx, o, backendtest.Update)
			errs <- err
		}(o)
	}
	for range objs {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if len(e.Objects("extras.tag")) != 1 || len(e.Objects("extras.customfield")) != 1 {
		t.Errorf("setup ran more than once: %d tags, %d custom fields", len(e.Objects("extras.tag")), len(e.Objects("extras.customfield")))
	}
	old := pageSize
	pageSize = 3
	defer func() { pageSize = old }()
	n := len(e.Requests())
	got, err := b.List(ctx, "VPC")
	if err != nil {
		t.Fatal(err)
	}
	// 8 VRFs, 16 VLANs, 16 prefixes in pages of 3: 3+6+6 list calls plus the tag lookup.
	if calls := len(e.Requests()) - n; calls != 16 {
		t.Errorf("paged list made %d calls, want 16", calls)
	}
	if len(got) != len(objs) {
		t.Fatalf("list has %d objects", len(got))
	}
	for _, o := range objs {
		if got[o.Name].Digest != b.Digest(o) || len(got[o.Name].Checkpoint) != 5 {
			t.Errorf("%s: %+v", o.Name, got[o.Name])
		}
	}
}

func TestFailureBeforeWriteRestoresNothing(t *testing.T) {
	e, b := start(t)
	mustPut(t, b, vlanNS(t), false)
	obj := vpcWith(t, "vpc-1", `"a":{"subnet":"10.0.1.0/24","vlan":1001}`)
	mustPut(t, b, obj, false)
	before := snapshot(e, true)
	for _, path := range []string{"/api/ipam/vrfs/", "/api/ipam/vlan-groups/"} {
		b.invalidate() // the reads must reach NetBox, not the run's cache
		e.FailNext("GET", path, 503, failing)
		upd := vpcWith(t, "vpc-1", `"a":{"subnet":"10.0.1.0/24","vlan":1002}`)
		prior, _, err := b.Put(ctx, upd, backendtest.Update)
		if err == nil || !strings.Contains(err.Error(), "503") {
			t.Fatalf("%s: want the 503, got %v", path, err)
		}
		// Compensation must not take the failed read for "nothing existed" and delete the VPC.
		if err := b.Restore(ctx, obj.Ref, prior); err != nil {
			t.Fatal(err)
		}
		if got := snapshot(e, true); got != before {
			t.Fatalf("%s: restore after a failed read changed NetBox:\n%s", path, got)
		}
	}
	e.FailNext("GET", "/api/ipam/prefixes/", 503, failing)
	prior, err := b.Delete(ctx, obj.Ref, backendtest.Delete)
	if err == nil {
		t.Fatal("delete: no error")
	}
	if err := b.Restore(ctx, obj.Ref, prior); err != nil || snapshot(e, true) != before {
		t.Fatalf("restore after failed delete read: %v", err)
	}
}

func TestTLSCustomCAAndInsecure(t *testing.T) {
	e, err := netboxemu.New(netboxemu.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(e)
	t.Cleanup(srv.Close)
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	if err := New(Config{ServerURL: srv.URL, APIToken: e.Token}).Check(ctx); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("untrusted certificate accepted: %v", err)
	}
	if err := New(Config{ServerURL: srv.URL, APIToken: e.Token, CACertPEM: caPEM}).Check(ctx); err != nil {
		t.Errorf("custom CA: %v", err)
	}
	if err := New(Config{ServerURL: srv.URL, APIToken: e.Token, Insecure: true}).Check(ctx); err != nil {
		t.Errorf("insecure: %v", err)
	}
	e.CheckNoFailures(t)
}

func TestUngroupedVLANUntilNamespaceExists(t *testing.T) {
	e, b := start(t)
	obj := vpcWith(t, "vpc-1", `"a":{"subnet":"10.0.1.0/24","vlan":1001}`)
	_, after := mustPut(t, b, obj, false)
	if v := e.Objects("ipam.vlan")[0]; v["group"] != nil {
		t.Fatalf("VLAN grouped without a VLAN group: %v", v["group"])
	}
	if after.Digest != b.Digest(obj) {
		t.Error("ungrouped VLAN while no group exists must be in sync")
	}
	mustPut(t, b, vlanNS(t), false)
	st, err := b.Get(ctx, obj.Ref)
	if err != nil || st.Digest == b.Digest(obj) {
		t.Fatalf("VLAN outside the now existing group is not drift: %v", err)
	}
	if l, _ := b.List(ctx, "VPC"); l["vpc-1"].Digest != st.Digest {
		t.Error("List and Get disagree")
	}
	_, after = mustPut(t, b, obj, false)
	g := findBy(e.Objects("ipam.vlangroup"), "slug", "hh-default")
	if v := e.Objects("ipam.vlan")[0]; v["group"] == nil || idOf(v["group"].(map[string]any)) != idOf(g) || after.Digest != b.Digest(obj) {
		t.Errorf("VLAN not moved into the group: %v", v["group"])
	}
}

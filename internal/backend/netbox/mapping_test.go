package netbox

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
)

// manifest decodes a JSON spec the way objects arrive from the engine (numbers as float64).
func manifest(t *testing.T, kind, name, spec string) backend.Object {
	t.Helper()
	var s map[string]any
	if err := json.Unmarshal([]byte(spec), &s); err != nil {
		t.Fatal(err)
	}
	return backend.Object{
		Ref:        backend.Ref{Kind: kind, Namespace: "default", Name: name},
		APIVersion: "vpc.githedgehog.com/v1beta1",
		Manifest: map[string]any{"apiVersion": "vpc.githedgehog.com/v1beta1", "kind": kind,
			"metadata": map[string]any{"name": name, "namespace": "default"}, "spec": s},
	}
}

func vpc1(t *testing.T) backend.Object {
	return manifest(t, "VPC", "vpc-1", `{"ipv4Namespace":"default","vlanNamespace":"default","subnets":{
		"default":{"subnet":"10.0.1.0/24","gateway":"10.0.1.1","vlan":1001,"dhcp":{"enable":true}},
		"bgp":{"subnet":"10.0.2.0/24","hostBGP":true}}}`)
}

func TestDesiredRecordsVPC(t *testing.T) {
	d := desiredRecords(vpc1(t))
	if d.VLANNamespace != "default" {
		t.Fatalf("vlan namespace %q", d.VLANNamespace)
	}
	got := map[string]record{}
	for _, r := range d.Records {
		got[r.key()] = r
	}
	if len(got) != 4 {
		t.Fatalf("want vrf, 2 prefixes, 1 VLAN; got %v", got)
	}
	vrf := got["vrf/vrf"]
	if vrf.Name != "vpc-1" || !vrf.EnforceUnique || vrf.Mark != "VPC/default/vpc-1#vrf" {
		t.Errorf("vrf %+v", vrf)
	}
	p := got["prefix/subnet:default"]
	if p.Prefix != "10.0.1.0/24" || p.Status != "active" || p.Description != "vpc-1/default" ||
		p.VRFPart != "vrf" || p.VLANPart != "subnet:default" || p.Mark != "VPC/default/vpc-1#subnet:default" {
		t.Errorf("prefix %+v", p)
	}
	v := got["vlan/subnet:default"]
	if v.VID != 1001 || v.Name != "vpc-1-default" || v.GroupName != "default" {
		t.Errorf("vlan %+v", v)
	}
	if _, ok := got["vlan/subnet:bgp"]; ok {
		t.Error("hostBGP subnet without a VLAN must not map to a VLAN")
	}
	if got["prefix/subnet:bgp"].VLANPart != "" {
		t.Error("hostBGP prefix must not reference a VLAN")
	}
}

func TestDesiredRecordsNamespaces(t *testing.T) {
	ipns := manifest(t, "IPv4Namespace", "default", `{"subnets":["10.0.0.0/16","10.1.0.5/16"]}`)
	d := desiredRecords(ipns)
	if len(d.Records) != 2 || d.Records[1].Prefix != "10.1.0.0/16" || d.Records[0].Status != "container" ||
		d.Records[0].Description != "hedgehog IPv4Namespace default" || d.Records[0].VRF != 0 ||
		d.Records[0].Mark != "IPv4Namespace/default/default#prefix:10.0.0.0/16" {
		t.Fatalf("ipv4 namespace records %+v", d.Records)
	}
	vlns := manifest(t, "VLANNamespace", "default", `{"ranges":[{"from":2000,"to":2999},{"from":1000,"to":1999}]}`)
	d = desiredRecords(vlns)
	if len(d.Records) != 1 {
		t.Fatalf("%+v", d.Records)
	}
	g := d.Records[0]
	if g.Name != "default" || g.Slug != "hh-default" || len(g.VIDRanges) != 2 || g.VIDRanges[0] != [2]int32{1000, 1999} {
		t.Errorf("vlan group %+v", g)
	}
}

// readBack simulates what NetBox returns for the desired records (ids, group resolved or not).
func readBack(d desired, group int32) []record {
	var out []record
	for i, r := range d.Records {
		r.ID = int32(i + 1)
		if r.Model == modelVLAN {
			r.Group = group
			if group == 0 {
				r.GroupName = ""
			}
		}
		if r.Model == modelPrefix {
			r.Prefix = canonicalCIDR(r.Prefix)
		}
		out = append(out, r)
	}
	return out
}

func TestDigestSameFromDesiredAndRecords(t *testing.T) {
	b := New(Config{})
	objs := []backend.Object{
		vpc1(t),
		manifest(t, "IPv4Namespace", "default", `{"subnets":["10.0.0.0/16","10.1.0.0/16"]}`),
		manifest(t, "VLANNamespace", "default", `{"ranges":[{"from":1000,"to":2999}]}`),
	}
	for _, obj := range objs {
		d := desiredRecords(obj)
		for _, group := range []int32{0, 7} {
			got := backend.HashJSON(projectRecords(obj.Kind, readBack(d, group)))
			if got != b.Digest(obj) {
				t.Errorf("%s (group %d): digest of records %s != desired %s", obj.Kind, group, got, b.Digest(obj))
			}
		}
	}
}

func TestDigestDetectsDrift(t *testing.T) {
	b := New(Config{})
	obj := vpc1(t)
	want := b.Digest(obj)
	edits := map[string]func(r *record){
		"vid":       func(r *record) { r.VID = 1002 },
		"group":     func(r *record) { r.Group, r.GroupName = 9, "other" },
		"cidr":      func(r *record) { r.Prefix = "10.9.0.0/24" },
		"vrf name":  func(r *record) { r.Name = "renamed" },
		"dropped":   nil,
		"noop-desc": func(r *record) { r.Status = "deprecated" },
	}
	for name, edit := range edits {
		recs := readBack(desiredRecords(obj), 7)
		for i := range recs {
			switch {
			case name == "vid" && recs[i].Model == modelVLAN, name == "group" && recs[i].Model == modelVLAN,
				name == "cidr" && recs[i].key() == "prefix/subnet:default", name == "vrf name" && recs[i].Model == modelVRF,
				name == "noop-desc" && recs[i].Model == modelPrefix:
				edit(&recs[i])
			}
		}
		if name == "dropped" {
			recs = recs[:len(recs)-1]
		}
		got := backend.HashJSON(projectRecords(kindVPC, recs))
		if name == "noop-desc" {
			if got != want {
				t.Errorf("status is not part of the VPC projection, digest changed")
			}
			continue
		}
		if got == want {
			t.Errorf("%s: drift not detected", name)
		}
	}
	changed := vpc1(t)
	changed.Manifest["spec"].(map[string]any)["subnets"].(map[string]any)["default"].(map[string]any)["vlan"] = 1005.0
	if b.Digest(changed) == want {
		t.Error("desired vid change does not change the digest")
	}
}

func TestCheckpointAndDescribe(t *testing.T) {
	obj := vpc1(t)
	cp := checkpointOf(readBack(desiredRecords(obj), 0))
	want := map[string]string{"vrf": "1", "prefix/bgp": "2", "vlan/default": "3", "prefix/default": "4"}
	for k, v := range want {
		if cp[k] != v {
			t.Errorf("checkpoint %s = %q, want %q (all: %v)", k, cp[k], v, cp)
		}
	}
	if len(cp) != len(want) {
		t.Errorf("checkpoint %v", cp)
	}
	ip := manifest(t, "IPv4Namespace", "n", `{"subnets":["10.0.0.0/16"]}`)
	if cp := checkpointOf(readBack(desiredRecords(ip), 0)); cp["prefix/10.0.0.0/16"] != "1" {
		t.Errorf("ipv4 checkpoint %v", cp)
	}
	vl := manifest(t, "VLANNamespace", "n", `{"ranges":[{"from":1,"to":10}]}`)
	if cp := checkpointOf(readBack(desiredRecords(vl), 0)); cp["vlan_group"] != "1" {
		t.Errorf("vlan group checkpoint %v", cp)
	}
	// Where the records go, not their content (the plan's typed attributes show the content).
	b := New(Config{})
	desc := b.Describe(obj)
	if want := "VRF vpc-1; 2 prefix(es) in VRF vpc-1, one per subnet; 1 VLAN(s) named vpc-1-<subnet>, in VLAN group default if present"; desc != want {
		t.Errorf("describe %q, want %q", desc, want)
	}
	for _, s := range []string{"10.0.1.0/24", "1001"} {
		if strings.Contains(desc, s) {
			t.Errorf("describe %q repeats the content %q", desc, s)
		}
	}
	// Predict gives the checkpoint's keys (ids unknown before the write): the same keys a write records.
	pred := b.Predict(obj)
	if len(pred) != len(want) {
		t.Errorf("predicted keys %v, want the keys of %v", pred, want)
	}
	for k := range want {
		if v, ok := pred[k]; !ok || v != "" {
			t.Errorf("predicted %v lacks key %s (with an empty id)", pred, k)
		}
	}
}

func TestMarksAndAuth(t *testing.T) {
	ref, part, ok := refOfMark("VPC/default/vpc-1#subnet:default")
	if !ok || ref != (backend.Ref{Kind: "VPC", Namespace: "default", Name: "vpc-1"}) || part != "subnet:default" {
		t.Errorf("refOfMark: %v %q %v", ref, part, ok)
	}
	if _, _, ok := refOfMark("something else"); ok {
		t.Error("free text parsed as a mark")
	}
	if got := authHeader("nbt_abc.def"); got != "Bearer nbt_abc.def" {
		t.Errorf("v2 token header %q", got)
	}
	if got := authHeader("0123abcd"); got != "Token 0123abcd" {
		t.Errorf("classic token header %q", got)
	}
}

func TestDecodeRanges(t *testing.T) {
	for _, in := range []string{`[[1,10],[20,30]]`, `[[[1,10]],[[20,30]]]`} {
		got, err := decodeRanges(json.RawMessage(in))
		if err != nil || len(got) != 2 || got[0] != [2]int32{1, 10} || got[1] != [2]int32{20, 30} {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	if _, err := decodeRanges(json.RawMessage(`"x"`)); err == nil {
		t.Error("garbage accepted")
	}
}

func TestDiffOnlyManagedFieldsAndKeepsForeignTags(t *testing.T) {
	b := New(Config{})
	cur := record{Model: modelVLAN, ID: 3, VID: 1001, Name: "vpc-1-default", Description: "d",
		Tags: []tagRef{{Name: "Human", Slug: "human"}}}
	want := cur
	want.VID = 1002
	want.Mark = "VPC/default/vpc-1#subnet:default"
	want.Tags = b.withOurTag(cur.Tags)
	ch := diff(cur, want)
	if len(ch.Fields) != 1 || ch.Fields[0] != "vid" || !ch.Tags || !ch.Mark {
		t.Errorf("diff %+v", ch)
	}
	if len(want.Tags) != 2 || want.Tags[0].Slug != "human" || want.Tags[1].Slug != "hedgehog-terraform" {
		t.Errorf("tags %+v", want.Tags)
	}
	if !diff(want, want).empty() {
		t.Error("no-op diff not empty")
	}
}

func TestNewIsLazyAndHandles(t *testing.T) {
	b := New(Config{ServerURL: "http://127.0.0.1:1"})
	if b.client != nil {
		t.Fatal("client built by New")
	}
	for kind, want := range map[string]bool{"VPC": true, "IPv4Namespace": true, "VLANNamespace": true, "Switch": false} {
		if b.Handles(kind) != want {
			t.Errorf("Handles(%s) = %v", kind, !want)
		}
	}
	if b.cfg.Tag != "hedgehog-terraform" || b.cfg.CustomField != "hedgehog_object" {
		t.Errorf("defaults %+v", b.cfg)
	}
	_, err := b.Get(context.Background(), backend.Ref{Kind: "VPC", Namespace: "default", Name: "x"})
	var be *backend.Error
	if !errors.As(err, &be) || be.Backend != "netbox" || be.Op != "get" {
		t.Errorf("unreachable server: want *backend.Error, got %v", err)
	}
	if b.client == nil {
		t.Error("client not built on first use")
	}
	bad := New(Config{ServerURL: "https://x", CACertPEM: "not a pem"})
	if err := bad.Check(context.Background()); err == nil || !strings.Contains(err.Error(), "CA certificate") {
		t.Errorf("bad CA: %v", err)
	}
}

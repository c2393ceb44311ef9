package netbox

import (
	"fmt"
	"strings"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/backendtest"
)

// journalOf returns the comments of the NetBox journal entries on one record, oldest first.
func journalOf(e interface {
	Objects(string) []map[string]any
}, objectType string, id any) []string {
	var out []string
	for _, j := range e.Objects("extras.journalentry") {
		if j["assigned_object_type"] == objectType && fmt.Sprint(j["assigned_object_id"]) == fmt.Sprint(id) {
			out = append(out, fmt.Sprint(j["kind"].(map[string]any)["value"])+"|"+j["comments"].(string))
		}
	}
	return out
}

func TestAuditJournalEntries(t *testing.T) {
	e, b := start(t)
	audit := func(op, resource string) backend.Intent {
		in := backendtest.Update
		in.Audit = backend.Audit{Owner: backend.DefaultOwner, Resource: resource, Op: op, RunID: "run-7", Workspace: "org/fabric", VCSCommit: "abc123"}
		return in
	}
	if _, _, err := b.Put(ctx, vlanNS(t), audit("create", "hedgehog_vlannamespace default")); err != nil {
		t.Fatal(err)
	}
	obj := vpcWith(t, "vpc-1", `"default":{"subnet":"10.0.1.0/24","vlan":1001}`)
	if _, _, err := b.Put(ctx, obj, audit("create", "hedgehog_vpc vpc-1")); err != nil {
		t.Fatal(err)
	}
	vrf := findBy(e.Objects("ipam.vrf"), "name", "vpc-1")
	js := journalOf(e, "ipam.vrf", vrf["id"])
	want := "info|terraform-provider-hedgehog: create VPC default/vpc-1\n\nHedgehog-Owner: default\nHedgehog-Resource: hedgehog_vpc vpc-1\n" +
		"Hedgehog-Operation: create\nHedgehog-Run-Id: run-7\nHedgehog-Workspace: org/fabric\nHedgehog-VCS-Commit: abc123\n" +
		"Hedgehog-Git-Commit: " + NoGitCommitYet
	if len(js) != 1 || js[0] != want {
		t.Fatalf("VRF journal = %q\nwant %q", js, want)
	}
	group := findBy(e.Objects("ipam.vlangroup"), "name", "default")
	if js := journalOf(e, "ipam.vlangroup", group["id"]); len(js) != 1 || !strings.Contains(js[0], "Hedgehog-Resource: hedgehog_vlannamespace default") {
		t.Errorf("VLAN group journal = %q", js)
	}
	// A re-run that changes nothing writes nothing, not even a journal entry.
	if _, _, err := b.Put(ctx, obj, audit("update", "hedgehog_vpc vpc-1")); err != nil {
		t.Fatal(err)
	}
	if js := journalOf(e, "ipam.vrf", vrf["id"]); len(js) != 1 {
		t.Errorf("a no-op update added a journal entry: %q", js)
	}
	// An update records its own entry; a known Git commit (a recovery after Git) is named.
	in := audit("update", "hedgehog_vpc vpc-1")
	in.Audit.GitCommit = "0123456789abcdef0123456789abcdef01234567"
	if _, _, err := b.Put(ctx, vpcWith(t, "vpc-1", `"default":{"subnet":"10.0.9.0/24","vlan":1001}`), in); err != nil {
		t.Fatal(err)
	}
	js = journalOf(e, "ipam.vrf", vrf["id"])
	found := false
	for _, j := range js {
		found = found || strings.Contains(j, "Hedgehog-Operation: update\n") && strings.Contains(j, "Hedgehog-Git-Commit: 0123456789abcdef")
	}
	if len(js) != 2 || !found {
		t.Errorf("after update: %q", js)
	}
	// IPv4Namespace: the first container prefix.
	ns := manifest(t, "IPv4Namespace", "pool", `{"subnets":["10.10.0.0/16","10.20.0.0/16"]}`)
	if _, _, err := b.Put(ctx, ns, audit("create", "hedgehog_ipv4namespace pool")); err != nil {
		t.Fatal(err)
	}
	p := findBy(e.Objects("ipam.prefix"), "prefix", "10.10.0.0/16")
	if js := journalOf(e, "ipam.prefix", p["id"]); len(js) != 1 || !strings.Contains(js[0], "hedgehog_ipv4namespace pool") {
		t.Errorf("prefix journal = %q", js)
	}
	e.CheckNoFailures(t)
}

// TestAuditJournalFailureRollsBack: when the journal entry cannot be written, Put fails and the saga's
// compensation (Restore of the returned prior) leaves nothing behind.
func TestAuditJournalFailureRollsBack(t *testing.T) {
	e, b := start(t)
	mustPut(t, b, vlanNS(t), false)
	before := snapshot(e, true)
	e.FailNext("POST", "/api/extras/journal-entries/", 403, 1)
	in := backendtest.Update
	in.Audit = backend.Audit{Owner: backend.DefaultOwner, Resource: "hedgehog_vpc vpc-2", Op: "create"}
	prior, _, err := b.Put(ctx, vpcWith(t, "vpc-2", `"default":{"subnet":"10.0.2.0/24","vlan":1002}`), in)
	if err == nil || !strings.Contains(err.Error(), "journal entry") {
		t.Fatalf("want a journal entry error, got %v", err)
	}
	if err := b.Restore(ctx, backend.Ref{Kind: "VPC", Namespace: "default", Name: "vpc-2"}, prior); err != nil {
		t.Fatal(err)
	}
	if after := snapshot(e, true); after != before {
		t.Errorf("records left behind:\n%s\nwant\n%s", after, before)
	}
	_ = e.TakeFailures()
}

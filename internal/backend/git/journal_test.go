package git

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/backendtest"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/gitserver"
)

func TestJournal(t *testing.T) {
	transports(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		// The GitOps branch has one object; the journal must never touch it.
		if _, _, err := f.b.Put(ctx, vpc("keep", "10.0.0.0/24", true), backendtest.Update); err != nil {
			t.Fatal(err)
		}
		mainHead, _ := gitserver.Head(f.dir, "main")
		j := f.b.Journal()
		if w := j.Where(); !strings.Contains(w, JournalBranch) {
			t.Errorf("Where = %q", w)
		}
		if got := backendtest.PendingNames(t, j, "team-a"); len(got) != 0 {
			t.Fatalf("pending before any entry (no journal branch yet): %v", got)
		}
		a1, a2, b1 := backendtest.Entry("team-a", "web", "create"), backendtest.Entry("team-a", "db", "update"), backendtest.Entry("team b/prod", "web", "delete")
		for _, e := range []backend.JournalEntry{a1, a2, b1} {
			if err := j.Open(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		want := []string{"web:create", "db:update"}
		if a1.ID > a2.ID {
			want = []string{"db:update", "web:create"}
		}
		if got := fmt.Sprint(backendtest.PendingNames(t, j, "team-a")); got != fmt.Sprint(want) {
			t.Errorf("team-a pending = %s, want %v", got, want)
		}
		if got := fmt.Sprint(backendtest.PendingNames(t, j, "team b/prod")); got != "[web:delete]" {
			t.Errorf("team b pending = %s", got)
		}
		// One file per entry under the owner key, on the journal branch; a fresh backend reads the same.
		files, err := gitserver.ListFiles(f.dir, JournalBranch, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(files) != 3 || !contains(files, backend.OwnerKey("team-a")+"/"+a1.ID+".json") {
			t.Errorf("journal files = %v", files)
		}
		if got := backendtest.PendingNames(t, f.newBack().Journal(), "team-a"); len(got) != 2 {
			t.Errorf("fresh backend pending = %v", got)
		}
		msg := logOf2(t, f.dir, JournalBranch)[0]
		if !strings.HasPrefix(msg, "journal: open delete of VPC default/web\n\n") || !strings.Contains(msg, "Hedgehog-Owner: team b/prod\n") || !strings.Contains(msg, "Hedgehog-Run-Id: run-1") {
			t.Errorf("journal commit message %q", msg)
		}
		// A re-open replaces the entry.
		a1.Op, a1.Note = "update", "compensation failed"
		if err := j.Open(ctx, a1); err != nil {
			t.Fatal(err)
		}
		es, _ := j.Pending(ctx, "team-a")
		for _, e := range es {
			if e.ID == a1.ID && (e.Op != "update" || e.Note != "compensation failed" || e.Desired["spec"] == nil) {
				t.Errorf("re-opened entry = %+v", e)
			}
		}
		if len(es) != 2 {
			t.Errorf("after re-open: %d entries", len(es))
		}
		// Close removes only that entry; closing again makes no commit.
		if err := j.Close(ctx, a1); err != nil {
			t.Fatal(err)
		}
		n := len(logOf2(t, f.dir, JournalBranch))
		if err := j.Close(ctx, a1); err != nil {
			t.Fatal(err)
		}
		if m := len(logOf2(t, f.dir, JournalBranch)); m != n {
			t.Errorf("closing a closed entry made a commit (%d → %d)", n, m)
		}
		if got := fmt.Sprint(backendtest.PendingNames(t, j, "team-a")); got != "[db:update]" {
			t.Errorf("after close: %s", got)
		}
		if got := fmt.Sprint(backendtest.PendingNames(t, j, "team b/prod")); got != "[web:delete]" {
			t.Errorf("other owner after close: %s", got)
		}
		if h, _ := gitserver.Head(f.dir, "main"); h != mainHead {
			t.Errorf("the journal moved the GitOps branch: %s → %s", mainHead, h)
		}
	})
}

func logOf2(t *testing.T, dir, branch string) []string {
	t.Helper()
	l, err := gitserver.Log(dir, branch)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range l {
		out = append(out, c.Message)
	}
	return out
}

func TestJournalConcurrentOpens(t *testing.T) {
	f := newHTTP(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			b := f.b
			if i%2 == 1 { // half through other Backend instances of the same repository
				b = f.newBack()
			}
			errs <- b.Journal().Open(ctx, backendtest.Entry("team-c", fmt.Sprintf("vpc-%d", i), "create"))
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := backendtest.PendingNames(t, f.b.Journal(), "team-c"); len(got) != 10 {
		t.Errorf("pending after 10 concurrent opens: %d %v", len(got), got)
	}
}

func TestJournalRefusesGitOpsBranch(t *testing.T) {
	f := newFile(t)
	b := New(Config{URL: f.url, Branch: JournalBranch})
	if err := b.Journal().Open(context.Background(), backendtest.Entry("x", "web", "create")); err == nil {
		t.Fatal("a journal on the GitOps branch was accepted")
	}
}

func TestJournalUndecodableEntry(t *testing.T) {
	f := newFile(t)
	if _, err := gitserver.CommitFile(f.dir, JournalBranch, backend.OwnerKey("team-d")+"/broken.json", []byte("{not json"), "hand edit"); err != nil {
		t.Fatal(err)
	}
	_, err := f.b.Journal().Pending(context.Background(), "team-d")
	if err == nil || !strings.Contains(err.Error(), "broken.json") {
		t.Fatalf("want an error naming the file, got %v", err)
	}
}

func ownedBy(o backend.Object, owner string) backend.Object {
	md := o.Manifest["metadata"].(map[string]any)
	md["annotations"].(map[string]any)[backend.OwnerIDAnnotation] = owner
	return o
}

func TestAuditTrailers(t *testing.T) {
	f := newFile(t)
	ctx := context.Background()
	in := backend.Intent{Op: backend.OpCreate, Owner: "team-a", Audit: backend.Audit{Owner: "team-a",
		Resource: "hedgehog_vpc web", Op: "create", RunID: "run-abc", Workspace: "org/net", VCSCommit: "0123abcd"}}
	if _, _, err := f.b.Put(ctx, ownedBy(vpc("web", "10.0.0.0/24", true), "team-a"), in); err != nil {
		t.Fatal(err)
	}
	msg := logOf(t, f.dir)[0].Message
	want := "create VPC default/web\n\nHedgehog-Owner: team-a\nHedgehog-Resource: hedgehog_vpc web\nHedgehog-Operation: create\n" +
		"Hedgehog-Run-Id: run-abc\nHedgehog-Workspace: org/net\nHedgehog-VCS-Commit: 0123abcd"
	if msg != want {
		t.Fatalf("message\n%q\nwant\n%q", msg, want)
	}
	// git itself parses them as trailers.
	if tr := gitOut(t, f.dir, "log", "-1", "--format=%(trailers:key=Hedgehog-Resource,valueonly)", "main"); tr != "hedgehog_vpc web" {
		t.Errorf("git trailers: %q", tr)
	}
	// An update without Terraform Cloud leaves those trailers out; its rollback carries the audit too.
	in2 := backend.Intent{Op: backend.OpUpdate, Owner: "team-a", Audit: backend.Audit{Owner: "team-a", Resource: "hedgehog_vpc web", Op: "update"}}
	prior, _, err := f.b.Put(ctx, ownedBy(vpc("web", "10.0.1.0/24", true), "team-a"), in2)
	if err != nil {
		t.Fatal(err)
	}
	if msg := logOf(t, f.dir)[0].Message; msg != "update VPC default/web\n\nHedgehog-Owner: team-a\nHedgehog-Resource: hedgehog_vpc web\nHedgehog-Operation: update" {
		t.Errorf("update message %q", msg)
	}
	if err := f.b.Restore(ctx, vpc("web", "", true).Ref, prior); err != nil {
		t.Fatal(err)
	}
	if msg := logOf(t, f.dir)[0].Message; msg != "rollback VPC default/web\n\nHedgehog-Owner: team-a\nHedgehog-Resource: hedgehog_vpc web\nHedgehog-Operation: rollback" {
		t.Errorf("rollback message %q", msg)
	}
	del := backend.Intent{Op: backend.OpDelete, Owner: "team-a", Audit: backend.Audit{Owner: "team-a", Resource: "hedgehog_vpc web", Op: "delete", RunID: "run-del"}}
	if _, err := f.b.Delete(ctx, vpc("web", "", true).Ref, del); err != nil {
		t.Fatal(err)
	}
	if msg := logOf(t, f.dir)[0].Message; !strings.HasSuffix(msg, "Hedgehog-Operation: delete\nHedgehog-Run-Id: run-del") {
		t.Errorf("delete message %q", msg)
	}
}

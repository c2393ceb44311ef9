package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/transport"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/backendtest"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/guard"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/gitserver"
)

// fixture is one remote repository and a backend pointed at it.
type fixture struct {
	b       *Backend
	dir     string // bare repository on disk
	url     string
	srv     *gitserver.Server
	newBack func() *Backend
}

var repoSeq atomic.Int64

func newHTTP(t *testing.T) *fixture {
	t.Helper()
	srv, err := gitserver.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	name := fmt.Sprintf("fab%d", repoSeq.Add(1))
	u, err := srv.NewRepo(name)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{dir: srv.RepoDir(name), url: u, srv: srv}
	f.newBack = func() *Backend { return New(Config{URL: u, Username: srv.Username, Password: srv.Password}) }
	f.b = f.newBack()
	return f
}

func newFile(t *testing.T) *fixture {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "fab.git")
	u, err := gitserver.NewFileRepo(dir)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{dir: dir, url: u}
	f.newBack = func() *Backend { return New(Config{URL: u}) }
	f.b = f.newBack()
	return f
}

func transports(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Run("http", func(t *testing.T) { fn(t, newHTTP(t)) })
	t.Run("file", func(t *testing.T) { fn(t, newFile(t)) })
}

func vpc(name, subnet string, owned bool) backend.Object {
	return fabricObject("VPC", "default", name, subnet, owned)
}

func fabricObject(kind, ns, name, subnet string, owned bool) backend.Object {
	md := map[string]any{"name": name, "namespace": ns, "labels": map[string]any{"fabric.githedgehog.com/test": "yes"}}
	if owned {
		md["annotations"] = map[string]any{backend.OwnerAnnotation: backend.OwnerValue}
	}
	return backend.Object{
		Ref:        backend.Ref{Kind: kind, Namespace: ns, Name: name},
		APIVersion: "vpc.githedgehog.com/v1beta1",
		Manifest: map[string]any{
			"apiVersion": "vpc.githedgehog.com/v1beta1",
			"kind":       kind,
			"metadata":   md,
			"spec":       map[string]any{"subnets": map[string]any{"default": map[string]any{"subnet": subnet, "vlan": 1001}}},
		},
	}
}

func mustYAML(t *testing.T, obj backend.Object) []byte {
	t.Helper()
	b, err := backend.YAML(obj)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func logOf(t *testing.T, dir string) []gitserver.Commit {
	t.Helper()
	l, err := gitserver.Log(dir, "main")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func readRemote(t *testing.T, dir, path string) ([]byte, bool) {
	t.Helper()
	b, ok, err := gitserver.ReadFile(dir, "main", path)
	if err != nil {
		t.Fatal(err)
	}
	return b, ok
}

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"--git-dir", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v: %s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestPutGetListUpdateDelete(t *testing.T) {
	transports(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		b := f.b
		if err := b.Check(ctx); err != nil {
			t.Fatalf("Check: %v", err)
		}
		v1 := vpc("vpc-1", "10.0.1.0/24", true)
		if st, err := b.Get(ctx, v1.Ref); err != nil || st.Exists {
			t.Fatalf("Get before create: %+v %v", st, err)
		}

		prior, after, err := b.Put(ctx, v1, backendtest.Update)
		if err != nil {
			t.Fatal(err)
		}
		want := mustYAML(t, v1)
		got, ok := readRemote(t, f.dir, "fabric/vpc/vpc-1.yaml")
		if !ok || !bytes.Equal(got, want) {
			t.Fatalf("remote file %q, want %q", got, want)
		}
		log := logOf(t, f.dir)
		if len(log) != 2 || log[0].Message != "create VPC default/vpc-1" {
			t.Fatalf("log %+v", log)
		}
		if prior.Exists || !after.Exists || !after.Owned {
			t.Fatalf("prior %+v after %+v", prior, after)
		}
		if after.Checkpoint["path"] != "fabric/vpc/vpc-1.yaml" || after.Checkpoint["commit"] != log[0].Hash ||
			after.Checkpoint["blob"] != gitOut(t, f.dir, "rev-parse", "main:fabric/vpc/vpc-1.yaml") {
			t.Fatalf("checkpoint %v", after.Checkpoint)
		}
		if prior.Checkpoint["commit"] != log[1].Hash {
			t.Fatalf("prior checkpoint %v", prior.Checkpoint)
		}
		if after.Digest != b.Digest(v1) {
			t.Fatalf("after digest %s != %s", after.Digest, b.Digest(v1))
		}

		// A fresh backend (cold clone) reads back the same state.
		st, err := f.newBack().Get(ctx, v1.Ref)
		if err != nil || !st.Exists || !st.Owned || st.Digest != b.Digest(v1) || st.Object == nil ||
			st.Object.Kind != "VPC" || st.Object.Name != "vpc-1" || st.Object.APIVersion != v1.APIVersion {
			t.Fatalf("Get: %+v %v", st, err)
		}

		// Same object again: no commit.
		if _, again, err := b.Put(ctx, v1, backendtest.Update); err != nil || again.Checkpoint["commit"] != log[0].Hash {
			t.Fatalf("idempotent put: %v %v", again.Checkpoint, err)
		}
		if n := len(logOf(t, f.dir)); n != 2 {
			t.Fatalf("idempotent put made a commit: %d commits", n)
		}

		// Update.
		v1b := vpc("vpc-1", "10.0.2.0/24", true)
		prior, after, err = b.Put(ctx, v1b, backendtest.Update)
		if err != nil {
			t.Fatal(err)
		}
		if !prior.Exists || prior.Digest != b.Digest(v1) || after.Digest != b.Digest(v1b) || b.Digest(v1) == b.Digest(v1b) {
			t.Fatalf("update digests prior %s after %s", prior.Digest, after.Digest)
		}
		if got, _ := readRemote(t, f.dir, "fabric/vpc/vpc-1.yaml"); !bytes.Equal(got, mustYAML(t, v1b)) {
			t.Fatalf("after update %q", got)
		}
		if m := logOf(t, f.dir)[0].Message; m != "update VPC default/vpc-1" {
			t.Fatalf("message %q", m)
		}

		// More objects, another kind, another namespace (stored in a namespace directory), and a
		// default-namespace name that sorts next to that directory (git tree order).
		others := []backend.Object{
			vpc("vpc-2", "10.0.3.0/24", true),
			fabricObject("VPCAttachment", "default", "x", "", true),
			fabricObject("VPC", "team", "n", "10.9.0.0/24", true),
			vpc("team-a", "10.0.4.0/24", true),
		}
		for _, o := range others {
			if _, _, err := b.Put(ctx, o, backendtest.Update); err != nil {
				t.Fatal(err)
			}
		}
		files, err := gitserver.ListFiles(f.dir, "main", "fabric")
		if err != nil {
			t.Fatal(err)
		}
		wantFiles := "fabric/vpc/team-a.yaml fabric/vpc/team/n.yaml fabric/vpc/vpc-1.yaml fabric/vpc/vpc-2.yaml fabric/vpcattachment/x.yaml"
		if strings.Join(files, " ") != wantFiles {
			t.Fatalf("files %v", files)
		}
		gitOut(t, f.dir, "fsck", "--strict", "--no-dangling")

		list, err := b.List(ctx, "VPC")
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 4 || list["vpc-1"].Digest != b.Digest(v1b) || list["vpc-2"].Digest != b.Digest(others[0]) ||
			list["team/n"].Digest != b.Digest(others[2]) || list["team/n"].Object.Namespace != "team" || !list["team-a"].Owned {
			t.Fatalf("list %v", list)
		}
		if l, err := b.List(ctx, "Switch"); err != nil || len(l) != 0 {
			t.Fatalf("list of an absent kind: %v %v", l, err)
		}

		// Delete.
		prior, err = b.Delete(ctx, v1.Ref, backendtest.Delete)
		if err != nil || !prior.Exists || prior.Digest != b.Digest(v1b) {
			t.Fatalf("delete: %+v %v", prior, err)
		}
		if _, ok := readRemote(t, f.dir, "fabric/vpc/vpc-1.yaml"); ok {
			t.Fatal("file still there after delete")
		}
		log = logOf(t, f.dir)
		if log[0].Message != "delete VPC default/vpc-1" {
			t.Fatalf("message %q", log[0].Message)
		}
		prior, err = b.Delete(ctx, v1.Ref, backendtest.Delete)
		if err != nil || prior.Exists || len(logOf(t, f.dir)) != len(log) {
			t.Fatalf("second delete: %+v %v", prior, err)
		}
		if st, err := b.Get(ctx, v1.Ref); err != nil || st.Exists {
			t.Fatalf("Get after delete %+v %v", st, err)
		}
		// Deleting the last file of a directory removes the directory.
		if _, err := b.Delete(ctx, others[1].Ref, backendtest.Delete); err != nil {
			t.Fatal(err)
		}
		if fs, _ := gitserver.ListFiles(f.dir, "main", "fabric/vpcattachment"); len(fs) != 0 {
			t.Fatalf("vpcattachment files %v", fs)
		}
		gitOut(t, f.dir, "fsck", "--strict", "--no-dangling")
	})
}

func TestRestore(t *testing.T) {
	transports(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		b := f.b
		p := "fabric/vpc/vpc-1.yaml"
		v1 := vpc("vpc-1", "10.0.1.0/24", true)

		// Rollback of a create removes the file.
		prior, _, err := b.Put(ctx, v1, backendtest.Update)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Restore(ctx, v1.Ref, prior); err != nil {
			t.Fatal(err)
		}
		if _, ok := readRemote(t, f.dir, p); ok {
			t.Fatal("file survived rollback of create")
		}
		log := logOf(t, f.dir)
		if len(log) != 3 || log[0].Message != "rollback VPC default/vpc-1" || log[1].Message != "create VPC default/vpc-1" {
			t.Fatalf("log %+v", log)
		}

		// Rollback of an update puts back the exact previous bytes (even when not what YAML() renders).
		handmade := []byte("# kept by hand\n" + string(mustYAML(t, v1)))
		if _, err := gitserver.CommitFile(f.dir, "main", p, handmade, "hand edit"); err != nil {
			t.Fatal(err)
		}
		prior, _, err = b.Put(ctx, vpc("vpc-1", "10.0.9.0/24", true), backendtest.Update)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Restore(ctx, v1.Ref, prior); err != nil {
			t.Fatal(err)
		}
		if got, _ := readRemote(t, f.dir, p); !bytes.Equal(got, handmade) {
			t.Fatalf("after rollback of update %q", got)
		}

		// Rollback of a delete puts the file back.
		prior, err = b.Delete(ctx, v1.Ref, backendtest.Delete)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Restore(ctx, v1.Ref, prior); err != nil {
			t.Fatal(err)
		}
		if got, _ := readRemote(t, f.dir, p); !bytes.Equal(got, handmade) {
			t.Fatalf("after rollback of delete %q", got)
		}
		log = logOf(t, f.dir)
		msgs := []string{}
		for _, c := range log {
			msgs = append(msgs, c.Message)
		}
		wantMsgs := "rollback VPC default/vpc-1|delete VPC default/vpc-1|rollback VPC default/vpc-1|update VPC default/vpc-1|" +
			"hand edit|rollback VPC default/vpc-1|create VPC default/vpc-1|Initial commit"
		if strings.Join(msgs, "|") != wantMsgs {
			t.Fatalf("history %q", msgs)
		}
		// Restoring what is already there makes no commit.
		if err := b.Restore(ctx, v1.Ref, prior); err != nil || len(logOf(t, f.dir)) != len(log) {
			t.Fatalf("no-op restore: %v", err)
		}
		// A prior given only as an Object (no Restore data) is rendered with backend.YAML.
		if err := b.Restore(ctx, v1.Ref, backend.State{Exists: true, Object: &v1}); err != nil {
			t.Fatal(err)
		}
		if got, _ := readRemote(t, f.dir, p); !bytes.Equal(got, mustYAML(t, v1)) {
			t.Fatalf("restore from object %q", got)
		}
	})
}

func TestPushRejectedByHook(t *testing.T) {
	transports(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		if _, _, err := f.b.Put(ctx, vpc("a", "10.0.0.0/24", true), backendtest.Update); err != nil {
			t.Fatal(err)
		}
		before := logOf(t, f.dir)
		if err := gitserver.RejectPushes(f.dir, true); err != nil {
			t.Fatal(err)
		}
		_, _, err := f.b.Put(ctx, vpc("b", "10.0.1.0/24", true), backendtest.Update)
		var be *backend.Error
		if !errors.As(err, &be) || be.Backend != backend.Git || be.Op != "put" || be.Ref.Name != "b" {
			t.Fatalf("error %T %v", err, err)
		}
		if !strings.Contains(err.Error(), gitserver.RejectMessage) {
			t.Fatalf("error does not carry the remote's message: %v", err)
		}
		after := logOf(t, f.dir)
		if len(after) != len(before) || after[0].Hash != before[0].Hash {
			t.Fatalf("remote changed: %+v", after)
		}
		if _, ok := readRemote(t, f.dir, "fabric/vpc/b.yaml"); ok {
			t.Fatal("rejected file reached the remote")
		}
		// Once the hook is gone the same backend writes again, on top of the real remote head.
		if err := gitserver.RejectPushes(f.dir, false); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.b.Put(ctx, vpc("b", "10.0.1.0/24", true), backendtest.Update); err != nil {
			t.Fatal(err)
		}
		if l := logOf(t, f.dir); len(l) != len(before)+1 {
			t.Fatalf("log %+v", l)
		}
	})
}

func TestOutOfBandCommitIsKept(t *testing.T) {
	transports(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		if _, err := f.b.Get(ctx, backend.Ref{Kind: "VPC", Name: "warm"}); err != nil { // clone first
			t.Fatal(err)
		}
		var oob string
		pushes := 0
		f.b.beforePush = func() {
			pushes++
			if oob == "" {
				h, err := gitserver.CommitFile(f.dir, "main", "fabric/vpc/other.yaml", []byte("other: true\n"), "out of band")
				if err != nil {
					t.Error(err)
				}
				oob = h
			}
		}
		_, after, err := f.b.Put(ctx, vpc("mine", "10.0.0.0/24", true), backendtest.Update)
		if err != nil {
			t.Fatal(err)
		}
		if pushes != 2 {
			t.Fatalf("pushes %d, want 2 (one rejected, one retried)", pushes)
		}
		log := logOf(t, f.dir)
		if len(log) != 3 || log[0].Message != "create VPC default/mine" || log[1].Hash != oob {
			t.Fatalf("log %+v", log)
		}
		if after.Checkpoint["commit"] != log[0].Hash {
			t.Fatalf("checkpoint %v", after.Checkpoint)
		}
		for _, p := range []string{"fabric/vpc/other.yaml", "fabric/vpc/mine.yaml"} {
			if _, ok := readRemote(t, f.dir, p); !ok {
				t.Fatalf("%s lost", p)
			}
		}
	})
}

// TestConcurrentPuts: writes of several Backend instances of the same configuration in one process, all at once,
// go out as group commits; nothing is lost and history stays linear.
func TestConcurrentPuts(t *testing.T) {
	transports(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		const n = 16
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b := f.b
				if i%2 == 1 { // half through other Backend instances of the same repository
					b = f.newBack()
				}
				_, _, err := b.Put(ctx, vpc(fmt.Sprintf("vpc-%02d", i), fmt.Sprintf("10.0.%d.0/24", i), true), backendtest.Update)
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		files, err := gitserver.ListFiles(f.dir, "main", "fabric/vpc")
		if err != nil || len(files) != n {
			t.Fatalf("files %v %v", files, err)
		}
		if l := logOf(t, f.dir); len(l) > 1+3 {
			t.Fatalf("%d commits for %d concurrent writes", len(l)-1, n)
		}
		if out := gitOut(t, f.dir, "rev-list", "--merges", "main"); out != "" {
			t.Fatalf("merges in history: %s", out)
		}
	})
}

// groupWorkers runs workers goroutines (Terraform's parallelism) that each do their share of n writes one after
// the other, and returns every write's result in write order.
func groupWorkers(t *testing.T, workers, n int, do func(i int) (backend.State, error)) ([]backend.State, []error) {
	t.Helper()
	states := make([]backend.State, n)
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				states[i], errs[i] = do(i)
			}
		}()
	}
	wg.Wait()
	return states, errs
}

// TestGroupCommit: 50 writes by 10 concurrent workers (Terraform's default parallelism) make at most
// ⌈50/10⌉ + a few commits; each write's checkpoint names a commit that holds exactly its blob at its path, and
// each group commit names every write in it (message line and trailer pair). Deletes are grouped the same way.
func TestGroupCommit(t *testing.T) {
	transports(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		const workers, n, slack = 10, 50, 3
		limit := (n+workers-1)/workers + slack
		in := func(i int, op string) backend.Intent {
			return backend.Intent{Op: op, Owner: backend.DefaultOwner, Audit: backend.Audit{Owner: "team-a",
				Resource: fmt.Sprintf("hedgehog_vpc v%02d", i), Op: op, RunID: "run-1"}}
		}
		start := f.b.queue.commits.Load()
		after, errs := groupWorkers(t, workers, n, func(i int) (backend.State, error) {
			_, a, err := f.b.Put(ctx, vpc(fmt.Sprintf("vpc-%02d", i), fmt.Sprintf("10.0.%d.0/24", i), true), in(i, backend.OpCreate))
			return a, err
		})
		for i, err := range errs {
			if err != nil {
				t.Fatalf("put %d: %v", i, err)
			}
		}
		log := logOf(t, f.dir)
		commits := len(log) - 1
		if commits > limit || f.b.queue.commits.Load()-start != int64(commits) {
			t.Fatalf("%d commits (counted %d) for %d writes at parallelism %d, want <= %d", commits, f.b.queue.commits.Load()-start, n, workers, limit)
		}
		t.Logf("%d writes, %d commits", n, commits)
		for i, st := range after {
			p := fmt.Sprintf("fabric/vpc/vpc-%02d.yaml", i)
			if st.Checkpoint["path"] != p {
				t.Fatalf("checkpoint %v", st.Checkpoint)
			}
			// The checkpoint commit holds exactly this write's blob at its path.
			if got := gitOut(t, f.dir, "rev-parse", st.Checkpoint["commit"]+":"+p); got != st.Checkpoint["blob"] {
				t.Fatalf("write %d: commit %s holds %s at %s, checkpoint blob %s", i, st.Checkpoint["commit"], got, p, st.Checkpoint["blob"])
			}
			// ... and that commit wrote it: its message names the write, its trailers carry the write's pair.
			msg := gitOut(t, f.dir, "log", "-1", "--format=%B", st.Checkpoint["commit"])
			if !strings.Contains(msg, fmt.Sprintf("create VPC default/vpc-%02d", i)) ||
				!strings.Contains(msg, fmt.Sprintf("Hedgehog-Resource: hedgehog_vpc v%02d\nHedgehog-Operation: create\n", i)) {
				t.Fatalf("write %d: commit message %q", i, msg)
			}
			if strings.Count(msg, "Hedgehog-Owner:") != 1 || strings.Count(msg, "Hedgehog-Run-Id:") != 1 {
				t.Fatalf("shared trailers not once: %q", msg)
			}
			if parent := gitOut(t, f.dir, "rev-parse", st.Checkpoint["commit"]+"^"); gitOut(t, f.dir, "ls-tree", parent, p) != "" {
				t.Fatalf("write %d: file already in the parent of its commit", i)
			}
		}
		// git reads the group's trailers: as many Resource values as writes.
		if tr := gitOut(t, f.dir, "log", "--format=%(trailers:key=Hedgehog-Resource,valueonly)", "main"); len(strings.Fields(strings.ReplaceAll(tr, "hedgehog_vpc", ""))) != n {
			t.Fatalf("trailers %q", tr)
		}

		before := len(logOf(t, f.dir))
		_, errs = groupWorkers(t, workers, n, func(i int) (backend.State, error) {
			return f.b.Delete(ctx, backend.Ref{Kind: "VPC", Namespace: "default", Name: fmt.Sprintf("vpc-%02d", i)}, in(i, backend.OpDelete))
		})
		for i, err := range errs {
			if err != nil {
				t.Fatalf("delete %d: %v", i, err)
			}
		}
		if c := len(logOf(t, f.dir)) - before; c > limit {
			t.Fatalf("%d delete commits, want <= %d", c, limit)
		}
		if files, _ := gitserver.ListFiles(f.dir, "main", "fabric/vpc"); len(files) != 0 {
			t.Fatalf("left: %v", files)
		}
	})
}

// TestGroupCommitForeignWriter: 50 writes by 10 concurrent workers go out as group commits while another
// writer keeps pushing its own files to the same branch. No write is lost on either side: every object's file
// is on the branch with the blob its checkpoint names, that commit holds it, and every foreign file is there.
func TestGroupCommitForeignWriter(t *testing.T) {
	transports(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		const workers, n = 10, 50
		stop := make(chan struct{})
		var foreign []string
		var foreignMu sync.Mutex
		var fwg sync.WaitGroup
		fwg.Add(1)
		go func() {
			defer fwg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				p := fmt.Sprintf("other/team-b-%03d.yaml", i)
				// The other writer moves the branch with compare-and-swap, like a push; it retries when our
				// push moved it first.
				var err error
				for try := 0; try < 50; try++ {
					if _, err = gitserver.CommitFile(f.dir, "main", p, []byte(fmt.Sprintf("n: %d\n", i)), "team b"); err == nil {
						break
					}
				}
				if err != nil {
					t.Errorf("foreign commit %d: %v", i, err)
					return
				}
				foreignMu.Lock()
				foreign = append(foreign, p)
				foreignMu.Unlock()
				// A busy other writer: a push every second. (Every quarter second, on a loaded 2-core machine
				// where one attempt of ours takes longer than that, moved the branch during nearly every attempt
				// and used up a group's 12 attempts: a livelock no real writer causes.)
				time.Sleep(time.Second)
			}
		}()
		// The timed writer above may be slow or fast next to our pushes; so that the race is exercised on every
		// run whatever the machine's speed, the other writer also pushes between our commit and our push for
		// the first few group commits, which must then rebase and retry.
		var mu sync.Mutex
		forced, calls := 0, 0
		f.b.beforePush = func() {
			mu.Lock()
			defer mu.Unlock()
			// Every other push attempt only: the retry that follows a forced race must be able to win, or one
			// group could use up its attempts on forced races alone.
			if calls++; forced >= 4 || calls%2 == 0 {
				return
			}
			p := fmt.Sprintf("other/forced-%d.yaml", forced)
			var err error
			for try := 0; try < 50; try++ { // the timed writer may move the branch at the same moment
				if _, err = gitserver.CommitFile(f.dir, "main", p, []byte("forced: true\n"), "team b"); err == nil {
					break
				}
			}
			if err != nil {
				t.Errorf("forced foreign commit: %v", err)
				return
			}
			forced++
			foreignMu.Lock()
			foreign = append(foreign, p)
			foreignMu.Unlock()
		}
		after, errs := groupWorkers(t, workers, n, func(i int) (backend.State, error) {
			_, a, err := f.b.Put(ctx, vpc(fmt.Sprintf("fw-%02d", i), fmt.Sprintf("10.1.%d.0/24", i), true),
				backend.Intent{Op: backend.OpCreate, Owner: backend.DefaultOwner})
			return a, err
		})
		close(stop)
		fwg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("put %d: %v", i, err)
			}
		}
		if forced < 4 {
			t.Fatalf("only %d pushes were raced by the other writer: the retry path was not exercised", forced)
		}
		for i, st := range after {
			p := fmt.Sprintf("fabric/vpc/fw-%02d.yaml", i)
			if got := gitOut(t, f.dir, "rev-parse", st.Checkpoint["commit"]+":"+p); got != st.Checkpoint["blob"] {
				t.Fatalf("write %d: its checkpoint commit holds %s at %s, checkpoint blob %s", i, got, p, st.Checkpoint["blob"])
			}
			if got := gitOut(t, f.dir, "rev-parse", "main:"+p); got != st.Checkpoint["blob"] {
				t.Fatalf("write %d lost: the branch holds %s at %s, checkpoint blob %s", i, got, p, st.Checkpoint["blob"])
			}
			if err := exec.Command("git", "--git-dir", f.dir, "merge-base", "--is-ancestor", st.Checkpoint["commit"], "main").Run(); err != nil {
				t.Fatalf("write %d: checkpoint commit %s is not on the branch", i, st.Checkpoint["commit"])
			}
		}
		for _, p := range foreign {
			if _, ok := readRemote(t, f.dir, p); !ok {
				t.Fatalf("the other writer's %s was lost", p)
			}
		}
		t.Logf("%d writes alongside %d foreign commits, %d commits in all", n, len(foreign), len(logOf(t, f.dir))-1)
	})
}

// TestGroupPushFailure: a push the remote refuses fails every write of that group commit, and only those; the
// remote is unchanged, and a refused write (ownership) in a group does not hold back the others.
func TestGroupPushFailure(t *testing.T) {
	transports(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		foreign := mustYAML(t, vpc("foreign", "10.9.0.0/24", false))
		if _, err := gitserver.CommitFile(f.dir, "main", "fabric/vpc/foreign.yaml", foreign, "someone else"); err != nil {
			t.Fatal(err)
		}
		// Every push of the second group is refused; the first and third go through.
		var groups atomic.Int64
		f.b.beforePush = func() {
			if err := gitserver.RejectPushes(f.dir, groups.Add(1) == 2); err != nil {
				t.Error(err)
			}
		}
		put := func(names ...string) []error {
			errs := make([]error, len(names))
			var wg sync.WaitGroup
			for i, n := range names {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, _, errs[i] = f.b.Put(ctx, vpc(n, "10.0.0.0/24", true), backendtest.Update)
				}()
			}
			wg.Wait()
			return errs
		}
		for _, err := range put("a1", "a2", "a3", "foreign") {
			if err != nil && !errors.Is(err, backend.ErrNotOwned) {
				t.Fatal(err)
			}
		}
		if _, ok := readRemote(t, f.dir, "fabric/vpc/a3.yaml"); !ok {
			t.Fatal("first group lost")
		}
		before := logOf(t, f.dir)
		if len(before) != 3 || groups.Load() != 1 {
			t.Fatalf("first group: %d pushes, log %+v", groups.Load(), before)
		}
		for i, err := range put("b1", "b2", "b3") {
			var be *backend.Error
			if !errors.As(err, &be) || be.Op != "put" || be.Ref.Name != fmt.Sprintf("b%d", i+1) || !strings.Contains(err.Error(), gitserver.RejectMessage) {
				t.Fatalf("b%d: %v", i+1, err)
			}
		}
		if after := logOf(t, f.dir); len(after) != len(before) || after[0].Hash != before[0].Hash {
			t.Fatalf("remote changed by a refused push: %+v", after)
		}
		for _, err := range put("c1", "c2") {
			if err != nil {
				t.Fatal(err)
			}
		}
		if files, _ := gitserver.ListFiles(f.dir, "main", "fabric/vpc"); len(files) != 6 {
			t.Fatalf("files %v", files)
		}
	})
}

// TestContendedWriters lets writers race on the remote (no shared in-process lock, as separate provider
// processes would): non-fast-forward pushes are retried and nothing is lost.
func TestContendedWriters(t *testing.T) {
	transports(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		const writers, each = 4, 4
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			b := f.newBack()
			b.lock = &repoMutex{ch: make(chan struct{}, 1)}
			b.queue = &queue{announced: map[string]time.Time{}}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					_, _, err := b.Put(ctx, vpc(fmt.Sprintf("vpc-%02d", w*each+i), "10.0.0.0/24", true), backendtest.Update)
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		assertOneCommitEach(t, f.dir, writers*each)
	})
}

func assertOneCommitEach(t *testing.T, dir string, n int) {
	t.Helper()
	files, err := gitserver.ListFiles(dir, "main", "fabric/vpc")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != n {
		t.Fatalf("%d files, want %d: %v", len(files), n, files)
	}
	log := logOf(t, dir)
	if len(log) != n+1 {
		t.Fatalf("%d commits, want %d", len(log), n+1)
	}
	seen := map[string]bool{}
	for _, c := range log[:n] {
		if seen[c.Message] || !strings.HasPrefix(c.Message, "create VPC default/vpc-") {
			t.Fatalf("unexpected or duplicate commit %q", c.Message)
		}
		seen[c.Message] = true
	}
	for i := range n {
		if !seen[fmt.Sprintf("create VPC default/vpc-%02d", i)] {
			t.Fatalf("commit for vpc-%02d missing", i)
		}
	}
	// Linear history: every commit has one parent except the first.
	if out := gitOut(t, dir, "rev-list", "--merges", "main"); out != "" {
		t.Fatalf("merges in history: %s", out)
	}
}

func TestWrongPassword(t *testing.T) {
	f := newHTTP(t)
	ctx := context.Background()
	b := New(Config{URL: f.url, Username: f.srv.Username, Password: "nope"})
	_, _, err := b.Put(ctx, vpc("a", "10.0.0.0/24", true), backendtest.Update)
	var be *backend.Error
	if !errors.As(err, &be) || be.Backend != backend.Git || !errors.Is(err, transport.ErrAuthenticationRequired) ||
		!strings.Contains(err.Error(), "authentication to "+f.url+" failed") {
		t.Fatalf("error %v", err)
	}
	if err := b.Check(ctx); !errors.Is(err, transport.ErrAuthenticationRequired) {
		t.Fatalf("Check: %v", err)
	}
	if _, err := New(Config{URL: f.url}).Get(ctx, backend.Ref{Kind: "VPC", Name: "a"}); !errors.Is(err, transport.ErrAuthenticationRequired) {
		t.Fatalf("no credentials: %v", err)
	}
	if l := logOf(t, f.dir); len(l) != 1 {
		t.Fatalf("remote changed: %+v", l)
	}
}

func TestAdoptAndNotOwned(t *testing.T) {
	transports(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		foreign := vpc("vpc-1", "10.0.0.0/24", false)
		content := mustYAML(t, foreign)
		if _, err := gitserver.CommitFile(f.dir, "main", "fabric/vpc/vpc-1.yaml", content, "someone else"); err != nil {
			t.Fatal(err)
		}
		st, err := f.b.Get(ctx, foreign.Ref)
		if err != nil || !st.Exists || st.Owned {
			t.Fatalf("Get foreign: %+v %v", st, err)
		}
		mine := vpc("vpc-1", "10.0.1.0/24", true)
		_, _, err = f.b.Put(ctx, mine, backendtest.Update)
		if oe, ok := backend.AsOwnership(err); !errors.Is(err, backend.ErrNotOwned) || !ok || oe.Backend != backend.Git || oe.Found.Marked {
			t.Fatalf("Put over foreign: %v", err)
		}
		if got, _ := readRemote(t, f.dir, "fabric/vpc/vpc-1.yaml"); !bytes.Equal(got, content) || len(logOf(t, f.dir)) != 2 {
			t.Fatal("remote changed by a refused put")
		}
		prior, after, err := f.b.Put(ctx, mine, backendtest.Adopt)
		if err != nil || !prior.Exists || prior.Owned || !after.Owned {
			t.Fatalf("adopt: %+v %+v %v", prior, after, err)
		}
		if got, _ := readRemote(t, f.dir, "fabric/vpc/vpc-1.yaml"); !bytes.Equal(got, mustYAML(t, mine)) {
			t.Fatalf("after adopt %q", got)
		}
		// Now owned: a normal put updates it.
		if _, _, err := f.b.Put(ctx, vpc("vpc-1", "10.0.2.0/24", true), backendtest.Update); err != nil {
			t.Fatal(err)
		}
	})
}

func TestDrift(t *testing.T) {
	transports(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		v := vpc("vpc-1", "10.0.0.0/24", true)
		if _, _, err := f.b.Put(ctx, v, backendtest.Update); err != nil {
			t.Fatal(err)
		}
		st, err := f.b.Get(ctx, v.Ref)
		if err != nil || st.Digest != f.b.Digest(v) {
			t.Fatalf("in sync: %s vs %s (%v)", st.Digest, f.b.Digest(v), err)
		}
		edited := bytes.Replace(mustYAML(t, v), []byte("10.0.0.0/24"), []byte("10.6.6.0/24"), 1)
		if _, err := gitserver.CommitFile(f.dir, "main", "fabric/vpc/vpc-1.yaml", edited, "drift"); err != nil {
			t.Fatal(err)
		}
		st, err = f.b.Get(ctx, v.Ref)
		if err != nil || !st.Exists || st.Digest == f.b.Digest(v) || st.Digest != f.b.Digest(vpc("vpc-1", "10.6.6.0/24", true)) {
			t.Fatalf("drift not seen: %+v %v", st, err)
		}
		list, err := f.b.List(ctx, "VPC")
		if err != nil || list["vpc-1"].Digest != st.Digest {
			t.Fatalf("List digest %v %v", list, err)
		}
		// Garbage in the file is drift too, not an error.
		if _, err := gitserver.CommitFile(f.dir, "main", "fabric/vpc/vpc-1.yaml", []byte("{not yaml"), "broken"); err != nil {
			t.Fatal(err)
		}
		st, err = f.b.Get(ctx, v.Ref)
		if err != nil || !st.Exists || st.Owned || st.Digest == f.b.Digest(v) {
			t.Fatalf("broken file: %+v %v", st, err)
		}
		if _, _, err := f.b.Put(ctx, v, backendtest.Update); !errors.Is(err, backend.ErrNotOwned) {
			t.Fatalf("put over broken file: %v", err)
		}
	})
}

func TestLazyAndCheck(t *testing.T) {
	var hits atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.NotFound(w, r)
	}))
	defer ts.Close()
	b := New(Config{URL: ts.URL + "/x.git", Token: "t"})
	v := vpc("vpc-1", "10.0.0.0/24", true)
	if d := b.Describe(v); !strings.Contains(d, "fabric/vpc/vpc-1.yaml") || !strings.Contains(d, "branch main") {
		t.Fatalf("Describe %q", d)
	}
	_ = b.Digest(v)
	_ = b.Handles("VPC")
	if hits.Load() != 0 {
		t.Fatalf("New/Describe/Digest touched the network %d times", hits.Load())
	}
	if err := b.Check(context.Background()); err == nil || hits.Load() == 0 {
		t.Fatalf("Check against a non-git server: %v", err)
	}

	f := newHTTP(t)
	ctx := context.Background()
	if err := f.b.Check(ctx); err != nil {
		t.Fatal(err)
	}
	nb := New(Config{URL: f.url, Branch: "nope", Username: f.srv.Username, Password: f.srv.Password})
	if err := nb.Check(ctx); err == nil || !strings.Contains(err.Error(), `branch "nope" does not exist`) {
		t.Fatalf("Check missing branch: %v", err)
	}
	// A write to a missing branch creates it on top of nothing (never touching main).
	if _, _, err := nb.Put(ctx, v, backendtest.Update); err != nil {
		t.Fatal(err)
	}
	if err := nb.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := gitserver.ReadFile(f.dir, "nope", "fabric/vpc/vpc-1.yaml"); !ok {
		t.Fatal("file not on new branch")
	}
	if l := logOf(t, f.dir); len(l) != 1 {
		t.Fatalf("main changed: %+v", l)
	}
}

func TestBadNames(t *testing.T) {
	b := New(Config{URL: "file:///nonexistent"})
	for _, r := range []backend.Ref{{Kind: "VPC", Name: "../x"}, {Kind: "VPC", Name: ""}, {Kind: "a/b", Name: "x"}, {Kind: "VPC", Namespace: "..", Name: "x"}} {
		if _, err := b.Path(r); err == nil {
			t.Fatalf("%v accepted", r)
		}
		if _, err := b.Get(context.Background(), r); err == nil {
			t.Fatalf("Get %v accepted", r)
		}
	}
	if p, _ := New(Config{URL: "x", PathPrefix: "/clusters/a/"}).Path(backend.Ref{Kind: "VPCAttachment", Name: "x"}); p != "clusters/a/vpcattachment/x.yaml" {
		t.Fatalf("path %q", p)
	}
}

// TestTimings measures 100 sequential Puts over HTTP and a List of 500 objects.
func TestTimings(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	f := newHTTP(t)
	ctx := context.Background()
	start := time.Now()
	for i := range 100 {
		if _, _, err := f.b.Put(ctx, vpc(fmt.Sprintf("seq-%03d", i), "10.0.0.0/24", true), backendtest.Update); err != nil {
			t.Fatal(err)
		}
	}
	seq := time.Since(start)

	files := map[string][]byte{}
	for i := range 500 {
		o := fabricObject("Connection", "default", fmt.Sprintf("conn-%03d", i), "10.1.0.0/24", true)
		files[fmt.Sprintf("fabric/connection/conn-%03d.yaml", i)] = mustYAML(t, o)
	}
	if _, err := gitserver.CommitFiles(f.dir, "main", files, "500 connections"); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	list, err := f.b.List(ctx, "Connection")
	if err != nil || len(list) != 500 {
		t.Fatalf("list: %d %v", len(list), err)
	}
	cold := time.Since(start)
	start = time.Now()
	if list, err = f.b.List(ctx, "Connection"); err != nil || len(list) != 500 {
		t.Fatalf("list: %d %v", len(list), err)
	}
	warm := time.Since(start)
	start = time.Now()
	list, err = New(Config{URL: f.url, Username: f.srv.Username, Password: f.srv.Password}).List(ctx, "Connection")
	if err != nil || len(list) != 500 {
		t.Fatalf("list: %d %v", len(list), err)
	}
	fresh := time.Since(start)
	t.Logf("100 sequential Puts over HTTP: %v (%v/put); List 500 (fetching them): %v; again: %v; fresh clone: %v",
		seq, seq/100, cold, warm, fresh)
}

// TestBatchAndPrefix checks that commitGroup can put several objects in one commit and that the message
// prefix is applied.
func TestBatchAndPrefix(t *testing.T) {
	f := newFile(t)
	b := New(Config{URL: f.url, CommitMessagePrefix: "[hh] ", AuthorName: "Bot", AuthorEmail: "bot@example.com"})
	ctx := context.Background()
	var cs []change
	for _, n := range []string{"a", "b"} {
		o := vpc(n, "10.0.0.0/24", true)
		p, _ := b.Path(o.Ref)
		cs = append(cs, change{ref: o.Ref, path: p, content: mustYAML(t, o)})
	}
	b.lock.Lock()
	outs := b.commitGroup(ctx, cs)
	b.lock.Unlock()
	if len(outs) != 2 || outs[0].err != nil || outs[1].err != nil || outs[0].commit.IsZero() || outs[0].commit != outs[1].commit {
		t.Fatalf("%+v", outs)
	}
	log := logOf(t, f.dir)
	if len(log) != 2 || log[0].Message != "[hh] apply 2 objects\n\ncreate VPC default/a\ncreate VPC default/b" {
		t.Fatalf("log %+v", log)
	}
	if a := gitOut(t, f.dir, "log", "-1", "--format=%an <%ae>", "main"); a != "Bot <bot@example.com>" {
		t.Fatalf("author %q", a)
	}
	if _, _, err := b.Put(ctx, vpc("a", "10.0.1.0/24", true), backendtest.Update); err != nil {
		t.Fatal(err)
	}
	if m := logOf(t, f.dir)[0].Message; m != "[hh] update VPC default/a" {
		t.Fatalf("message %q", m)
	}
}

// TestEmptyRepository: a repository without any branch (as a Git host creates it) passes Check with a
// notice that the first apply creates the branch; the first Put creates the branch with its first commit,
// and Check is then silent. A missing branch in a repository that has others is still an error.
func TestEmptyRepository(t *testing.T) {
	srv, err := gitserver.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	u, err := srv.NewEmptyRepo("empty")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	b := New(Config{URL: u, Branch: "fabric-main", Username: srv.Username, Password: srv.Password})
	err = b.Check(ctx)
	var n *backend.CheckNotice
	if !errors.As(err, &n) || !strings.Contains(err.Error(), `is empty: the first apply creates branch "fabric-main"`) {
		t.Fatalf("Check of an empty repository: %v", err)
	}
	v := vpc("vpc-1", "10.0.1.0/24", true)
	if s, err := b.Get(ctx, v.Ref); err != nil || s.Exists {
		t.Fatalf("Get from an empty repository: %+v %v", s, err)
	}
	if l, err := b.List(ctx, "VPC"); err != nil || len(l) != 0 {
		t.Fatalf("List of an empty repository: %v %v", l, err)
	}
	if _, after, err := b.Put(ctx, v, backendtest.Update); err != nil || after.Checkpoint["commit"] == "" {
		t.Fatalf("first Put into an empty repository: %+v %v", after, err)
	}
	if _, ok, err := gitserver.ReadFile(srv.RepoDir("empty"), "fabric-main", "fabric/vpc/vpc-1.yaml"); err != nil || !ok {
		t.Fatalf("the first Put did not create the branch with the file: %v", err)
	}
	if l, err := gitserver.Log(srv.RepoDir("empty"), "fabric-main"); err != nil || len(l) != 1 {
		t.Fatalf("the new branch has %d commits, want 1 (%v)", len(l), err)
	}
	if err := New(Config{URL: u, Branch: "fabric-main", Username: srv.Username, Password: srv.Password}).Check(ctx); err != nil {
		t.Fatalf("Check after the first Put: %v", err)
	}
	if err := New(Config{URL: u, Branch: "other", Username: srv.Username, Password: srv.Password}).Check(ctx); err == nil || errors.As(err, &n) {
		t.Fatalf("a missing branch in a repository with branches must fail Check: %v", err)
	}
}

// Waiting for the process-wide repository lock ends with the caller's context (Ctrl-C).
func TestLockHonoursContext(t *testing.T) {
	f := newFile(t)
	b := New(Config{URL: f.url})
	b.lock.Lock()
	defer b.lock.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := b.Get(ctx, backend.Ref{Kind: "VPC", Namespace: "default", Name: "x"})
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Fatalf("got %v after %v", err, time.Since(start))
	}
}

// A smart-HTTP server that accepts connections and never answers fails the integration probe within the
// request timeout, naming the git backend.
func TestSilentServerFailsWithinRequestTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	defer func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	}()
	g := guard.New(backend.Git, guard.Config{RequestTimeout: 500 * time.Millisecond})
	b := g.Wrap(New(Config{URL: "http://" + l.Addr().String() + "/fabric.git"}))
	start := time.Now()
	err = b.Check(context.Background())
	took := time.Since(start)
	t.Logf("silent git server: probe failed after %v: %v", took, err)
	if err == nil || !strings.Contains(err.Error(), "git: check") || !strings.Contains(err.Error(), "git backend: no answer") || took > 2*time.Second {
		t.Fatalf("got %v after %v", err, took)
	}
	if _, err := b.List(context.Background(), "VPC"); !errors.Is(err, guard.ErrCircuitOpen) {
		t.Fatalf("after the failed probe: %v", err)
	}
}

// TestShallowBoundedClone: the clone holds the branch head's commit and tree only (no history is fetched, so
// none can be walked), Get names the fetched head as the commit holding the file, and past the memory cap the
// clone is dropped and fetched again at depth 1 without losing a write.
func TestShallowBoundedClone(t *testing.T) {
	transports(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		for i := range 20 {
			if _, err := gitserver.CommitFile(f.dir, "main", fmt.Sprintf("other/f%02d.txt", i), []byte(fmt.Sprint(i)), "history"); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := f.b.Put(ctx, vpc("a", "10.0.0.0/24", true), backendtest.Update); err != nil {
			t.Fatal(err)
		}
		head := logOf(t, f.dir)[0].Hash
		g := f.newBack()
		st, err := g.Get(ctx, backend.Ref{Kind: "VPC", Name: "a"})
		if err != nil || st.Checkpoint["commit"] != head {
			t.Fatalf("get %v %v, head %s", st.Checkpoint, err, head)
		}
		g.lock.Lock()
		commits := len(g.mem.ObjectStorage.Commits)
		g.lock.Unlock()
		if commits != 1 {
			t.Fatalf("clone holds %d commits, want the head only", commits)
		}
		f.b.capBytes = 1
		for i := range 3 {
			if _, _, err := f.b.Put(ctx, vpc(fmt.Sprintf("b%d", i), "10.0.0.0/24", true), backendtest.Update); err != nil {
				t.Fatal(err)
			}
		}
		if f.b.resets < 3 {
			t.Fatalf("resets %d", f.b.resets)
		}
		if files, _ := gitserver.ListFiles(f.dir, "main", "fabric/vpc"); len(files) != 4 {
			t.Fatalf("files %v", files)
		}
		if out := gitOut(t, f.dir, "rev-list", "--count", "main"); out != "25" {
			t.Fatalf("history %s commits, want 25", out)
		}
	})
}

// BenchmarkGroupCommit: b.N creates by 10 concurrent writers (Terraform's default parallelism) through the
// smart-HTTP server; reports commits per write (1 without group commit).
func BenchmarkGroupCommit(b *testing.B) {
	srv, err := gitserver.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	u, err := srv.NewRepo(fmt.Sprintf("bench%d", repoSeq.Add(1)))
	if err != nil {
		b.Fatal(err)
	}
	be := New(Config{URL: u, Username: srv.Username, Password: srv.Password})
	ctx := context.Background()
	var next atomic.Int64
	b.ResetTimer()
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= b.N {
					return
				}
				if _, _, err := be.Put(ctx, vpc(fmt.Sprintf("vpc-%05d", i), "10.0.0.0/24", true), backendtest.Update); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(be.queue.commits.Load())/float64(b.N), "commits/write")
}

// BenchmarkPutLargeRepo: one write (one commit and push) per op into a repository whose directory already holds
// n files. What a push sends is what its commit added, so the cost per write should not grow with n beyond the
// one decode and encode of the directory's tree.
func BenchmarkPutLargeRepo(b *testing.B) {
	srv, err := gitserver.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	for _, n := range []int{100, 2000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			name := fmt.Sprintf("large%d", repoSeq.Add(1))
			u, err := srv.NewRepo(name)
			if err != nil {
				b.Fatal(err)
			}
			files := map[string][]byte{}
			for i := range n {
				files[fmt.Sprintf("fabric/vpc/other-%05d.yaml", i)] = fmt.Appendf(nil, "kind: VPC\nmetadata:\n  name: other-%05d\n", i)
			}
			if _, err := gitserver.CommitFiles(srv.RepoDir(name), "main", files, "seed"); err != nil {
				b.Fatal(err)
			}
			be := New(Config{URL: u, Username: srv.Username, Password: srv.Password})
			ctx := context.Background()
			cpu0 := processCPU(b)
			b.ResetTimer()
			for i := range b.N {
				if _, _, err := be.Put(ctx, vpc(fmt.Sprintf("vpc-%05d", i), "10.0.0.0/24", true), backendtest.Update); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			// Wall time is mostly the git server's processes; this process's CPU is the client's (and the
			// in-process HTTP front of the server, which does not depend on n).
			b.ReportMetric(float64((processCPU(b)-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

// processCPU is the CPU time (user and system) this process has used.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

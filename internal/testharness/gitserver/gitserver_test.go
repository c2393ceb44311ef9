package gitserver

import (
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func gitCLI(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func withCreds(t *testing.T, raw, user, pass string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(user, pass)
	return u.String()
}

func TestServerCloneAuthPushAndHelpers(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	repoURL, err := s.NewRepo("fab")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(repoURL, "http://127.0.0.1:") {
		t.Fatalf("url %q", repoURL)
	}

	// No credentials and wrong credentials both get 401.
	for _, u := range []string{repoURL, withCreds(t, repoURL, s.Username, "wrong")} {
		resp, err := http.Get(u + "/info/refs?service=git-upload-pack")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", resp.StatusCode)
		}
	}
	if out, err := gitCLI(t, t.TempDir(), "clone", withCreds(t, repoURL, s.Username, "wrong"), "x"); err == nil {
		t.Fatalf("clone with wrong password succeeded: %s", out)
	}

	work := filepath.Join(t.TempDir(), "w")
	if out, err := gitCLI(t, "", "clone", withCreds(t, repoURL, s.Username, s.Password), work); err != nil {
		t.Fatalf("clone: %v: %s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(work, "README.md"))
	if err != nil || string(b) != InitialReadme {
		t.Fatalf("README %q %v", b, err)
	}
	if err := os.MkdirAll(filepath.Join(work, "fabric", "vpc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "fabric", "vpc", "a.yaml"), []byte("a: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := gitCLI(t, work, "add", "-A"); err != nil {
		t.Fatal(out)
	}
	if out, err := gitCLI(t, work, "commit", "-m", "add a"); err != nil {
		t.Fatal(out)
	}
	if out, err := gitCLI(t, work, "push", "origin", "main"); err != nil {
		t.Fatalf("push: %v: %s", err, out)
	}

	dir := s.RepoDir("fab")
	got, found, err := ReadFile(dir, "main", "fabric/vpc/a.yaml")
	if err != nil || !found || string(got) != "a: 1\n" {
		t.Fatalf("ReadFile %q %v %v", got, found, err)
	}
	if _, found, err := ReadFile(dir, "main", "fabric/vpc/missing.yaml"); err != nil || found {
		t.Fatalf("missing file: found=%v err=%v", found, err)
	}
	log, err := Log(dir, "main")
	if err != nil || len(log) != 2 || log[0].Message != "add a" || log[1].Message != "Initial commit" {
		t.Fatalf("Log %+v %v", log, err)
	}

	// Fault injection: the hook rejects pushes with its message and leaves the branch alone.
	if err := RejectPushes(dir, true); err != nil {
		t.Fatal(err)
	}
	if out, err := gitCLI(t, work, "commit", "--allow-empty", "-m", "blocked"); err != nil {
		t.Fatal(out)
	}
	out, err := gitCLI(t, work, "push", "origin", "main")
	if err == nil || !strings.Contains(out, RejectMessage) {
		t.Fatalf("push through hook: err=%v out=%s", err, out)
	}
	if head, _ := Head(dir, "main"); head != log[0].Hash {
		t.Fatalf("head moved to %s", head)
	}
	if err := RejectPushes(dir, false); err != nil {
		t.Fatal(err)
	}

	// Out-of-band commit: the clone's push is now non-fast-forward.
	h, err := CommitFiles(dir, "main", map[string][]byte{"fabric/vpc/b.yaml": []byte("b\n"), "fabric/vpc/a.yaml": nil}, "oob")
	if err != nil {
		t.Fatal(err)
	}
	files, err := ListFiles(dir, "main", "fabric")
	if err != nil || len(files) != 1 || files[0] != "fabric/vpc/b.yaml" {
		t.Fatalf("ListFiles %v %v", files, err)
	}
	if log, _ := Log(dir, "main"); log[0].Hash != h || log[1].Message != "add a" {
		t.Fatalf("log after oob %+v", log)
	}
	if out, err := gitCLI(t, work, "push", "origin", "main"); err == nil {
		t.Fatalf("non-fast-forward push succeeded: %s", out)
	}
}

func TestFileRepo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "r.git")
	u, err := NewFileRepo(dir)
	if err != nil {
		t.Fatal(err)
	}
	if u != "file://"+dir {
		t.Fatalf("url %q", u)
	}
	if out, err := gitCLI(t, "", "clone", u, filepath.Join(t.TempDir(), "c")); err != nil {
		t.Fatalf("clone: %s", out)
	}
	got, found, err := ReadFile(dir, "main", "README.md")
	if err != nil || !found || string(got) != InitialReadme {
		t.Fatalf("%q %v %v", got, found, err)
	}
	if files, err := ListFiles(dir, "main", ""); err != nil || len(files) != 1 {
		t.Fatalf("%v %v", files, err)
	}
}

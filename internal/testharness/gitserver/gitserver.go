// Package gitserver runs a real Git server for tests and the demo: bare repositories served over smart
// HTTP by `git http-backend` (through net/http/cgi) on 127.0.0.1 with HTTP basic auth, plus helpers that
// inspect and change those repositories with the git CLI (assertions, drift and fault injection).
package gitserver

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Default credentials of a Server started by Start.
const (
	DefaultUsername = "hedgehog"
	DefaultPassword = "s3cret-test-password"
)

// InitialReadme is the content of README.md in the initial commit of every repository made here.
const InitialReadme = "# fabric\n\nManaged by terraform-provider-hedgehog.\n"

// Server serves the bare repositories under Root over smart HTTP with basic auth.
type Server struct {
	// URL is the base URL (http://127.0.0.1:port); a repository is at URL/<name>.git.
	URL string
	// Root is the directory that holds the bare repositories (<Root>/<name>.git).
	Root string
	// Username and Password are the only credentials the server accepts.
	Username string
	Password string

	srv     *http.Server
	ln      net.Listener
	ownRoot bool

	mu    sync.Mutex
	extra map[[2]string]bool // further accepted credentials (Allow)
}

// Allow makes the server accept another username and password pair (the password may be empty: a token in
// the username position of the URL, `http://TOKEN@host/repo.git`, arrives as that username).
func (s *Server) Allow(username, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.extra == nil {
		s.extra = map[[2]string]bool{}
	}
	s.extra[[2]string{username, password}] = true
}

func (s *Server) allowed(u, p string) bool {
	if subtle.ConstantTimeCompare([]byte(u), []byte(s.Username)) == 1 &&
		subtle.ConstantTimeCompare([]byte(p), []byte(s.Password)) == 1 {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.extra[[2]string{u, p}]
}

// Start serves a fresh temporary root on 127.0.0.1:0 with the default credentials.
func Start() (*Server, error) {
	return StartWith(DefaultUsername, DefaultPassword)
}

// StartWith is Start with the given credentials.
func StartWith(username, password string) (*Server, error) {
	backend, err := httpBackendPath()
	if err != nil {
		return nil, err
	}
	root, err := os.MkdirTemp("", "gitserver-")
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = os.RemoveAll(root)
		return nil, err
	}
	s := &Server{
		URL:      "http://" + ln.Addr().String(),
		Root:     root,
		Username: username,
		Password: password,
		ln:       ln,
		ownRoot:  true,
	}
	h := &cgi.Handler{
		Path: backend,
		Root: "/",
		Dir:  root,
		Env: []string{
			"GIT_PROJECT_ROOT=" + root,
			"GIT_HTTP_EXPORT_ALL=1",
			"GIT_CONFIG_NOSYSTEM=1",
			"HOME=" + root,
		},
		InheritEnv: []string{"PATH"},
	}
	s.srv = &http.Server{
		Handler:           s.auth(h),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// auth lets through only requests with the configured (or allowed) basic-auth credentials; others get 401.
func (s *Server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || !s.allowed(u, p) {
			w.Header().Set("WWW-Authenticate", `Basic realm="gitserver"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Close stops the server and removes its root directory.
func (s *Server) Close() {
	if s == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
	if s.ownRoot {
		_ = os.RemoveAll(s.Root)
	}
}

// RepoDir is the directory of the bare repository name.
func (s *Server) RepoDir(name string) string {
	return filepath.Join(s.Root, name+".git")
}

// RepoURL is the HTTP URL of the repository name (without credentials).
func (s *Server) RepoURL(name string) string {
	return s.URL + "/" + name + ".git"
}

// NewRepo creates the bare repository name with an initial commit on main and returns its HTTP URL.
func (s *Server) NewRepo(name string) (string, error) {
	if name == "" || strings.Contains(name, "..") {
		return "", fmt.Errorf("gitserver: bad repository name %q", name)
	}
	if err := initBare(s.RepoDir(name)); err != nil {
		return "", err
	}
	return s.RepoURL(name), nil
}

// NewEmptyRepo creates the bare repository name without any commit or branch (as a Git host creates
// one) and returns its HTTP URL.
func (s *Server) NewEmptyRepo(name string) (string, error) {
	if name == "" || strings.Contains(name, "..") {
		return "", fmt.Errorf("gitserver: bad repository name %q", name)
	}
	if err := initEmptyBare(s.RepoDir(name)); err != nil {
		return "", err
	}
	return s.RepoURL(name), nil
}

// NewFileRepo creates a bare repository at dir with an initial commit on main and returns its file:// URL.
func NewFileRepo(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := initBare(abs); err != nil {
		return "", err
	}
	return "file://" + filepath.ToSlash(abs), nil
}

func initBare(dir string) error {
	if err := initEmptyBare(dir); err != nil {
		return err
	}
	_, err := CommitFile(dir, "main", "README.md", []byte(InitialReadme), "Initial commit")
	return err
}

func initEmptyBare(dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	if _, err := run("", nil, nil, "init", "--quiet", "--bare", "--initial-branch=main", dir); err != nil {
		return err
	}
	_, err := run(dir, nil, nil, "config", "http.receivepack", "true")
	return err
}

// Commit is one commit of a branch's history.
type Commit struct {
	Hash    string
	Message string
}

// ReadFile returns the content of path at the head of branch; found is false when the file is absent.
func ReadFile(repoDir, branch, path string) (content []byte, found bool, err error) {
	out, err := run(repoDir, nil, nil, "ls-tree", "refs/heads/"+branch, "--", path)
	if err != nil {
		return nil, false, err
	}
	if len(bytes.TrimSpace(out)) == 0 {
		return nil, false, nil
	}
	out, err = run(repoDir, nil, nil, "cat-file", "blob", "refs/heads/"+branch+":"+path)
	if err != nil {
		return nil, false, err
	}
	return out, true, nil
}

// Log returns the history of branch, newest first (first-parent and merges included as git log shows them).
func Log(repoDir, branch string) ([]Commit, error) {
	out, err := run(repoDir, nil, nil, "log", "--format=%H%x00%B%x1e", "refs/heads/"+branch, "--")
	if err != nil {
		return nil, err
	}
	var commits []Commit
	for _, rec := range strings.Split(string(out), "\x1e") {
		rec = strings.TrimLeft(rec, "\n")
		if rec == "" {
			continue
		}
		hash, msg, ok := strings.Cut(rec, "\x00")
		if !ok {
			return nil, fmt.Errorf("gitserver: unexpected log record %q", rec)
		}
		commits = append(commits, Commit{Hash: hash, Message: strings.TrimRight(msg, "\n")})
	}
	return commits, nil
}

// Head returns the commit hash at the head of branch.
func Head(repoDir, branch string) (string, error) {
	out, err := run(repoDir, nil, nil, "rev-parse", "--verify", "refs/heads/"+branch)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// ListFiles returns the paths (relative to the repository root, sorted) of all files under dir at the head
// of branch, recursively. A missing dir gives an empty list.
func ListFiles(repoDir, branch, dir string) ([]string, error) {
	args := []string{"ls-tree", "-r", "--name-only", "refs/heads/" + branch}
	if d := strings.Trim(dir, "/"); d != "" {
		args = append(args, "--", d+"/")
	}
	out, err := run(repoDir, nil, nil, args...)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" {
			files = append(files, l)
		}
	}
	sort.Strings(files)
	return files, nil
}

// RejectPushes installs (on) or removes (off) a pre-receive hook that rejects every push with a message.
func RejectPushes(repoDir string, on bool) error {
	hook := filepath.Join(repoDir, "hooks", "pre-receive")
	if !on {
		if err := os.Remove(hook); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(hook), 0o755); err != nil {
		return err
	}
	script := "#!/bin/sh\necho \"" + RejectMessage + "\" >&2\nexit 1\n"
	return os.WriteFile(hook, []byte(script), 0o755)
}

// RejectMessage is what the hook installed by RejectPushes prints.
const RejectMessage = "gitserver: pushes are rejected by policy (test hook)"

// CommitFile makes an out-of-band commit on branch (creating it when absent) that sets path to content, or
// removes path when content is nil. It returns the new commit hash.
func CommitFile(repoDir, branch, path string, content []byte, msg string) (string, error) {
	return CommitFiles(repoDir, branch, map[string][]byte{path: content}, msg)
}

// CommitFiles is CommitFile for several files in one commit (nil content removes the file).
func CommitFiles(repoDir, branch string, files map[string][]byte, msg string) (string, error) {
	idx, err := os.CreateTemp("", "gitserver-index-")
	if err != nil {
		return "", err
	}
	idxPath := idx.Name()
	_ = idx.Close()
	_ = os.Remove(idxPath) // git wants to create the index itself
	defer os.Remove(idxPath)
	env := []string{"GIT_INDEX_FILE=" + idxPath}

	ref := "refs/heads/" + branch
	parent := ""
	if out, err := run(repoDir, nil, nil, "rev-parse", "--verify", "--quiet", ref); err == nil {
		parent = strings.TrimSpace(string(out))
	}
	if parent != "" {
		if _, err := run(repoDir, env, nil, "read-tree", parent); err != nil {
			return "", err
		}
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var info bytes.Buffer
	for _, p := range paths {
		content := files[p]
		if content == nil {
			fmt.Fprintf(&info, "0 %s\t%s\n", strings.Repeat("0", 40), p)
			continue
		}
		out, err := run(repoDir, nil, content, "hash-object", "-w", "--stdin")
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&info, "100644 %s\t%s\n", strings.TrimSpace(string(out)), p)
	}
	if _, err := run(repoDir, env, info.Bytes(), "update-index", "--index-info"); err != nil {
		return "", err
	}
	out, err := run(repoDir, env, nil, "write-tree")
	if err != nil {
		return "", err
	}
	tree := strings.TrimSpace(string(out))
	args := []string{"commit-tree", tree, "-m", msg}
	if parent != "" {
		args = append(args, "-p", parent)
	}
	out, err = run(repoDir, nil, nil, args...)
	if err != nil {
		return "", err
	}
	commit := strings.TrimSpace(string(out))
	old := parent
	if old == "" {
		old = strings.Repeat("0", 40)
	}
	if _, err := run(repoDir, nil, nil, "update-ref", "-m", msg, ref, commit, old); err != nil {
		return "", err
	}
	return commit, nil
}

// httpBackendPath finds git-http-backend under `git --exec-path`.
func httpBackendPath() (string, error) {
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		return "", fmt.Errorf("gitserver: git --exec-path: %w", err)
	}
	p := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("gitserver: git-http-backend not found: %w", err)
	}
	return p, nil
}

// run runs git in dir (a bare repository, or "" for none) with a fixed identity and no user config.
func run(dir string, env []string, stdin []byte, args ...string) ([]byte, error) {
	if dir != "" {
		args = append([]string{"--git-dir", dir}, args...)
	}
	cmd := exec.Command("git", args...)
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Out Of Band",
		"GIT_AUTHOR_EMAIL=oob@example.invalid",
		"GIT_COMMITTER_NAME=Out Of Band",
		"GIT_COMMITTER_EMAIL=oob@example.invalid",
	)
	cmd.Env = append(cmd.Env, env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("gitserver: git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

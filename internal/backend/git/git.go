// Package git is the Git backend of the saga: every fabric object is one YAML file in a Git repository,
// written by a commit pushed to one branch (never force-pushed, never rewriting history).
//
// Layout: <PathPrefix>/<kind lowercased>/<name>.yaml, e.g. fabric/vpc/vpc-1.yaml. Objects in the default
// namespace (the only one this fabric uses) have no namespace directory; an object in another namespace is
// stored at <PathPrefix>/<kind lowercased>/<namespace>/<name>.yaml. The file content is exactly
// backend.YAML(obj). An object is owned when metadata.annotations contains backend.OwnerAnnotation.
//
// Timeouts and retries of the HTTP(S) transport come from package guard (see New); waiting for the
// process-wide lock honours the caller's context.
//
// Mechanics: the backend keeps a bare, single-branch, shallow clone in memory (go-git memory storage, no work
// tree): every fetch has depth 1, so only the branch head's commit and tree are transferred and no history is
// ever walked; the clone is dropped and fetched again when its objects exceed maxCloneBytes. Every read takes
// a process-wide lock for the repository and branch, then fetches. Writes are group commits (group.go): the
// writes that wait for the repository together are applied on the fetched remote head (equivalent to a hard
// reset to the remote head followed by the edits), each judged against the tree it is applied to, committed
// once and pushed once. When the push fails because the remote head moved (another writer), the group is
// re-applied on the new head, up to maxAttempts times. A write that changes nothing is in no commit.
package git

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/transport"
	gitclient "github.com/go-git/go-git/v5/plumbing/transport/client"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/guard"
	redactpkg "github.com/githedgehog/terraform-provider-hedgehog/internal/redact"
)

// Defaults applied by New.
const (
	DefaultBranch      = "main"
	DefaultPathPrefix  = "fabric"
	DefaultAuthorName  = "terraform-provider-hedgehog"
	DefaultAuthorEmail = "terraform-provider-hedgehog@noreply.githedgehog.com"
	DefaultTokenUser   = "x-access-token"
)

// Config configures the Git backend.
type Config struct {
	// URL of the repository: https://, http://, ssh://, scp-like (git@host:org/repo.git) or file://.
	URL string
	// Branch to read and push (default "main").
	Branch string
	// PathPrefix is the directory holding the objects (default "fabric").
	PathPrefix string
	// Token is sent as HTTP basic auth password with Username (default "x-access-token").
	Token string
	// Username and Password are HTTP basic auth credentials (used when Token is empty).
	Username string
	Password string
	// SSHPrivateKey is a PEM private key for ssh:// and scp-like URLs, with optional passphrase.
	SSHPrivateKey    string
	SSHKeyPassphrase string
	// SSHKnownHosts is known_hosts content (or the path of a known_hosts file) to verify the server key.
	// When empty the user's known_hosts files are used.
	SSHKnownHosts string
	// SSHInsecureIgnoreHostKey skips host key verification (tests only).
	SSHInsecureIgnoreHostKey bool
	// AuthorName and AuthorEmail sign the commits.
	AuthorName  string
	AuthorEmail string
	// CommitMessagePrefix is put verbatim in front of every commit message (e.g. "[hedgehog] ").
	CommitMessagePrefix string
}

// Backend is the Git backend. It is safe for concurrent use.
type Backend struct {
	cfg Config

	// lock serializes every operation on the repository and branch in this process; it also guards repo.
	// Waiting for it honours the caller's context (Ctrl-C, operation timeout).
	lock *repoMutex
	repo *gogit.Repository
	mem  *memory.Storage
	// last is the remote head this process fetched or pushed last, at lastAt (Preflight reuses it briefly).
	last   snapshot
	lastAt time.Time
	// capBytes overrides maxCloneBytes (tests); resets counts the clones dropped for the cap.
	capBytes int64
	resets   int
	// baseBytes is the clone's size right after its first fetch (the branch head alone); see maxBytes.
	baseBytes int64
	auth      transport.AuthMethod
	// authErr is set when the auth configuration is unusable (reported on first use).
	authErr error
	authSet bool

	// queue gathers the writes of this configuration in the process into group commits (group.go).
	queue *queue

	// beforePush, when set (tests), runs after the commit is made and before it is pushed.
	beforePush func()
}

var _ backend.Backend = (*Backend)(nil)

var (
	locksMu sync.Mutex
	locks   = map[string]*repoMutex{}
)

// repoMutex is a mutex whose waiters give up when their context ends.
type repoMutex struct{ ch chan struct{} }

// LockContext takes the lock, or returns an error naming the wait when ctx ends first.
func (m *repoMutex) LockContext(ctx context.Context) error {
	select {
	case m.ch <- struct{}{}:
		return nil
	default:
	}
	select {
	case m.ch <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for another operation on the repository in this process: %w", context.Cause(ctx))
	}
}

// Lock takes the lock without a context.
func (m *repoMutex) Lock() { m.ch <- struct{}{} }

// Unlock releases the lock.
func (m *repoMutex) Unlock() { <-m.ch }

// repoLock returns the process-wide lock of a repository and branch.
func repoLock(key string) *repoMutex {
	locksMu.Lock()
	defer locksMu.Unlock()
	m, ok := locks[key]
	if !ok {
		m = &repoMutex{ch: make(chan struct{}, 1)}
		locks[key] = m
	}
	return m
}

// New returns a Git backend. It does not touch the network: the repository is fetched on first use.
func New(cfg Config) *Backend {
	if cfg.Branch == "" {
		cfg.Branch = DefaultBranch
	}
	cfg.PathPrefix = strings.Trim(cfg.PathPrefix, "/")
	if cfg.PathPrefix == "" {
		cfg.PathPrefix = DefaultPathPrefix
	}
	if cfg.AuthorName == "" {
		cfg.AuthorName = DefaultAuthorName
	}
	if cfg.AuthorEmail == "" {
		cfg.AuthorEmail = DefaultAuthorEmail
	}
	installHTTP.Do(func() {
		// go-git's protocol registry is process-wide: one client serves every Git backend of the process,
		// and its transport applies the request timeout and retries of the guard on each request's context
		// (the guarded backend puts it there), or the defaults when there is none.
		c := githttp.NewClient(&http.Client{Transport: guard.ContextTransport(nil, guard.New(backend.Git, guard.Config{}))})
		gitclient.InstallProtocol("http", c)
		gitclient.InstallProtocol("https", c)
	})
	return &Backend{cfg: cfg, lock: repoLock(cfg.URL + "\x00" + cfg.Branch), queue: queueOf(cfg)}
}

var installHTTP sync.Once

// Name is backend.Git.
func (b *Backend) Name() string { return backend.Git }

// Handles is true for every kind: Git stores every object.
func (b *Backend) Handles(string) bool { return true }

// Describe names the file and branch the object is committed to.
func (b *Backend) Describe(obj backend.Object) string {
	p, err := b.path(obj.Ref)
	if err != nil {
		return "git: invalid object: " + err.Error()
	}
	return fmt.Sprintf("git: commit %s to branch %s of %s", p, b.cfg.Branch, redact(b.cfg.URL))
}

// Digest is backend.ManifestDigest of the object's manifest.
func (b *Backend) Digest(obj backend.Object) string { return backend.ManifestDigest(obj.Manifest) }

// Predict implements backend.Predictor: the file path is known before the write.
func (b *Backend) Predict(obj backend.Object) map[string]string {
	p, err := b.path(obj.Ref)
	if err != nil {
		return nil
	}
	return map[string]string{"path": p}
}

// Path returns the file that holds the object.
func (b *Backend) Path(ref backend.Ref) (string, error) { return b.path(ref) }

func (b *Backend) path(ref backend.Ref) (string, error) {
	if err := validSegment("kind", ref.Kind); err != nil {
		return "", err
	}
	if err := validSegment("name", ref.Name); err != nil {
		return "", err
	}
	dir := b.kindDir(ref.Kind)
	if ns := ref.Namespace; ns != "" && ns != "default" {
		if err := validSegment("namespace", ns); err != nil {
			return "", err
		}
		dir += "/" + ns
	}
	return dir + "/" + ref.Name + ".yaml", nil
}

func (b *Backend) kindDir(kind string) string {
	k := strings.ToLower(kind)
	if b.cfg.PathPrefix == "." {
		return k
	}
	return b.cfg.PathPrefix + "/" + k
}

func validSegment(what, s string) error {
	if s == "" || s == "." || s == ".." || strings.ContainsAny(s, "/\\\x00") {
		return fmt.Errorf("invalid %s %q for a file path", what, s)
	}
	return nil
}

// redact hides the credentials of a URL, the username position included (redact.URL).
func redact(raw string) string { return redactpkg.URL(raw) }

func wrap(op string, ref backend.Ref, err error) error {
	if err == nil {
		return nil
	}
	return &backend.Error{Backend: backend.Git, Op: op, Ref: ref, Err: redactpkg.Error(err)}
}

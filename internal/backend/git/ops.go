package git

import (
	"context"
	"errors"
	"fmt"
	"strings"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/memory"
	"sigs.k8s.io/yaml"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
)

// RestoreData is this backend's State.Restore: the exact file an object had (or its absence).
type RestoreData struct {
	Path    string
	Exists  bool
	Content []byte
	// Audit is the audit of the write that returned this prior state: a rollback commit carries it, with
	// operation "rollback".
	Audit *backend.Audit `json:",omitempty"`
}

// Get reads the object's file at the freshly fetched branch head.
func (b *Backend) Get(ctx context.Context, ref backend.Ref) (backend.State, error) {
	p, err := b.path(ref)
	if err != nil {
		return backend.State{}, wrap("get", ref, err)
	}
	if err := b.lock.LockContext(ctx); err != nil {
		return backend.State{}, wrap("get", ref, err)
	}
	defer b.lock.Unlock()
	s, err := b.fetch(ctx)
	if err != nil {
		return backend.State{}, wrap("get", ref, err)
	}
	f, err := b.read(s, p)
	if err != nil {
		return backend.State{}, wrap("get", ref, err)
	}
	// The checkpoint commit is the fetched head, which holds the file as read: no walk of history (an import
	// or a data source read costs one fetch, whatever the repository's age). Refresh keeps a state's commit
	// while the blob is unchanged (provider Read), so it does not move when other objects are committed.
	return stateOf(ref, f, s.head), nil
}

// List fetches once and reads every object of the kind. Keys are names; objects outside the default
// namespace are keyed "<namespace>/<name>".
func (b *Backend) List(ctx context.Context, kind string) (map[string]backend.State, error) {
	ref := backend.Ref{Kind: kind}
	if err := validSegment("kind", kind); err != nil {
		return nil, wrap("list", ref, err)
	}
	if err := b.lock.LockContext(ctx); err != nil {
		return nil, wrap("list", ref, err)
	}
	defer b.lock.Unlock()
	s, err := b.fetch(ctx)
	if err != nil {
		return nil, wrap("list", ref, err)
	}
	out := map[string]backend.State{}
	if s.tree == nil {
		return out, nil
	}
	dir := b.kindDir(kind)
	t, err := s.tree.Tree(dir)
	if errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrEntryNotFound) {
		return out, nil
	}
	if err != nil {
		return nil, wrap("list", ref, err)
	}
	add := func(t *object.Tree, ns, dir string) error {
		for _, e := range t.Entries {
			name, ok := strings.CutSuffix(e.Name, ".yaml")
			if !ok || !e.Mode.IsFile() || name == "" {
				continue
			}
			content, err := b.blob(e.Hash)
			if err != nil {
				return err
			}
			r := backend.Ref{Kind: kind, Namespace: ns, Name: name}
			key := name
			if ns != "default" {
				key = ns + "/" + name
			}
			f := file{path: dir + "/" + e.Name, exists: true, content: content, blob: e.Hash}
			out[key] = stateOf(r, f, s.head)
		}
		return nil
	}
	if err := add(t, "default", dir); err != nil {
		return nil, wrap("list", ref, err)
	}
	for _, e := range t.Entries {
		if e.Mode != filemode.Dir {
			continue
		}
		sub, err := t.Tree(e.Name)
		if err != nil {
			return nil, wrap("list", ref, err)
		}
		if err := add(sub, e.Name, dir+"/"+e.Name); err != nil {
			return nil, wrap("list", ref, err)
		}
	}
	return out, nil
}

// Put writes backend.YAML(obj) to the object's file in one commit (none when the file already has exactly
// that content). What the file holds at the head the commit is built on is judged by in.Authorize.
func (b *Backend) Put(ctx context.Context, obj backend.Object, in backend.Intent) (backend.State, backend.State, error) {
	content, err := backend.YAML(obj)
	if err != nil {
		return backend.State{}, backend.State{}, wrap("put", obj.Ref, err)
	}
	p, err := b.path(obj.Ref)
	if err != nil {
		return backend.State{}, backend.State{}, wrap("put", obj.Ref, err)
	}
	o := b.write(ctx, change{ref: obj.Ref, path: p, content: content, intent: &in, audit: &in.Audit})
	if oe, ok := backend.AsOwnership(o.err); ok {
		return backend.State{}, backend.State{}, oe
	}
	if o.err != nil {
		return backend.State{}, backend.State{}, wrap("put", obj.Ref, o.err)
	}
	prior := withAudit(stateOf(obj.Ref, o.prior, o.base), in.Audit)
	after := stateOf(obj.Ref, file{path: p, exists: true, content: content, blob: o.blob}, o.head())
	return prior, after, nil
}

// Delete removes the object's file in one commit (none when it is already absent) and returns the prior
// state. A file that is not the one the state recorded is left alone (an *OwnershipError with Left).
func (b *Backend) Delete(ctx context.Context, ref backend.Ref, in backend.Intent) (backend.State, error) {
	p, err := b.path(ref)
	if err != nil {
		return backend.State{}, wrap("delete", ref, err)
	}
	if in.Op != backend.OpRecover {
		in.Op = backend.OpDelete
	}
	o := b.write(ctx, change{ref: ref, path: p, intent: &in, audit: &in.Audit})
	if oe, ok := backend.AsOwnership(o.err); ok {
		return backend.State{}, oe
	}
	if o.err != nil {
		return backend.State{}, wrap("delete", ref, o.err)
	}
	return withAudit(stateOf(ref, o.prior, o.base), in.Audit), nil
}

// withAudit keeps the write's audit in the prior state, so that its rollback commit names it too.
func withAudit(st backend.State, a backend.Audit) backend.State {
	if rd, ok := st.Restore.(RestoreData); ok && a.Owner != "" {
		a.Op = "rollback"
		rd.Audit = &a
		st.Restore = rd
	}
	return st
}

// found describes a file for backend.Intent.Authorize. A file is the one the state recorded when its blob
// is the checkpoint's, or when it still carries this owner's mark (a hand edit of our own file is drift to
// converge, not another party's object).
func found(f file, in backend.Intent) backend.Found {
	if !f.exists {
		return backend.Found{}
	}
	fd := backend.Found{Exists: true, What: "file " + f.path + " (blob " + f.blob.String()[:12] + ")"}
	if m, err := parseManifest(f.content); err == nil {
		fd.Owner, fd.Marked = backend.OwnerOfAnnotations(annotationsOf(m))
	}
	if blob := in.Expect["blob"]; blob != "" {
		fd.Same = backend.SameMismatch
		if f.blob.String() == blob || (fd.Marked && fd.Owner == in.Owner) {
			fd.Same = backend.SameMatch
		}
	}
	return fd
}

// Preflight implements backend.Backend: the file at the remote head, fetched unless this process fetched or
// pushed it within preflightFresh, judged by in.Authorize; the write is judged again when committed.
func (b *Backend) Preflight(ctx context.Context, ref backend.Ref, obj *backend.Object, in backend.Intent) error {
	p, err := b.path(ref)
	if err != nil {
		return wrap("preflight", ref, err)
	}
	if obj == nil && in.Op != backend.OpRecover {
		in.Op = backend.OpDelete
	}
	if err := b.lock.LockContext(ctx); err != nil {
		return wrap("preflight", ref, err)
	}
	defer b.lock.Unlock()
	s, err := b.recent(ctx)
	if err != nil {
		return wrap("preflight", ref, err)
	}
	f, err := b.read(s, p)
	if err != nil {
		return wrap("preflight", ref, err)
	}
	err = in.Authorize(backend.Git, ref, found(f, in))
	if oe, ok := backend.AsOwnership(err); err == nil || ok && oe.Left {
		// The write will come: a group commit that is gathering waits for it.
		b.queue.announce(p)
	}
	return err
}

// Restore is the compensation: a new commit ("<prefix>rollback <Kind> <ns>/<name>") that puts the prior file
// back byte for byte, or removes the file when prior did not exist. History is never rewritten.
func (b *Backend) Restore(ctx context.Context, ref backend.Ref, prior backend.State) error {
	p, err := b.path(ref)
	if err != nil {
		return wrap("restore", ref, err)
	}
	c := change{ref: ref, path: p, op: "rollback"}
	switch rd := prior.Restore.(type) {
	case RestoreData:
		c.path, c.content = restoreTarget(p, rd)
		c.audit = rd.Audit
	case *RestoreData:
		c.path, c.content = restoreTarget(p, *rd)
		c.audit = rd.Audit
	default:
		if prior.Exists {
			if prior.Object == nil {
				return wrap("restore", ref, errors.New("prior state has no content to restore"))
			}
			if c.content, err = backend.YAML(*prior.Object); err != nil {
				return wrap("restore", ref, err)
			}
		}
	}
	return wrap("restore", ref, b.write(ctx, c).err)
}

func restoreTarget(def string, rd RestoreData) (string, []byte) {
	p := def
	if rd.Path != "" {
		p = rd.Path
	}
	if !rd.Exists {
		return p, nil
	}
	if rd.Content == nil {
		return p, []byte{}
	}
	return p, rd.Content
}

// Check is the integration stage: it lists the remote's refs (reachability and credentials) and requires the
// branch to exist, unless the repository is empty (no ref at all): then the first write creates the branch,
// and Check returns a backend.CheckNotice that says so. Whether pushes are permitted cannot be checked without pushing, so it is not checked:
// a refused push surfaces on the first write and is rolled back by the saga.
func (b *Backend) Check(ctx context.Context) error {
	if b.cfg.URL == "" {
		return wrap("check", backend.Ref{}, errors.New("no repository URL configured"))
	}
	if err := b.lock.LockContext(ctx); err != nil {
		return wrap("check", backend.Ref{}, err)
	}
	auth, err := b.authMethod()
	b.lock.Unlock()
	if err != nil {
		return wrap("check", backend.Ref{}, err)
	}
	r := gogit.NewRemote(memory.NewStorage(), &config.RemoteConfig{Name: remoteName, URLs: []string{b.cfg.URL}})
	refs, err := r.ListContext(ctx, &gogit.ListOptions{Auth: auth})
	if err != nil && !errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return wrap("check", backend.Ref{}, fmt.Errorf("ls-remote %s: %w", redact(b.cfg.URL), b.explain(err)))
	}
	for _, ref := range refs {
		if ref.Name() == b.branchRef() {
			return nil
		}
	}
	if len(refs) == 0 || errors.Is(err, transport.ErrEmptyRemoteRepository) {
		// An empty repository (no branch at all, e.g. just created on the Git host): the first write creates
		// the branch with its first commit.
		return &backend.CheckNotice{Msg: fmt.Sprintf("the repository %s is empty: the first apply creates branch %q with its first commit",
			redact(b.cfg.URL), b.cfg.Branch)}
	}
	return wrap("check", backend.Ref{}, fmt.Errorf("branch %q does not exist in %s", b.cfg.Branch, redact(b.cfg.URL)))
}

// stateOf is the backend.State of a file read at commit head.
func stateOf(ref backend.Ref, f file, head plumbing.Hash) backend.State {
	st := backend.State{
		Exists:     f.exists,
		Checkpoint: map[string]string{"path": f.path},
		Restore:    RestoreData{Path: f.path, Exists: f.exists, Content: f.content},
	}
	if !head.IsZero() {
		st.Checkpoint["commit"] = head.String()
	}
	if !f.exists {
		return st
	}
	st.Checkpoint["blob"] = f.blob.String()
	m, err := parseManifest(f.content)
	if err != nil {
		// Unparseable content is drift: it matches no desired digest and is not owned.
		st.Digest = "invalid-yaml:" + f.blob.String()
		return st
	}
	obj := &backend.Object{Ref: ref, Manifest: m}
	if obj.Namespace == "" {
		obj.Namespace = "default"
	}
	if k, ok := m["kind"].(string); ok && k != "" {
		obj.Kind = k
	}
	obj.APIVersion, _ = m["apiVersion"].(string)
	st.Object = obj
	st.Owner, st.Owned = backend.OwnerOfAnnotations(annotationsOf(m))
	st.Digest = backend.ManifestDigest(m)
	return st
}

func parseManifest(content []byte) (map[string]any, error) {
	var m map[string]any
	if err := yaml.Unmarshal(content, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("empty manifest")
	}
	return m, nil
}

func annotationsOf(m map[string]any) map[string]string {
	md, _ := m["metadata"].(map[string]any)
	ann, _ := md["annotations"].(map[string]any)
	out := make(map[string]string, len(ann))
	for k, v := range ann {
		out[k] = fmt.Sprint(v)
	}
	return out
}

package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/client"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
)

// maxAttempts bounds how often a write is re-applied on a moved remote head.
const maxAttempts = 12

const remoteName = "origin"

// snapshot is the fetched remote branch: head is zero (and tree nil) when the branch does not exist.
type snapshot struct {
	head plumbing.Hash
	tree *object.Tree
}

// file is one path as read from a snapshot.
type file struct {
	path    string
	exists  bool
	content []byte
	blob    plumbing.Hash
}

// change is one edit of a write: content nil removes the file.
type change struct {
	ref     backend.Ref
	path    string
	content []byte
	// intent, when set, judges the file found at each attempt's head (backend.Intent.Authorize).
	intent *backend.Intent
	// audit, when set, says who writes and why: it becomes the commit message's trailers.
	audit *backend.Audit
	// line, when set, replaces the "<verb> <Kind> <ns>/<name>" line of the commit message (the journal).
	line string
	// op, when set, is the verb of the message line ("rollback"); else create/update/delete from the prior file.
	op string
}

// maxBytes is the size past which the clone is dropped: maxCloneBytes, or twice the size of the last fresh
// fetch when the branch head alone is that large (else every fetch would drop the clone and fetch it whole).
func (b *Backend) maxBytes() int64 {
	if b.capBytes > 0 {
		return b.capBytes
	}
	return max(maxCloneBytes, 2*b.baseBytes)
}

// open lazily creates the in-memory clone. Callers hold b.lock.
func (b *Backend) open() error {
	if b.repo != nil {
		return nil
	}
	if b.cfg.URL == "" {
		return errors.New("no repository URL configured")
	}
	if _, err := b.authMethod(); err != nil {
		return err
	}
	mem := memory.NewStorage()
	repo, err := gogit.Init(mem, nil)
	if err != nil {
		return err
	}
	_, err = repo.CreateRemote(&config.RemoteConfig{
		Name:  remoteName,
		URLs:  []string{b.cfg.URL},
		Fetch: []config.RefSpec{b.fetchSpec()},
	})
	if err != nil {
		return err
	}
	b.repo, b.mem = repo, mem
	return nil
}

// maxCloneBytes caps the objects the in-memory clone keeps. Each fetch is shallow (depth 1: the branch head's
// commit and tree, never its history), but the clone accumulates the objects of every commit fetched or made
// by this process; past the cap it is dropped and fetched again at depth 1. Every commit adds a new copy of
// each tree on the written file's path: with 2,000 VPCs in one directory that tree is about 90 KB, so 8 MiB is
// about 90 commits between drops, and a drop costs one fetch of the head (about 1.5 MB there). It was 64 MiB,
// most of the provider's heap at that size (DECISIONS 41).
const maxCloneBytes = 8 << 20

// cloneBytes is the size of the objects held by the in-memory clone. Callers hold b.lock.
func (b *Backend) cloneBytes() int64 {
	if b.mem == nil {
		return 0
	}
	var n int64
	for _, o := range b.mem.ObjectStorage.Objects {
		n += o.Size()
	}
	return n
}

func (b *Backend) branchRef() plumbing.ReferenceName {
	return plumbing.NewBranchReferenceName(b.cfg.Branch)
}

func (b *Backend) trackingRef() plumbing.ReferenceName {
	return plumbing.NewRemoteReferenceName(remoteName, b.cfg.Branch)
}

func (b *Backend) fetchSpec() config.RefSpec {
	return config.RefSpec("+" + b.branchRef().String() + ":" + b.trackingRef().String())
}

// dropClone forgets the clone; the next fetch starts a fresh one (depth 1). Callers hold b.lock.
func (b *Backend) dropClone() {
	b.repo, b.mem = nil, nil
	b.lastAt = time.Time{}
	b.resets++
}

// fetch brings the remote branch's head commit and tree into the clone (depth 1: no history) and returns it.
// Callers hold b.lock.
func (b *Backend) fetch(ctx context.Context) (snapshot, error) {
	if b.repo != nil && b.cloneBytes() > b.maxBytes() {
		b.dropClone()
	}
	fresh := b.repo == nil
	if err := b.open(); err != nil {
		return snapshot{}, err
	}
	err := b.repo.FetchContext(ctx, &gogit.FetchOptions{
		RemoteName: remoteName,
		RefSpecs:   []config.RefSpec{b.fetchSpec()},
		Auth:       b.auth,
		Tags:       gogit.NoTags,
		Force:      true,
		Depth:      1,
	})
	switch {
	case err == nil, errors.Is(err, gogit.NoErrAlreadyUpToDate):
	case errors.Is(err, transport.ErrEmptyRemoteRepository), errors.Is(err, gogit.NoMatchingRefSpecError{}):
		// The branch does not exist (yet): a write creates it.
		_ = b.repo.Storer.RemoveReference(b.trackingRef())
		return b.remember(snapshot{}), nil
	default:
		return snapshot{}, fmt.Errorf("fetch %s: %w", b.cfg.Branch, b.explain(err))
	}
	if fresh {
		b.baseBytes = b.cloneBytes()
	}
	ref, err := b.repo.Reference(b.trackingRef(), true)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return snapshot{}, nil
	}
	if err != nil {
		return snapshot{}, err
	}
	c, err := b.repo.CommitObject(ref.Hash())
	if err != nil {
		return snapshot{}, err
	}
	t, err := c.Tree()
	if err != nil {
		return snapshot{}, err
	}
	return b.remember(snapshot{head: ref.Hash(), tree: t}), nil
}

// preflightFresh: a Preflight judges the head fetched (or pushed) by this process this recently instead of
// fetching again. Preflight only asks in advance: every write is judged again against the head its commit is
// built on, so a head this old can at worst let a write start that its commit then refuses (and the saga rolls
// back), or refuse a write another party made possible within that time.
const preflightFresh = time.Second

// remember keeps s as the last known remote head (the branch missing included). Callers hold b.lock.
func (b *Backend) remember(s snapshot) snapshot {
	b.last, b.lastAt = s, time.Now()
	return s
}

// recent returns the remote head fetched or pushed within preflightFresh, else fetches. Callers hold b.lock.
func (b *Backend) recent(ctx context.Context) (snapshot, error) {
	if b.repo != nil && !b.lastAt.IsZero() && time.Since(b.lastAt) < preflightFresh {
		return b.last, nil
	}
	return b.fetch(ctx)
}

// read returns path as it is in the snapshot.
func (b *Backend) read(s snapshot, path string) (file, error) {
	f := file{path: path}
	if s.tree == nil {
		return f, nil
	}
	e, err := s.tree.FindEntry(path)
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		return f, nil
	}
	if err != nil {
		return f, err
	}
	return b.readEntry(f, e)
}

// readStaged returns path as it is staged so far in a group commit.
func (b *Backend) readStaged(s *stage, path string) (file, error) {
	e, ok, err := s.entry(path)
	if err != nil || !ok {
		return file{path: path}, err
	}
	return b.readEntry(file{path: path}, &e)
}

func (b *Backend) readEntry(f file, e *object.TreeEntry) (file, error) {
	if !e.Mode.IsFile() {
		return f, fmt.Errorf("%s is not a file", f.path)
	}
	content, err := b.blob(e.Hash)
	if err != nil {
		return f, err
	}
	f.exists, f.content, f.blob = true, content, e.Hash
	return f, nil
}

func (b *Backend) blob(h plumbing.Hash) ([]byte, error) {
	bl, err := b.repo.BlobObject(h)
	if err != nil {
		return nil, err
	}
	r, err := bl.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// backoff is a random wait in [0, 10ms*2^attempt), capped at 1s, so racing writers spread out.
func backoff(attempt int) time.Duration {
	limit := 10 * time.Millisecond << min(attempt, 7)
	return time.Duration(rand.Int64N(int64(min(limit, time.Second))))
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// message builds the commit message: "<prefix><verb> <Kind> <ns>/<name>" for one write; for several (a group
// commit) a summary line ("<prefix>apply N objects", "rollback N objects" when all are rollbacks, "journal: N
// entries" for the journal) and one such line per write, in the order of the trailer pairs.
func (b *Backend) message(edits []change, existed []bool) string {
	verb := func(i int) string {
		switch {
		case edits[i].op != "":
			return edits[i].op
		case edits[i].content == nil:
			return "delete"
		case existed[i]:
			return "update"
		}
		return "create"
	}
	line := func(i int) string {
		c := edits[i]
		if c.line != "" {
			return c.line
		}
		ns := c.ref.Namespace
		if ns == "" {
			ns = "default"
		}
		return verb(i) + " " + c.ref.Kind + " " + ns + "/" + c.ref.Name
	}
	if len(edits) == 1 {
		return b.cfg.CommitMessagePrefix + line(0)
	}
	name, unit := "apply", "objects"
	journal, sameOp := true, edits[0].op != ""
	for _, c := range edits {
		journal = journal && c.line != ""
		sameOp = sameOp && c.op == edits[0].op
	}
	switch {
	case journal:
		name, unit = "journal:", "entries"
	case sameOp:
		name = edits[0].op
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s%s %d %s\n\n", b.cfg.CommitMessagePrefix, name, len(edits), unit)
	for i := range edits {
		sb.WriteString(line(i) + "\n")
	}
	return sb.String()
}

// Commit message trailers of the audit trail (git interpret-trailers format).
const (
	TrailerOwner     = "Hedgehog-Owner"
	TrailerResource  = "Hedgehog-Resource"
	TrailerOperation = "Hedgehog-Operation"
	TrailerRunID     = "Hedgehog-Run-Id"
	TrailerWorkspace = "Hedgehog-Workspace"
	TrailerVCSCommit = "Hedgehog-VCS-Commit"
)

// trailers renders the audit of the edits as a trailer block ("" when no edit carries an audit with an
// owner): a blank line, then "Key: value" lines. For one write: Hedgehog-Owner, -Resource, -Operation and the
// Terraform Cloud keys. For a group commit each write keeps its own Hedgehog-Resource and Hedgehog-Operation, as
// a pair in the order of the message's lines (the n-th Operation belongs to the n-th Resource); Owner, Run-Id,
// Workspace and VCS-Commit are written once per distinct value (once in practice: one process, one owner, one run).
func trailers(edits []change) string {
	var audits []*backend.Audit
	for _, c := range edits {
		if c.audit != nil && c.audit.Owner != "" {
			audits = append(audits, c.audit)
		}
	}
	if len(audits) == 0 {
		return ""
	}
	var sb strings.Builder
	sb.WriteString("\n\n")
	add := func(k, v string) {
		if v = oneLine(v); v != "" {
			sb.WriteString(k + ": " + v + "\n")
		}
	}
	each := func(k string, get func(*backend.Audit) string) {
		var seen []string
		for _, a := range audits {
			if v := oneLine(get(a)); v != "" && !contains(seen, v) {
				seen = append(seen, v)
				add(k, v)
			}
		}
	}
	each(TrailerOwner, func(a *backend.Audit) string { return a.Owner })
	for _, a := range audits {
		add(TrailerResource, a.Resource)
		add(TrailerOperation, a.Op)
	}
	each(TrailerRunID, func(a *backend.Audit) string { return a.RunID })
	each(TrailerWorkspace, func(a *backend.Audit) string { return a.Workspace })
	each(TrailerVCSCommit, func(a *backend.Audit) string { return a.VCSCommit })
	return sb.String()
}

// oneLine keeps a trailer value on one line.
func oneLine(s string) string {
	return strings.TrimSpace(strings.Join(strings.Fields(s), " "))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// commit writes a commit of tree root (zero: the empty tree) on top of parent (zero: none) and points the
// local branch at it.
func (b *Backend) commit(parent, root plumbing.Hash, msg string) (plumbing.Hash, error) {
	st := b.repo.Storer
	now := time.Now()
	sig := object.Signature{Name: b.cfg.AuthorName, Email: b.cfg.AuthorEmail, When: now}
	c := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: root}
	if !parent.IsZero() {
		c.ParentHashes = []plumbing.Hash{parent}
	}
	o := st.NewEncodedObject()
	if err := c.Encode(o); err != nil {
		return plumbing.ZeroHash, err
	}
	h, err := st.SetEncodedObject(o)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if err := st.SetReference(plumbing.NewHashReference(b.branchRef(), h)); err != nil {
		return plumbing.ZeroHash, err
	}
	return h, nil
}

// push makes the remote branch commit, on the condition that it is still at base (zero: the branch does not
// exist), sending objs, the objects the commit adds, as the pack. go-git's own push finds what to send by
// walking the whole tree of the new commit and of the remote's head, which costs every push as much as the
// repository holds files (DECISIONS 44); the group commit knows exactly what it wrote. The remote refuses the
// update when the branch moved after our fetch (receive-pack compares the old value), and so do we, before
// sending, when its advertised head is not base. Never forces.
func (b *Backend) push(ctx context.Context, base, commit plumbing.Hash, objs []plumbing.Hash) error {
	var remoteOut bytes.Buffer
	err := b.sendPack(ctx, base, commit, objs, &remoteOut)
	if err == nil {
		// As go-git's push does: the remote-tracking ref follows what the remote now holds.
		_ = b.repo.Storer.SetReference(plumbing.NewHashReference(b.trackingRef(), commit))
		return nil
	}
	msg := fmt.Sprintf("push %s to branch %s: %v", commit, b.cfg.Branch, b.explain(err))
	if out := remoteMessages(remoteOut.String()); out != "" {
		msg += " (remote: " + out + ")"
	}
	return &pushError{msg: msg, err: err}
}

// errMoved: the remote branch is not where the commit was built (another writer pushed).
var errMoved = errors.New("the branch moved since it was fetched (another writer pushed)")

func (b *Backend) sendPack(ctx context.Context, base, commit plumbing.Hash, objs []plumbing.Hash, progress io.Writer) (err error) {
	ep, err := transport.NewEndpoint(b.cfg.URL)
	if err != nil {
		return err
	}
	c, err := client.NewClient(ep)
	if err != nil {
		return err
	}
	sess, err := c.NewReceivePackSession(ep, b.auth)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := sess.Close(); err == nil {
			err = cerr
		}
	}()
	ar, err := sess.AdvertisedReferencesContext(ctx)
	if err != nil {
		return err
	}
	refs, err := ar.AllReferences()
	if err != nil {
		return err
	}
	remote := plumbing.ZeroHash
	if r, ok := refs[b.branchRef()]; ok {
		remote = r.Hash()
	}
	if remote != base {
		return errMoved
	}
	req := packp.NewReferenceUpdateRequestFromCapabilities(ar.Capabilities)
	req.Progress = progress
	if ar.Capabilities.Supports(capability.Sideband64k) {
		_ = req.Capabilities.Set(capability.Sideband64k)
	} else if ar.Capabilities.Supports(capability.Sideband) {
		_ = req.Capabilities.Set(capability.Sideband)
	}
	req.Commands = []*packp.Command{{Name: b.branchRef(), Old: base, New: commit}}
	rd, wr := io.Pipe()
	req.Packfile = rd
	encoded := make(chan error, 1)
	go func() {
		_, err := packfile.NewEncoder(wr, b.repo.Storer, !ar.Capabilities.Supports(capability.OFSDelta)).Encode(objs, packWindow)
		encoded <- wr.CloseWithError(err)
	}()
	rs, err := sess.ReceivePack(ctx, req)
	if err != nil {
		_ = rd.Close() // ends the encoder's write
		return err
	}
	if err := <-encoded; err != nil {
		return err
	}
	if rs != nil {
		return rs.Error()
	}
	return nil
}

// packWindow is how many objects the pack encoder compares for deltas (go-git's default).
const packWindow = 10

type pushError struct {
	msg string
	err error
}

func (e *pushError) Error() string { return e.msg }
func (e *pushError) Unwrap() error { return e.err }

// remoteMessages keeps the remote's human messages (hook output), dropping progress meters.
func remoteMessages(s string) string {
	var lines []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
		l = strings.TrimSpace(l)
		if l == "" || strings.Contains(l, "%") {
			continue
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "; ")
}

func writeBlob(st storer.EncodedObjectStorer, content []byte) (plumbing.Hash, error) {
	o := st.NewEncodedObject()
	o.SetType(plumbing.BlobObject)
	o.SetSize(int64(len(content)))
	w, err := o.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(content); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return st.SetEncodedObject(o)
}

func writeTree(st storer.EncodedObjectStorer, entries []object.TreeEntry) (plumbing.Hash, error) {
	// Git orders tree entries by name, comparing a directory's name as if it ended in "/".
	key := func(e object.TreeEntry) string {
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	sort.Slice(entries, func(i, j int) bool { return key(entries[i]) < key(entries[j]) })
	o := st.NewEncodedObject()
	if err := (&object.Tree{Entries: entries}).Encode(o); err != nil {
		return plumbing.ZeroHash, err
	}
	return st.SetEncodedObject(o)
}

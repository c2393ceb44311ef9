package git

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
)

// JournalBranch is the branch that holds the saga journal. GitOps controllers read only the configured
// branch, so entries on this branch never reach a cluster. It is a branch (refs/heads/) rather than a
// custom ref such as refs/hedgehog/journal because every Git host accepts, protects and shows branches,
// while several hosts refuse or hide pushes to refs outside refs/heads and refs/tags (see DECISIONS.md).
const JournalBranch = "hedgehog-journal"

// Journal returns the saga journal kept in this repository: one file per open entry,
// <owner key>/<entry ID>.json, on branch JournalBranch. It shares this backend's configuration (URL,
// credentials, author, message prefix) and its commit/push machinery (one commit per change, retried on a
// moved head), with the process-wide lock of the journal branch; it never writes the GitOps branch.
func (b *Backend) Journal() backend.Journal {
	cfg := b.cfg
	cfg.Branch = JournalBranch
	cfg.PathPrefix = "."
	return &journal{b: New(cfg), gitops: b.cfg.Branch}
}

type journal struct {
	b      *Backend // the same repository, on JournalBranch
	gitops string   // the GitOps branch, never written here
}

var _ backend.Journal = (*journal)(nil)

func (j *journal) Where() string {
	return fmt.Sprintf("git branch %s of %s", JournalBranch, redact(j.b.cfg.URL))
}

func journalPath(owner, id string) string { return backend.OwnerKey(owner) + "/" + id + ".json" }

func (j *journal) write(ctx context.Context, verb string, e backend.JournalEntry, content []byte) error {
	ref := backend.Ref{Kind: "JournalEntry", Name: e.ID}
	if j.gitops == JournalBranch {
		return wrap("journal "+verb, ref, fmt.Errorf("the configured branch %q is the journal's branch; choose another branch for the fabric", JournalBranch))
	}
	if err := validSegment("journal entry id", e.ID); err != nil {
		return wrap("journal "+verb, ref, err)
	}
	ns := e.Ref.Namespace
	if ns == "" {
		ns = "default"
	}
	a := e.Audit
	a.Owner = e.Owner
	c := change{ref: e.Ref, path: journalPath(e.Owner, e.ID), content: content, audit: &a,
		line: fmt.Sprintf("journal: %s %s of %s %s/%s", verb, e.Op, e.Ref.Kind, ns, e.Ref.Name)}
	return wrap("journal "+verb, ref, j.b.write(ctx, c).err)
}

// Open commits the entry's file (creating or replacing it) to the journal branch.
func (j *journal) Open(ctx context.Context, e backend.JournalEntry) error {
	data, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return wrap("journal open", backend.Ref{Kind: "JournalEntry", Name: e.ID}, err)
	}
	return j.write(ctx, "open", e, append(data, '\n'))
}

// Close removes the entry's file (no commit when it is already gone).
func (j *journal) Close(ctx context.Context, e backend.JournalEntry) error {
	return j.write(ctx, "close", e, nil)
}

// Pending reads the files of the owner's folder at the freshly fetched head of the journal branch. A file
// that does not decode is an error naming it.
func (j *journal) Pending(ctx context.Context, owner string) ([]backend.JournalEntry, error) {
	dir := backend.OwnerKey(owner)
	ref := backend.Ref{Kind: "JournalEntry", Name: dir}
	j.b.lock.Lock()
	defer j.b.lock.Unlock()
	s, err := j.b.fetch(ctx)
	if err != nil {
		return nil, wrap("journal pending", ref, err)
	}
	if s.tree == nil {
		return nil, nil
	}
	t, err := s.tree.Tree(dir)
	if errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrEntryNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap("journal pending", ref, err)
	}
	var out []backend.JournalEntry
	for _, te := range t.Entries {
		if !te.Mode.IsFile() || !strings.HasSuffix(te.Name, ".json") {
			continue
		}
		content, err := j.b.blob(te.Hash)
		if err != nil {
			return nil, wrap("journal pending", ref, err)
		}
		var e backend.JournalEntry
		if err := json.Unmarshal(content, &e); err != nil {
			return nil, wrap("journal pending", ref, fmt.Errorf("journal entry %s on branch %s does not decode: %w", dir+"/"+te.Name, JournalBranch, err))
		}
		if e.Owner != owner {
			continue // an owner-key collision or a hand-made file: not this owner's entry
		}
		out = append(out, e)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out, nil
}

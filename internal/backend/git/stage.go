package git

import (
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// stage is the tree one group commit builds. Each directory a change touches is decoded from the base tree
// once, edited in memory, and encoded once when the commit is made (write), so a group of k changes in a
// directory of n files costs O(n + k) rather than the O(k·n) of writing the directory again for every change.
// It is not safe for concurrent use; commitGroup holds b.lock.
type stage struct {
	st   storer.EncodedObjectStorer
	root plumbing.Hash         // the root tree as last written (zero: empty)
	dirs map[string]*stagedDir // by directory path; "" is the root
	// written is every object the commit adds (trees written here, blobs and the commit recorded by added):
	// all that its push sends, since everything else it refers to came from the remote's head.
	written map[plumbing.Hash]struct{}
}

type stagedDir struct {
	entries map[string]object.TreeEntry
	dirty   bool
}

// newStage starts from the tree root (zero: the empty tree).
func newStage(st storer.EncodedObjectStorer, root plumbing.Hash) (*stage, error) {
	s := &stage{st: st, root: root, dirs: map[string]*stagedDir{}, written: map[plumbing.Hash]struct{}{}}
	d, err := s.load(root)
	if err != nil {
		return nil, err
	}
	s.dirs[""] = d
	return s, nil
}

func (s *stage) load(h plumbing.Hash) (*stagedDir, error) {
	d := &stagedDir{entries: map[string]object.TreeEntry{}}
	if h.IsZero() {
		return d, nil
	}
	t, err := object.GetTree(s.st, h)
	if err != nil {
		return nil, err
	}
	for _, e := range t.Entries {
		d.entries[e.Name] = e
	}
	return d, nil
}

// dir returns the staged directory at p, decoding it on first use. With create it makes the directories
// that are missing (their entries in the parents are filled in by write); without, it returns nil for a
// directory that does not exist.
func (s *stage) dir(p string, create bool) (*stagedDir, error) {
	if d, ok := s.dirs[p]; ok {
		return d, nil
	}
	parentPath, name := splitPath(p)
	parent, err := s.dir(parentPath, create)
	if parent == nil || err != nil {
		return nil, err
	}
	e, ok := parent.entries[name]
	switch {
	case ok && e.Mode != filemode.Dir:
		return nil, fmt.Errorf("%s is a file, not a directory", p)
	case ok:
		d, err := s.load(e.Hash)
		if err != nil {
			return nil, err
		}
		s.dirs[p] = d
		return d, nil
	case !create:
		return nil, nil
	}
	parent.entries[name] = object.TreeEntry{Name: name, Mode: filemode.Dir} // hash set by write
	d := &stagedDir{entries: map[string]object.TreeEntry{}}
	s.dirs[p] = d
	return d, nil
}

// entry returns the entry at the file path p as staged so far.
func (s *stage) entry(p string) (object.TreeEntry, bool, error) {
	dirPath, name := splitPath(p)
	d, err := s.dir(dirPath, false)
	if err != nil {
		// A file where a directory is expected: the path does not exist as a file.
		return object.TreeEntry{}, false, nil
	}
	if d == nil {
		return object.TreeEntry{}, false, nil
	}
	e, ok := d.entries[name]
	return e, ok, nil
}

// set puts blob at the file path p; a zero blob removes it. Directories left empty are dropped by write.
func (s *stage) set(p string, blob plumbing.Hash) error {
	dirPath, name := splitPath(p)
	d, err := s.dir(dirPath, !blob.IsZero())
	if err != nil {
		return err
	}
	if d == nil { // removing from a directory that does not exist
		return nil
	}
	if e, ok := d.entries[name]; ok && e.Mode == filemode.Dir {
		return fmt.Errorf("%s is a directory, not a file", p)
	}
	if blob.IsZero() {
		if _, ok := d.entries[name]; !ok {
			return nil
		}
		delete(d.entries, name)
	} else {
		d.entries[name] = object.TreeEntry{Name: name, Mode: filemode.Regular, Hash: blob}
	}
	// The directory and every one above it are encoded again by write.
	for q := dirPath; ; {
		s.dirs[q].dirty = true
		if q == "" {
			break
		}
		q, _ = splitPath(q)
	}
	return nil
}

// write encodes every directory set changed since the last write, deepest first, and returns the root tree's
// hash (zero when the tree is empty).
func (s *stage) write() (plumbing.Hash, error) {
	var dirty []string
	for p, d := range s.dirs {
		if d.dirty {
			dirty = append(dirty, p)
		}
	}
	depth := func(p string) int {
		if p == "" {
			return 0
		}
		return strings.Count(p, "/") + 1
	}
	sort.Slice(dirty, func(i, j int) bool { return depth(dirty[i]) > depth(dirty[j]) })
	for _, p := range dirty {
		d := s.dirs[p]
		h := plumbing.ZeroHash
		if len(d.entries) > 0 {
			entries := make([]object.TreeEntry, 0, len(d.entries))
			for _, e := range d.entries {
				entries = append(entries, e)
			}
			var err error
			if h, err = writeTree(s.st, entries); err != nil {
				return plumbing.ZeroHash, err
			}
			s.added(h)
		}
		d.dirty = false
		if p == "" {
			s.root = h
			continue
		}
		parentPath, name := splitPath(p)
		parent := s.dirs[parentPath]
		if h.IsZero() {
			delete(parent.entries, name)
			delete(s.dirs, p)
		} else {
			parent.entries[name] = object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h}
		}
	}
	return s.root, nil
}

// added records an object the commit adds (a blob, the empty tree, the commit itself).
func (s *stage) added(h plumbing.Hash) { s.written[h] = struct{}{} }

// objects returns what the commit adds, each once.
func (s *stage) objects() []plumbing.Hash {
	out := make([]plumbing.Hash, 0, len(s.written))
	for h := range s.written {
		out = append(out, h)
	}
	return out
}

// splitPath splits a slash-separated path into its directory ("" for the root) and last name.
func splitPath(p string) (string, string) {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "", p
	}
	return p[:i], p[i+1:]
}

package git

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
)

// buildTree is the reference the stage is checked against: the tree of files (path → blob) built from
// nothing, one directory at a time. It returns the zero hash for no files.
func buildTree(t testing.TB, st *memory.Storage, files map[string]plumbing.Hash) plumbing.Hash {
	t.Helper()
	if len(files) == 0 {
		return plumbing.ZeroHash
	}
	subs := map[string]map[string]plumbing.Hash{}
	var entries []object.TreeEntry
	for p, h := range files {
		dir, rest, nested := strings.Cut(p, "/")
		if !nested {
			entries = append(entries, object.TreeEntry{Name: p, Mode: filemode.Regular, Hash: h})
			continue
		}
		if subs[dir] == nil {
			subs[dir] = map[string]plumbing.Hash{}
		}
		subs[dir][rest] = h
	}
	for name, sub := range subs {
		entries = append(entries, object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: buildTree(t, st, sub)})
	}
	h, err := writeTree(st, entries)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestStageMatchesReference applies random sets and removals (nested directories, directories emptied and
// made again, writes between edits) and checks each written root against the tree built from nothing.
func TestStageMatchesReference(t *testing.T) {
	st := memory.NewStorage()
	names := []string{"a.yaml", "b.yaml", "x", "fabric"} // "x" and "fabric" are also directory names
	dirs := []string{"", "fabric", "fabric/vpc", "fabric/vpc/x", "wiring", "wiring/switch"}
	conflicts := 0
	for seed := range uint64(40) {
		r := rand.New(rand.NewPCG(seed, 7))
		files := map[string]plumbing.Hash{}
		s, err := newStage(st, plumbing.ZeroHash)
		if err != nil {
			t.Fatal(err)
		}
		for step := range 60 {
			dir := dirs[r.IntN(len(dirs))]
			p := names[r.IntN(len(names))]
			if dir != "" {
				p = dir + "/" + p
			}
			blob := plumbing.ZeroHash
			if r.IntN(3) > 0 {
				if blob, err = writeBlob(st, fmt.Appendf(nil, "%d/%d", seed, step)); err != nil {
					t.Fatal(err)
				}
			}
			// A path whose directory is a file, or which is itself a directory, is refused and changes nothing.
			conflict := false
			for q := range files {
				if strings.HasPrefix(q, p+"/") || strings.HasPrefix(p, q+"/") {
					conflict = true
				}
			}
			err := s.set(p, blob)
			if conflict {
				conflicts++
			}
			if conflict != (err != nil) {
				t.Fatalf("seed %d step %d: set %s: err %v, conflict %v", seed, step, p, err, conflict)
			}
			if err == nil {
				if blob.IsZero() {
					delete(files, p)
				} else {
					files[p] = blob
				}
			}
			e, ok, err := s.entry(p)
			isFile := ok && e.Mode.IsFile()
			if err != nil || isFile != (files[p] != plumbing.ZeroHash) || (isFile && e.Hash != files[p]) {
				t.Fatalf("seed %d step %d: entry %s = %v %v %v, want %v", seed, step, p, e, ok, err, files[p])
			}
			if r.IntN(4) == 0 || step == 59 {
				got, err := s.write()
				if err != nil {
					t.Fatal(err)
				}
				if want := buildTree(t, st, files); got != want {
					t.Fatalf("seed %d step %d: root %s, want %s (files %v)", seed, step, got, want, sortedKeys(files))
				}
				// A stage started from the written root sees the same files.
				s2, err := newStage(st, got)
				if err != nil {
					t.Fatal(err)
				}
				for q, h := range files {
					if e, ok, _ := s2.entry(q); !ok || e.Hash != h {
						t.Fatalf("seed %d: %s missing from a stage on the written root", seed, q)
					}
				}
			}
		}
	}
	if conflicts == 0 {
		t.Fatal("no step put a file where a directory is, or under a file: the refusals were not tried")
	}
}

func sortedKeys(m map[string]plumbing.Hash) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// BenchmarkStageGroup: one group commit's tree work (10 new files staged and written) in a directory that
// already holds n files; ns/op should grow with n only through the single encode of that directory.
func BenchmarkStageGroup(b *testing.B) {
	for _, n := range []int{100, 500, 2000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			st := memory.NewStorage()
			blob, err := writeBlob(st, []byte("spec: {}\n"))
			if err != nil {
				b.Fatal(err)
			}
			files := map[string]plumbing.Hash{}
			for i := range n {
				files[fmt.Sprintf("fabric/vpc/vpc-%05d.yaml", i)] = blob
			}
			root := buildTree(b, st, files)
			b.ResetTimer()
			for i := range b.N {
				s, err := newStage(st, root)
				if err != nil {
					b.Fatal(err)
				}
				for j := range 10 {
					p := fmt.Sprintf("fabric/vpc/new-%d-%d.yaml", i, j)
					if _, _, err := s.entry(p); err != nil {
						b.Fatal(err)
					}
					if err := s.set(p, blob); err != nil {
						b.Fatal(err)
					}
				}
				if _, err := s.write(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

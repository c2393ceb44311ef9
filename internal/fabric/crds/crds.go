// Package crds embeds the Hedgehog fabric CustomResourceDefinitions (see NOTICE.md for their source).
package crds

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.yaml
var files embed.FS

// Files returns the CRD file names, sorted.
func Files() []string {
	entries, _ := fs.ReadDir(files, ".")
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".yaml") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}

// Read returns the bytes of one CRD file.
func Read(name string) ([]byte, error) { return files.ReadFile(name) }

// All returns every CRD file's bytes keyed by file name.
func All() map[string][]byte {
	out := map[string][]byte{}
	for _, n := range Files() {
		b, _ := files.ReadFile(n)
		out[n] = b
	}
	return out
}

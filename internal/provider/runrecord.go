package provider

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/engine"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// runRecord carries what Terraform's validate walk saw of the configuration to the plan walk of the same
// command (DECISIONS.md, "The fabric after this plan"). Terraform validates every resource's configuration
// before it plans any, but in separate provider instances: in-process (tests, debug mode) the provider
// instance is shared and the record stays in memory; as a plugin, each walk is its own process, started by
// the same Terraform process, so the record goes to a directory named after that parent process and the
// plan walk's ConfigureProvider takes it.
type runRecord struct {
	mu      sync.Mutex
	entries map[string]runEntry
}

type runEntry struct {
	Kind     string         `json:"kind"`
	Name     string         `json:"name,omitempty"` // "" when not known at validate
	Manifest map[string]any `json:"manifest,omitempty"`
	// Subnets and VLANs are the literal values of a VPC whose configuration is not fully known at validate
	// (e.g. its namespace is a resource's attribute): address plans keep clear of them (Declared.Claimed).
	Subnets []string `json:"subnets,omitempty"`
	VLANs   []int    `json:"vlans,omitempty"`
}

func newRunRecord() *runRecord { return &runRecord{entries: map[string]runEntry{}} }

// pluginMode reports whether Terraform started this process as a plugin.
func pluginMode() bool { return os.Getenv("TF_PLUGIN_MAGIC_COOKIE") != "" }

// runDir is the directory shared by the provider processes of one Terraform command: named after the parent
// process and, on Linux, its start time (so a reused process id does not find an old record). Computed once
// per process: the validate walk records every resource.
var runDir = sync.OnceValue(func() string {
	ppid := os.Getppid()
	key := strconv.Itoa(ppid)
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", ppid)); err == nil {
		if i := strings.LastIndexByte(string(b), ')'); i > 0 {
			if f := strings.Fields(string(b[i+1:])); len(f) > 19 {
				key += "-" + f[19] // starttime
			}
		}
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("terraform-provider-hedgehog-%d", os.Getuid()), "run-"+key)
})

// add records one resource configuration seen at validate (all resources of a kind whose name is unknown
// share one entry: the plan only needs to know that there are some).
func (rr *runRecord) add(e runEntry) {
	if rr == nil {
		return
	}
	key := e.Kind + "/" + e.Name
	if e.Name == "" && (len(e.Subnets) > 0 || len(e.VLANs) > 0) {
		key += "#" + strings.Join(e.Subnets, ",") + fmt.Sprint(e.VLANs) // one entry per such VPC
	}
	rr.mu.Lock()
	rr.entries[key] = e
	rr.mu.Unlock()
	if !pluginMode() {
		return
	}
	dir := runDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return // the plan then waits for, or warns about, literal references instead
	}
	sum := sha256.Sum256([]byte(key))
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	tmp := filepath.Join(dir, ".tmp-"+hex.EncodeToString(sum[:8]))
	if os.WriteFile(tmp, b, 0o600) == nil {
		_ = os.Rename(tmp, filepath.Join(dir, hex.EncodeToString(sum[:12])+".json"))
	}
}

// take returns what the validate walk recorded (nil when nothing was) and forgets it.
func (rr *runRecord) take() *engine.Declared {
	if rr == nil {
		return nil
	}
	rr.mu.Lock()
	entries := rr.entries
	rr.entries = map[string]runEntry{}
	rr.mu.Unlock()
	if len(entries) == 0 && pluginMode() {
		entries = loadRunDir(runDir())
	}
	if len(entries) == 0 {
		return nil
	}
	d := &engine.Declared{Names: map[string]map[string]bool{}, Unknown: map[string]int{}}
	for _, e := range entries {
		d.ClaimedSubnets = append(d.ClaimedSubnets, e.Subnets...)
		d.ClaimedVLANs = append(d.ClaimedVLANs, e.VLANs...)
		if e.Name == "" {
			d.Unknown[e.Kind]++
			continue
		}
		if d.Names[e.Kind] == nil {
			d.Names[e.Kind] = map[string]bool{}
		}
		d.Names[e.Kind][e.Name] = true
		if e.Manifest != nil {
			if o, err := fabric.FromUnstructured(e.Manifest); err == nil {
				fabric.Default(o)
				d.Objects = append(d.Objects, o)
			}
		}
	}
	return d
}

// loadRunDir reads and removes a run directory; it also removes run directories left by commands that
// ended without a plan walk (terraform validate) more than a day ago.
func loadRunDir(dir string) map[string]runEntry {
	out := map[string]runEntry{}
	files, _ := os.ReadDir(dir)
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			continue
		}
		var e runEntry
		if json.Unmarshal(b, &e) == nil && e.Kind != "" {
			key := e.Kind + "/" + e.Name
			if e.Name == "" {
				key += "#" + f.Name()
			}
			out[key] = e
		}
	}
	_ = os.RemoveAll(dir)
	parent := filepath.Dir(dir)
	if olds, err := os.ReadDir(parent); err == nil {
		for _, o := range olds {
			if info, err := o.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
				_ = os.RemoveAll(filepath.Join(parent, o.Name()))
			}
		}
	}
	return out
}

// planFollows reports whether the Terraform command that started this plugin plans after its validate walk
// (plan, apply, destroy): the plan's ModifyPlan then runs every stage of the cascade at once, so that a spec
// error does not hide the object's cross-resource errors behind a failed validate walk. False in-process
// (tests, debug mode) and where the command cannot be read: the validate walk then reports what it finds.
// Read once per process.
var planFollows = sync.OnceValue(func() bool {
	if !pluginMode() {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", os.Getppid()))
	if err != nil {
		return false
	}
	args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
	for _, a := range args[1:] {
		if strings.HasPrefix(a, "-") {
			continue
		}
		return a == "plan" || a == "apply" || a == "destroy"
	}
	return false
})

// Command demo is `make demo`: it starts every local backend (a real Kubernetes API server with the fabric
// CRDs, a Git smart-HTTP server and the NetBox emulator), applies an example configuration against them
// with the locally built provider, shows what landed in each backend, proves the configuration is converged
// with a second plan, destroys it, checks the backends are empty again and tears everything down.
//
//	go run ./internal/cmd/demo -provider-dir bin -tf "$(command -v terraform)" -example examples/quickstart
//
// Nothing is downloaded: the CLI configuration written into the work directory uses dev_overrides for
// githedgehog/hedgehog, so no `terraform init` is needed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/gitserver"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

const (
	providerSource = stack.ProviderSource
	providerBinary = "terraform-provider-hedgehog"
	gitBranch      = "main"
	workMarker     = ".hedgehog-demo"
)

// netboxModels are the NetBox models the provider writes, in the order the demo shows them.
var netboxModels = []string{"ipam.vrf", "ipam.prefix", "ipam.vlangroup", "ipam.vlan"}

type options struct {
	providerDir, tf, example, workDir string
	keep, noDestroy                   bool
}

func main() {
	var o options
	flag.StringVar(&o.providerDir, "provider-dir", "bin", "directory holding the built "+providerBinary+" binary")
	flag.StringVar(&o.tf, "tf", "", "terraform or tofu binary (default: terraform on PATH, else tofu)")
	flag.StringVar(&o.example, "example", "examples/quickstart", "directory of the example configuration (*.tf)")
	flag.StringVar(&o.workDir, "work-dir", "", "work directory, recreated each run (default: .demo in the repository root)")
	flag.BoolVar(&o.keep, "keep", false, "leave the backends running until Ctrl-C and print how to reach them")
	flag.BoolVar(&o.noDestroy, "no-destroy", false, "skip the final destroy (and the emptiness check)")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintf(os.Stderr, "demo: unexpected arguments %q\n", flag.Args())
		flag.Usage()
		os.Exit(2)
	}

	// Ctrl-C reaches the CLI child directly (same process group) and it stops gracefully; we only note it.
	sigCtx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	start := time.Now()
	if err := run(sigCtx, o); err != nil {
		fmt.Fprintf(os.Stderr, "\ndemo FAILED after %s: %v\n", time.Since(start).Round(time.Second), err)
		os.Exit(1)
	}
	fmt.Printf("\ndemo OK in %s\n", time.Since(start).Round(time.Second))
}

func run(sigCtx context.Context, o options) (err error) {
	providerDir, err := filepath.Abs(o.providerDir)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(filepath.Join(providerDir, providerBinary)); err != nil || fi.IsDir() {
		return fmt.Errorf("no provider binary at %s (build it: go build -o %s/%s .)",
			filepath.Join(providerDir, providerBinary), o.providerDir, providerBinary)
	}
	tf, err := findCLI(o.tf)
	if err != nil {
		return err
	}
	example, err := filepath.Abs(o.example)
	if err != nil {
		return err
	}
	workDir := o.workDir
	if workDir == "" {
		root, err := repoRoot()
		if err != nil {
			return err
		}
		workDir = filepath.Join(root, ".demo")
	}
	if workDir, err = filepath.Abs(workDir); err != nil {
		return err
	}

	step("Preparing %s", workDir)
	if err := recreateWorkDir(workDir); err != nil {
		return err
	}
	cliConfig := filepath.Join(workDir, "terraformrc") // (before runDir: the CLI config stays at the top)
	tfFiles, runDir, modules, err := copyExample(example, workDir)
	if err != nil {
		return err
	}
	fmt.Printf("    example %s: %s\n", example, strings.Join(tfFiles, ", "))
	workDir = runDir
	if err := os.WriteFile(cliConfig, []byte(stack.DevOverridesConfig(providerDir, "internal/cmd/demo")), 0o600); err != nil {
		return err
	}
	fmt.Printf("    CLI config %s: dev_overrides %q -> %s\n", cliConfig, providerSource, providerDir)

	step("Starting the backends (Kubernetes API server + fabric CRDs, Git server, NetBox emulator)")
	t0 := time.Now()
	// The stack outlives Ctrl-C so that an interrupted CLI can still finish talking to it; it is closed below.
	stackCtx, cancelStack := context.WithCancel(context.Background())
	defer cancelStack()
	s, err := stack.Start(stackCtx)
	if err != nil {
		return fmt.Errorf("starting the backends: %w", err)
	}
	defer func() {
		step("Tearing the backends down")
		s.Close()
	}()
	gitURL, repoDir, err := s.NewRepo("fabric")
	if err != nil {
		return fmt.Errorf("creating the Git repository: %w", err)
	}
	fmt.Printf("    up in %s\n", time.Since(t0).Round(100*time.Millisecond))
	printAccess(s, gitURL)

	// With -keep, the backends stay up even after a failure, so a person can look at what happened.
	if o.keep {
		defer func() {
			if err != nil {
				fmt.Fprintf(os.Stderr, "\ndemo step failed: %v\n", err)
			}
			waitForInterrupt(sigCtx, s, gitURL, workDir, cliConfig, tf)
		}()
	}

	vars := map[string]string{
		"netbox_url":      s.NetBoxURL,
		"netbox_token":    s.NetBoxToken,
		"git_url":         gitURL,
		"git_username":    s.Git.Username,
		"git_password":    s.Git.Password,
		"kubeconfig_path": s.Kubeconfig,
	}
	// A tfvars file (not -var flags) keeps the secrets off the process list and lets a person re-run
	// plain `terraform plan` in the work directory while the backends are kept up.
	if err := os.WriteFile(filepath.Join(workDir, "backends.auto.tfvars"), []byte(tfvarsHCL(vars)), 0o600); err != nil {
		return err
	}

	cli := &runner{tf: tf, dir: workDir, env: stack.ChildEnv(cliConfig), sigCtx: sigCtx}
	if modules {
		// Local modules are installed by `get` (init would look the provider up in the registry; the
		// CLI config's dev_overrides serve it).
		if _, err := cli.run("get", "-no-color"); err != nil {
			return fmt.Errorf("%s get: %w", filepath.Base(tf), err)
		}
	}

	if _, err := cli.run("apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return fmt.Errorf("%s apply: %w", filepath.Base(tf), err)
	}

	step("Result")
	if err := showGit(repoDir); err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(s.API.RESTConfig())
	if err != nil {
		return err
	}
	n, err := showKubernetes(sigCtx, dyn)
	if err != nil {
		return err
	}
	if n == 0 {
		return errors.New("apply succeeded but the Kubernetes API server holds no fabric objects")
	}
	showNetBox(s)

	code, err := cli.run("plan", "-detailed-exitcode", "-input=false", "-no-color")
	switch {
	case code == 0 && err == nil:
		fmt.Println("    plan -detailed-exitcode: exit 0, no changes: the configuration is converged")
	case code == 2:
		return fmt.Errorf("%s plan -detailed-exitcode exited 2: the configuration is not converged after apply", filepath.Base(tf))
	default:
		return fmt.Errorf("%s plan: %w", filepath.Base(tf), err)
	}

	if o.noDestroy {
		fmt.Println("\n-no-destroy: the objects stay in the backends (state: " + filepath.Join(workDir, "terraform.tfstate") + ")")
		return nil
	}
	if _, err := cli.run("destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return fmt.Errorf("%s destroy: %w", filepath.Base(tf), err)
	}
	step("Checking the backends are empty")
	return checkEmpty(sigCtx, s, repoDir, dyn)
}

// findCLI resolves -tf, or terraform on PATH, else tofu.
func findCLI(flagValue string) (string, error) {
	if flagValue != "" {
		p, err := exec.LookPath(flagValue)
		if err != nil {
			return "", fmt.Errorf("-tf %s: %w", flagValue, err)
		}
		return filepath.Abs(p)
	}
	for _, name := range []string{"terraform", "tofu"} {
		if p, err := exec.LookPath(name); err == nil {
			return filepath.Abs(p)
		}
	}
	return "", errors.New("neither terraform nor tofu is on PATH (pass -tf, or run scripts/tf-cli.sh)")
}

// repoRoot is the nearest directory upwards from the working directory holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s: run from the repository or pass -work-dir", dir)
		}
	}
}

// recreateWorkDir empties dir, refusing to delete a non-empty directory that an earlier demo did not make.
func recreateWorkDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(dir, workMarker)); err != nil {
			return fmt.Errorf("work directory %s is not empty and was not made by the demo (no %s): refusing to delete it", dir, workMarker)
		}
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, workMarker), []byte("made by internal/cmd/demo; recreated on every run\n"), 0o644)
}

// copyExample copies the example's *.tf files into workDir and returns their names and the directory to run
// in. An example that calls local modules by relative path (source = "../x") is copied with its parent
// directory, so that the paths resolve: it then runs in workDir/<example's name>, and modules is set.
func copyExample(example, workDir string) (names []string, runDir string, modules bool, err error) {
	files, err := filepath.Glob(filepath.Join(example, "*.tf"))
	if err != nil {
		return nil, "", false, err
	}
	if len(files) == 0 {
		return nil, "", false, fmt.Errorf("no *.tf files in %s", example)
	}
	runDir = workDir
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, "", false, err
		}
		modules = modules || strings.Contains(string(b), `source = "../`) || strings.Contains(string(b), `source  = "../`)
		names = append(names, filepath.Base(f))
	}
	if modules {
		parent := filepath.Dir(example)
		runDir = filepath.Join(workDir, filepath.Base(example))
		return names, runDir, true, os.CopyFS(workDir, os.DirFS(parent))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, "", false, err
		}
		if err := os.WriteFile(filepath.Join(workDir, filepath.Base(f)), b, 0o644); err != nil {
			return nil, "", false, err
		}
	}
	return names, runDir, false, nil
}

func tfvarsHCL(vars map[string]string) string {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	sb.WriteString("# Written by internal/cmd/demo: the local backends of this run.\n")
	for _, k := range keys {
		fmt.Fprintf(&sb, "%-15s = %s\n", k, strconv.Quote(vars[k]))
	}
	return sb.String()
}

type runner struct {
	tf, dir string
	env     []string
	sigCtx  context.Context
}

// run runs the CLI in the work directory, streaming its output, and returns its exit code.
func (r *runner) run(args ...string) (int, error) {
	if err := r.sigCtx.Err(); err != nil {
		return -1, errors.New("interrupted")
	}
	step("%s %s", filepath.Base(r.tf), strings.Join(args, " "))
	cmd := exec.Command(r.tf, args...)
	cmd.Dir, cmd.Env = r.dir, r.env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, os.Stdout, os.Stderr
	t0 := time.Now()
	err := cmd.Run()
	fmt.Printf("    (%s)\n", time.Since(t0).Round(100*time.Millisecond))
	if r.sigCtx.Err() != nil {
		return -1, errors.New("interrupted")
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), fmt.Errorf("exit status %d (see the output above)", ee.ExitCode())
	}
	if err != nil {
		return -1, err
	}
	return 0, nil
}

func showGit(repoDir string) error {
	commits, err := gitserver.Log(repoDir, gitBranch)
	if err != nil {
		return fmt.Errorf("git log: %w", err)
	}
	files, err := gitserver.ListFiles(repoDir, gitBranch, "")
	if err != nil {
		return fmt.Errorf("git ls-tree: %w", err)
	}
	fmt.Printf("\nGit repository (%s, branch %s) — git log --oneline:\n", repoDir, gitBranch)
	for _, c := range commits {
		subject, _, _ := strings.Cut(c.Message, "\n")
		fmt.Printf("    %.7s %s\n", c.Hash, subject)
	}
	fmt.Printf("  files:\n")
	for _, f := range files {
		fmt.Printf("    %s\n", f)
	}
	return nil
}

func gvr(k fabric.KindInfo) schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: k.Group, Version: k.Version, Resource: k.Plural}
}

// showKubernetes prints every fabric object in the API server and returns how many there are.
func showKubernetes(ctx context.Context, dyn dynamic.Interface) (int, error) {
	fmt.Printf("\nKubernetes API server — fabric objects:\n")
	total := 0
	for _, k := range fabric.Kinds() {
		list, err := dyn.Resource(gvr(k)).Namespace(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
		if err != nil {
			return 0, fmt.Errorf("listing %s: %w", k.Plural, err)
		}
		for _, it := range list.Items {
			total++
			name := it.GetName()
			if ns := it.GetNamespace(); ns != "" {
				name = ns + "/" + name
			}
			fmt.Printf("    %-14s %-18s %s\n", k.Kind, name, oneLine(it.Object["spec"], 140))
		}
	}
	if total == 0 {
		fmt.Println("    (none)")
	}
	return total, nil
}

func showNetBox(s *stack.Stack) {
	if s.NetBox == nil {
		fmt.Printf("\nNetBox at %s (a real NetBox, not the emulator): look there.\n", s.NetBoxURL)
		return
	}
	fmt.Printf("\nNetBox emulator (%s):\n", s.NetBoxURL)
	found := false
	for _, model := range netboxModels {
		for _, obj := range s.NetBox.Objects(model) {
			found = true
			fmt.Printf("    %-14s %s\n", model, netboxLine(model, obj))
		}
	}
	if !found {
		fmt.Println("    (none)")
	}
}

// netboxLine is a one-line summary of a NetBox object: id, its identifying fields and its relations.
func netboxLine(model string, obj map[string]any) string {
	var fields []string
	switch model {
	case "ipam.vrf":
		fields = []string{"name", "rd", "enforce_unique"}
	case "ipam.prefix":
		fields = []string{"prefix", "vrf", "vlan", "status"}
	case "ipam.vlan":
		fields = []string{"vid", "name", "group", "status"}
	case "ipam.vlangroup":
		fields = []string{"name", "slug", "vid_ranges"}
	}
	fields = append(fields, "description", "tags")
	parts := []string{fmt.Sprintf("id=%v", obj["id"])}
	for _, f := range fields {
		v, ok := obj[f]
		if !ok || v == nil || v == "" {
			continue
		}
		parts = append(parts, f+"="+briefValue(v))
	}
	return strings.Join(parts, " ")
}

// briefValue renders a NetBox field: a nested object by its name (or display), a status by its value.
func briefValue(v any) string {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range []string{"name", "value", "display", "prefix"} {
			if s, ok := x[k]; ok && s != nil {
				return fmt.Sprint(s)
			}
		}
		return oneLine(x, 60)
	case []any:
		items := make([]string, len(x))
		for i, e := range x {
			items[i] = briefValue(e)
		}
		return "[" + strings.Join(items, ",") + "]"
	default:
		return fmt.Sprint(x)
	}
}

// oneLine renders a JSON-like value compactly ({k=v ...} with sorted keys, [a b]), cut at limit runes.
func oneLine(v any, limit int) string {
	var sb strings.Builder
	writeCompact(&sb, v)
	s := []rune(sb.String())
	if len(s) > limit {
		return string(s[:limit-1]) + "…"
	}
	return string(s)
}

func writeCompact(w io.StringWriter, v any) {
	switch x := v.(type) {
	case nil:
		_, _ = w.WriteString("null")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		_, _ = w.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				_, _ = w.WriteString(" ")
			}
			_, _ = w.WriteString(k + "=")
			writeCompact(w, x[k])
		}
		_, _ = w.WriteString("}")
	case []any:
		_, _ = w.WriteString("[")
		for i, e := range x {
			if i > 0 {
				_, _ = w.WriteString(" ")
			}
			writeCompact(w, e)
		}
		_, _ = w.WriteString("]")
	default:
		_, _ = w.WriteString(fmt.Sprint(x))
	}
}

// checkEmpty verifies that after destroy no fabric object, no manifest file and no NetBox object is left.
func checkEmpty(ctx context.Context, s *stack.Stack, repoDir string, dyn dynamic.Interface) error {
	var left []string
	files, err := gitserver.ListFiles(repoDir, gitBranch, "")
	if err != nil {
		return fmt.Errorf("git ls-tree: %w", err)
	}
	for _, f := range files {
		if f != "README.md" { // the repository's initial commit
			left = append(left, "git file "+f)
		}
	}
	for _, k := range fabric.Kinds() {
		list, err := dyn.Resource(gvr(k)).Namespace(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
		if err != nil {
			return fmt.Errorf("listing %s: %w", k.Plural, err)
		}
		for _, it := range list.Items {
			left = append(left, fmt.Sprintf("Kubernetes %s %s/%s", k.Kind, it.GetNamespace(), it.GetName()))
		}
	}
	if s.NetBox != nil {
		for _, model := range netboxModels {
			for _, obj := range s.NetBox.Objects(model) {
				left = append(left, "NetBox "+model+" "+netboxLine(model, obj))
			}
		}
	}
	if len(left) > 0 {
		for _, l := range left {
			fmt.Printf("    left behind: %s\n", l)
		}
		return fmt.Errorf("destroy left %d object(s) in the backends", len(left))
	}
	commits, _ := gitserver.Log(repoDir, gitBranch)
	fmt.Printf("    Git: only README.md (%d commits in history); Kubernetes: no fabric objects", len(commits))
	if s.NetBox != nil {
		fmt.Printf("; NetBox: no VRFs, prefixes, VLAN groups or VLANs")
	}
	fmt.Println()
	return nil
}

func printAccess(s *stack.Stack, gitURL string) {
	fmt.Printf("    Kubernetes: kubeconfig %s (API %s)\n", s.Kubeconfig, s.API.RESTConfig().Host)
	fmt.Printf("    Git:        %s  user %s  password %s\n", gitURL, s.Git.Username, s.Git.Password)
	fmt.Printf("    NetBox:     %s  token %s\n", s.NetBoxURL, s.NetBoxToken)
}

// waitForInterrupt keeps the backends up until Ctrl-C, telling the person how to reach them.
func waitForInterrupt(ctx context.Context, s *stack.Stack, gitURL, workDir, cliConfig, tf string) {
	if ctx.Err() != nil {
		return
	}
	step("-keep: the backends stay up until Ctrl-C")
	printAccess(s, gitURL)
	fmt.Printf(`
    kubectl --kubeconfig %s get vpcs,ipv4namespaces,vlannamespaces -A
    git clone http://%s:%s@%s
    curl -s -H 'Authorization: Token %s' %s/api/ipam/prefixes/
    cd %s && TF_CLI_CONFIG_FILE=%s %s plan
`, s.Kubeconfig, s.Git.Username, s.Git.Password, strings.TrimPrefix(gitURL, "http://"),
		s.NetBoxToken, s.NetBoxURL, workDir, cliConfig, tf)
	<-ctx.Done()
	fmt.Println()
}

func step(format string, args ...any) {
	fmt.Printf("\n==> "+format+"\n", args...)
}

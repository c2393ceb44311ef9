// Command bench times the provider with the real Terraform CLI against the local backends (a real
// Kubernetes API server with the fabric CRDs, a Git smart-HTTP server, the NetBox emulator): it creates N
// VPCs (plus one IPv4Namespace and one VLANNamespace), plans them again (no changes expected), refreshes
// them, changes one of them and destroys everything, printing one row per phase. With the cluster, it first
// plans the creation twice, without and with the cluster's dry run at plan (kubernetes.dry_run_at_plan).
//
// Build the provider first; bench builds nothing itself:
//
//	go build -o bin/terraform-provider-hedgehog .
//	go run ./internal/cmd/bench -n 500 -backends kubernetes -tf "$(command -v terraform)" -provider-dir bin
//
// Flags: -backends kubernetes|git|netbox|all (or a comma list), -parallelism (Terraform's, default 10),
// -qps/-burst (the kubernetes block's; 0 leaves the provider's default: no client-side limit), -keep-work,
// -netbox-paths (request histogram per phase), -pprof PREFIX (serve the provider in this process through
// TF_REATTACH_PROVIDERS and write PREFIX-<phase>.cpu; the provider columns then read 0 and its CPU is in
// the backends column). The provider inherits the environment, so e.g. TF_LOG_SDK=OFF reaches it.
//
// Per phase it reports the wall time, the CPU time of the CLI plus the provider (every descendant the CLI
// waited for), the provider's own CPU time and peak RSS (VmHWM, polled from /proc), the CPU time of the
// backends (they run in this process; git-http-backend runs as its child), and what the backends received:
// API server requests by verb (the in-process apiserver_request_total metric), NetBox emulator requests by
// method, and commits on the Git branch. It then prints those requests per VPC, and (with -floor, the default)
// runs Terraform's floor, built-in terraform_data resources through the same CLI, and prints the ratio of each
// phase to it (floor.go). With -sizes it runs everything per size and prints the cost per VPC of each.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	plugin "github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"k8s.io/component-base/metrics/legacyregistry"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/provider"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/gitserver"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/netboxemu"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

const (
	providerSource = stack.ProviderSource
	providerBinary = "terraform-provider-hedgehog"
	gitBranch      = "main"
	vlanBase       = 1000 // the VLANNamespace holds 1000-2999
	maxVPCs        = 2000
)

type options struct {
	n, parallelism  int
	backends        string
	tf, providerDir string
	qps             float64
	burst           int
	keepWork        bool
	profile         string
	profileProvider string
	netboxPaths     bool
	sizes           string
	floor           bool
}

// phaseCost is what one phase cost, for the cost-per-object summary of -sizes.
type phaseCost struct {
	name                  string
	wall, provCPU, cliCPU time.Duration
	requests              string
	perBackend            []backendCount // requests (commits for Git) of the phase, per backend
}

// backendCount is what one backend received in a phase.
type backendCount struct {
	backend string
	n       float64
}

// perVPC formats counts per VPC: "kube 3.1, netbox 3.4, git 0.10 commits".
func perVPC(cs []backendCount, n int) string {
	var parts []string
	for _, c := range cs {
		unit := ""
		if c.backend == "git" {
			unit = " commits"
		}
		parts = append(parts, fmt.Sprintf("%s %.2f%s", c.backend, c.n/float64(n), unit))
	}
	return strings.Join(parts, ", ")
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 500, "number of VPCs (at most 2000: one VLAN each from 1000-2999)")
	flag.StringVar(&o.backends, "backends", "all", "kubernetes, git, netbox, all, or a comma-separated list")
	flag.StringVar(&o.tf, "tf", "", "terraform or tofu binary (default: terraform on PATH)")
	flag.StringVar(&o.providerDir, "provider-dir", "bin", "directory holding the built "+providerBinary)
	flag.IntVar(&o.parallelism, "parallelism", 10, "terraform -parallelism")
	flag.Float64Var(&o.qps, "qps", 0, "kubernetes block qps (0: provider default, no client-side limit)")
	flag.IntVar(&o.burst, "burst", 0, "kubernetes block burst (0: provider default, 200; used with qps)")
	flag.BoolVar(&o.keepWork, "keep-work", false, "keep the work directory (state, config, logs)")
	flag.BoolVar(&o.netboxPaths, "netbox-paths", false, "after each phase, list the NetBox requests by method and path (ids and query values elided)")
	flag.StringVar(&o.sizes, "sizes", "", "comma-separated numbers of VPCs (e.g. 100,500,2000): run the whole bench for each and print the cost per VPC of each phase, which should stay flat")
	flag.StringVar(&o.profile, "pprof", "", "serve the provider in this process (Terraform reattaches to it) and write a CPU profile per phase to PREFIX-<phase>.cpu; the profiles include the backends, which run here too")
	flag.StringVar(&o.profileProvider, "profile-provider", "", "have every provider process write its CPU profile and its heap at its peak to PREFIX-<phase>-<pid>.cpu/.heap (HEDGEHOG_PROFILE); the provider runs as Terraform starts it. With -tf tofu the CLI's own CPU profile goes to PREFIX-<phase>-cli.cpu")
	flag.BoolVar(&o.floor, "floor", true, "also run Terraform's floor (built-in terraform_data resources, minimal and holding the same values as our VPCs) through create, plan and destroy, and print the ratio of each phase to it")
	flag.Parse()
	if flag.NArg() != 0 || o.n < 1 || o.n > maxVPCs || o.parallelism < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if o.sizes == "" {
		if _, err := run(o); err != nil {
			fmt.Fprintln(os.Stderr, "bench FAILED:", err)
			os.Exit(1)
		}
		return
	}
	var ns []int
	for _, f := range strings.Split(o.sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > maxVPCs {
			fmt.Fprintf(os.Stderr, "bad -sizes entry %q (1..%d)\n", f, maxVPCs)
			os.Exit(2)
		}
		ns = append(ns, n)
	}
	costs := map[int][]phaseCost{}
	for _, n := range ns {
		o.n = n
		fmt.Printf("\n=== n=%d ===\n", n)
		c, err := run(o)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench FAILED:", err)
			os.Exit(1)
		}
		costs[n] = c
	}
	printPerObject(ns, costs)
}

// printPerObject prints, per phase, wall time and provider CPU per VPC at each size (ms per VPC).
func printPerObject(ns []int, costs map[int][]phaseCost) {
	fmt.Println("\ncost per VPC (ms wall / ms provider CPU; requests per VPC by backend, commits for Git):")
	header := []string{"phase"}
	for _, n := range ns {
		header = append(header, fmt.Sprintf("n=%d", n))
	}
	rows := [][]string{header}
	for i, p := range costs[ns[0]] {
		row := []string{p.name}
		for _, n := range ns {
			if i >= len(costs[n]) {
				row = append(row, "-")
				continue
			}
			c := costs[n][i]
			cell := fmt.Sprintf("%.1f / %.1f", float64(c.wall.Microseconds())/1000/float64(n), float64(c.provCPU.Microseconds())/1000/float64(n))
			if r := perVPC(c.perBackend, n); r != "" {
				cell += "; " + r
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	widths := make([]int, len(header))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len(c))
		}
	}
	for _, r := range rows {
		for i, c := range r {
			fmt.Printf("%-*s  ", widths[i], c)
		}
		fmt.Println()
	}
}

func parseBackends(s string) (stack.Backends, error) {
	var b stack.Backends
	for _, p := range strings.Split(s, ",") {
		switch strings.TrimSpace(p) {
		case "all":
			b.Kubernetes, b.Git, b.NetBox = true, true, true
		case "kubernetes", "kube", "k8s":
			b.Kubernetes = true
		case "git":
			b.Git = true
		case "netbox":
			b.NetBox = true
		default:
			return b, fmt.Errorf("unknown backend %q (kubernetes, git, netbox, all)", p)
		}
	}
	return b, nil
}

func run(o options) ([]phaseCost, error) {
	var costs []phaseCost
	err := runPhases(o, func(c phaseCost) { costs = append(costs, c) })
	return costs, err
}

func runPhases(o options, record func(phaseCost)) error {
	sel, err := parseBackends(o.backends)
	if err != nil {
		return err
	}
	providerDir, err := filepath.Abs(o.providerDir)
	if err != nil {
		return err
	}
	providerPath := filepath.Join(providerDir, providerBinary)
	if fi, err := os.Stat(providerPath); err != nil || fi.IsDir() {
		return fmt.Errorf("no provider binary at %s (build it first: go build -o %s/%s .)", providerPath, o.providerDir, providerBinary)
	}
	tf := o.tf
	if tf == "" {
		if tf, err = exec.LookPath("terraform"); err != nil {
			return errors.New("no -tf given and no terraform on PATH")
		}
	}
	work, err := os.MkdirTemp("", "hedgehog-bench-")
	if err != nil {
		return err
	}
	if o.keepWork {
		fmt.Println("work directory:", work)
	} else {
		defer os.RemoveAll(work)
	}
	cliConfig := filepath.Join(work, "terraformrc")
	if err := os.WriteFile(cliConfig, []byte(stack.DevOverridesConfig(providerDir, "internal/cmd/bench")), 0o600); err != nil {
		return err
	}

	t0 := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	s, err := stack.Start(ctx)
	cancel()
	if err != nil {
		return fmt.Errorf("starting the backends: %w", err)
	}
	defer s.Close()
	var repoDir string
	if sel.Git {
		if sel.GitURL, repoDir, err = s.NewRepo("bench"); err != nil {
			return err
		}
	}
	if sel.Kubernetes && (o.qps != 0 || o.burst != 0) {
		var extra strings.Builder
		extra.WriteString("  kubernetes {\n    kubeconfig_path = " + strconv.Quote(s.Kubeconfig) + "\n    mode = \"apply\"\n")
		if o.qps != 0 {
			fmt.Fprintf(&extra, "    qps = %g\n", o.qps)
		}
		if o.burst != 0 {
			fmt.Fprintf(&extra, "    burst = %d\n", o.burst)
		}
		extra.WriteString("  }\n")
		sel.Kubernetes = false
		sel.Extra = extra.String()
	}
	provider := s.ProviderHCL(sel)
	sel.Kubernetes = sel.Kubernetes || sel.Extra != ""
	fmt.Printf("backends %s up in %.1fs; n=%d parallelism=%d qps=%g burst=%d; %s; loadavg %s\n",
		names(sel), time.Since(t0).Seconds(), o.n, o.parallelism, o.qps, o.burst, cliVersion(tf), loadavg())

	mainTF := filepath.Join(work, "main.tf")
	if err := os.WriteFile(mainTF, []byte(provider+configHCL(o.n, false)), 0o600); err != nil {
		return err
	}
	cli := &runner{tf: tf, dir: work, env: stack.ChildEnv(cliConfig), provider: providerPath, logDir: work, profilePrefix: o.profileProvider}
	if o.profile != "" {
		reattach, stop, err := serveInProcess()
		if err != nil {
			return fmt.Errorf("serving the provider in process: %w", err)
		}
		defer stop()
		cli.env = append(cli.env, "TF_REATTACH_PROVIDERS="+reattach)
	}
	par := "-parallelism=" + strconv.Itoa(o.parallelism)
	c := &counters{s: s, repoDir: repoDir, sel: sel}

	type phase struct {
		name  string
		args  []string
		want  int // expected exit code
		setup func() error
		// create and update1 mark the phases whose output is checked (the state size, exactly one change).
		create, update1 bool
	}
	var phases []phase
	if sel.Kubernetes {
		// The cluster's dry run at plan costs one request per created or changed object: plan the creation
		// without it and with it (the difference of the two rows is the cost of N+2 dry runs).
		noDryRun := modeApply.ReplaceAllString(provider, "${0}\n    dry_run_at_plan = false")
		phases = append(phases,
			phase{name: fmt.Sprintf("plan (create %d, no dry run)", o.n+2), args: []string{"plan", "-input=false", "-no-color", par},
				setup: func() error { return os.WriteFile(mainTF, []byte(noDryRun+configHCL(o.n, false)), 0o600) }},
			phase{name: fmt.Sprintf("plan (create %d, dry run at plan)", o.n+2), args: []string{"plan", "-input=false", "-no-color", par},
				setup: func() error { return os.WriteFile(mainTF, []byte(provider+configHCL(o.n, false)), 0o600) }})
	}
	phases = append(phases, []phase{
		{name: fmt.Sprintf("apply (create %d)", o.n+2), args: []string{"apply", "-auto-approve", "-input=false", "-no-color", par}, create: true},
		{name: "plan (refresh, no changes)", args: []string{"plan", "-detailed-exitcode", "-input=false", "-no-color", par}},
		{name: "apply -refresh-only", args: []string{"apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color", par}},
		{name: fmt.Sprintf("apply (update 1 of %d)", o.n), args: []string{"apply", "-auto-approve", "-input=false", "-no-color", par},
			setup: func() error { return os.WriteFile(mainTF, []byte(provider+configHCL(o.n, true)), 0o600) }, update1: true},
		{name: "destroy", args: []string{"destroy", "-auto-approve", "-input=false", "-no-color", par}},
	}...)
	var rows [][]string
	var stateNote string
	ours := map[string]phaseCost{}
	for i, p := range phases {
		if p.setup != nil {
			if err := p.setup(); err != nil {
				return err
			}
		}
		var prof *os.File
		if o.profile != "" {
			if prof, err = os.Create(fmt.Sprintf("%s-%d-%s.cpu", o.profile, i+1, p.args[0])); err != nil {
				return err
			}
			if err := pprof.StartCPUProfile(prof); err != nil {
				return err
			}
		}
		before := c.snapshot()
		r, err := cli.run(fmt.Sprintf("%d-%s", i+1, p.args[0]), p.args...)
		after := c.snapshot()
		if prof != nil {
			pprof.StopCPUProfile()
			_ = prof.Close()
		}
		if err == nil && r.code != p.want {
			err = fmt.Errorf("exit code %d, want %d", r.code, p.want)
		}
		if err != nil {
			printTable(rows)
			return fmt.Errorf("%s: %w\n%s", p.name, err, tail(r.output, 40))
		}
		if o.netboxPaths && s.NetBox != nil {
			printNetBoxPaths(s.NetBox.Requests()[before.netboxTotal:])
		}
		if p.create {
			if fi, err := os.Stat(filepath.Join(work, "terraform.tfstate")); err == nil {
				stateNote = fmt.Sprintf("state after create: %d KiB (%d bytes per VPC)", fi.Size()>>10, fi.Size()/int64(o.n))
			}
		}
		if p.update1 && !bytes.Contains(r.output, []byte("1 changed")) {
			printTable(rows)
			return fmt.Errorf("%s: expected exactly 1 change:\n%s", p.name, tail(r.output, 20))
		}
		pc := phaseCost{name: p.name, wall: r.wall, provCPU: r.provCPU, cliCPU: r.cliCPU, requests: c.delta(before, after), perBackend: c.counts(before, after)}
		record(pc)
		ours[p.name] = pc
		rows = append(rows, []string{
			p.name,
			fmt.Sprintf("%.2f", r.wall.Seconds()),
			fmt.Sprintf("%.2f", r.cliCPU.Seconds()),
			fmt.Sprintf("%.2f", r.provCPU.Seconds()),
			fmt.Sprintf("%d", r.provStarts),
			mib(r.provHWM),
			// this process (backends, in process) and its reaped children (git-http-backend; the CLI and
			// the provider too, so the CLI's share is taken off)
			fmt.Sprintf("%.2f", (after.selfCPU - before.selfCPU + after.childCPU - before.childCPU - r.cliCPU).Seconds()),
			c.delta(before, after),
		})
	}
	printTable(rows)
	fmt.Printf("%s; loadavg after: %s\n", stateNote, loadavg())
	fmt.Println("\nrequests per VPC (commits for Git):")
	for _, p := range phases {
		if pc, ok := ours[p.name]; ok {
			fmt.Printf("  %-36s %s\n", p.name, perVPC(pc.perBackend, o.n))
		}
	}
	if !o.floor {
		return nil
	}
	var shapes []string
	var floors [][]floorPhase
	for _, f := range floorShapes {
		fp, err := runFloor(o, tf, cli.env, f.name, f.body)
		if err != nil {
			return err
		}
		shapes, floors = append(shapes, f.name), append(floors, fp)
	}
	printFloor(o.n, ours, shapes, floors)
	return nil
}

// modeApply finds the cluster's mode setting in a provider block, after which dry_run_at_plan goes.
var modeApply = regexp.MustCompile(`mode\s*=\s*"apply"`)

// serveInProcess serves the provider from this process in debug mode and returns the TF_REATTACH_PROVIDERS
// value that makes the CLI use it instead of starting the binary.
func serveInProcess() (string, func(), error) {
	ctx, cancel := context.WithCancel(context.Background())
	cfgCh := make(chan *plugin.ReattachConfig, 1)
	closeCh := make(chan struct{})
	errCh := make(chan error, 1)
	const addr = "registry.terraform.io/" + providerSource
	go func() {
		newServer := provider.NewServer("bench")
		errCh <- tf6server.Serve(addr, func() tfprotov6.ProviderServer { s, _ := newServer(); return s },
			tf6server.WithDebug(ctx, cfgCh, closeCh), tf6server.WithoutLogStderrOverride())
	}()
	select {
	case rc := <-cfgCh:
		b, err := json.Marshal(map[string]any{addr: map[string]any{
			"Protocol": string(rc.Protocol), "ProtocolVersion": rc.ProtocolVersion, "Pid": rc.Pid, "Test": true,
			"Addr": map[string]string{"Network": rc.Addr.Network(), "String": rc.Addr.String()},
		}})
		return string(b), func() { cancel(); <-closeCh }, err
	case err := <-errCh:
		cancel()
		return "", nil, err
	case <-time.After(30 * time.Second):
		cancel()
		return "", nil, errors.New("timed out")
	}
}

// printNetBoxPaths prints a histogram of requests by method and path shape.
func printNetBoxPaths(reqs []netboxemu.RequestRecord) {
	hist := map[string]int{}
	for _, r := range reqs {
		path, query, _ := strings.Cut(r.Path, "?")
		var parts []string
		for _, p := range strings.Split(path, "/") {
			if _, err := strconv.Atoi(p); err == nil {
				p = "{id}"
			}
			parts = append(parts, p)
		}
		var keys []string
		for _, kv := range strings.Split(query, "&") {
			if k, _, _ := strings.Cut(kv, "="); k != "" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		shape := r.Method + " " + strings.Join(parts, "/")
		if len(keys) > 0 {
			shape += "?" + strings.Join(keys, "&")
		}
		hist[shape]++
	}
	shapes := make([]string, 0, len(hist))
	for k := range hist {
		shapes = append(shapes, k)
	}
	sort.Slice(shapes, func(i, j int) bool { return hist[shapes[i]] > hist[shapes[j]] })
	for _, k := range shapes {
		fmt.Printf("    %6d  %s\n", hist[k], k)
	}
}

func names(b stack.Backends) string {
	var n []string
	if b.Kubernetes {
		n = append(n, "kubernetes")
	}
	if b.Git {
		n = append(n, "git")
	}
	if b.NetBox {
		n = append(n, "netbox")
	}
	return strings.Join(n, "+")
}

func printTable(rows [][]string) {
	head := []string{"phase", "wall s", "cli+prov CPU s", "prov CPU s", "prov runs", "prov peak RSS", "backends CPU s", "backend requests"}
	w := make([]int, len(head))
	for _, r := range append([][]string{head}, rows...) {
		for i, c := range r {
			w[i] = max(w[i], len(c))
		}
	}
	line := func(r []string) {
		var sb strings.Builder
		for i, c := range r {
			if i == 0 || i == len(r)-1 {
				fmt.Fprintf(&sb, "| %-*s ", w[i], c)
			} else {
				fmt.Fprintf(&sb, "| %*s ", w[i], c)
			}
		}
		fmt.Println(sb.String() + "|")
	}
	line(head)
	sep := make([]string, len(head))
	for i := range sep {
		sep[i] = strings.Repeat("-", w[i])
	}
	line(sep)
	for _, r := range rows {
		line(r)
	}
}

func mib(b int64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}

// configHCL is one IPv4Namespace (10.0.0.0/8, clear of the fabric's 172.28-172.30 ranges), one
// VLANNamespace (1000-2999) and n VPCs, VPC i with subnet 10.(i/256).(i%256).0/24 and VLAN 1000+i. changed
// adds a label to VPC 0 (an in-place update of one of n).
func configHCL(n int, changed bool) string {
	var sb strings.Builder
	sb.WriteString(`
terraform {
  required_providers {
    hedgehog = { source = "githedgehog/hedgehog" }
  }
}

resource "hedgehog_ipv4_namespace" "bench" {
  name    = "bench-ip"
  subnets = ["10.0.0.0/8"]
}

resource "hedgehog_vlan_namespace" "bench" {
  name   = "bench-vl"
  ranges = [{ from = 1000, to = 2999 }]
}

locals {
  vpcs = {
`)
	for i := 0; i < n; i++ {
		label := "base"
		if changed && i == 0 {
			label = "changed"
		}
		fmt.Fprintf(&sb, "    \"bench-%04d\" = { subnet = \"10.%d.%d.0/24\", vlan = %d, rev = %q }\n", i, i/256, i%256, vlanBase+i, label)
	}
	sb.WriteString(`  }
}

resource "hedgehog_vpc" "v" {
  for_each       = local.vpcs
  name           = each.key
  ipv4_namespace = hedgehog_ipv4_namespace.bench.name
  vlan_namespace = hedgehog_vlan_namespace.bench.name
  labels         = { bench = each.value.rev }
  subnets = {
    default = {
      subnet = each.value.subnet
      vlan   = each.value.vlan
    }
  }
}
`)
	return sb.String()
}

func cliVersion(tf string) string {
	out, _ := exec.Command(tf, "version").Output()
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "Terraform v") || strings.HasPrefix(l, "OpenTofu v") {
			return l
		}
	}
	return filepath.Base(tf)
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func tail(b []byte, lines int) string {
	ls := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(ls) > lines {
		ls = ls[len(ls)-lines:]
	}
	return strings.Join(ls, "\n")
}

// runner runs the CLI and watches the provider processes it starts.
type runner struct {
	tf, dir, provider, logDir string
	env                       []string
	profilePrefix             string // -profile-provider: HEDGEHOG_PROFILE=<prefix>-<log name> for each run
}

type result struct {
	code       int
	output     []byte
	wall       time.Duration
	cliCPU     time.Duration // CLI plus every descendant it waited for (the provider)
	provCPU    time.Duration // provider processes only (last /proc sample of each)
	provHWM    int64         // largest VmHWM of any provider process, bytes
	provStarts int
}

func (r *runner) run(logName string, args ...string) (result, error) {
	var res result
	var out bytes.Buffer
	cmd := exec.Command(r.tf, args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = r.dir, r.env, &out, &out
	if r.profilePrefix != "" {
		// OpenTofu writes its own CPU profile when TOFU_CPU_PROFILE is set (Terraform has no such
		// switch and ignores it), so a tofu run shows where the CLI's share of the CPU goes too.
		cmd.Env = append(append([]string(nil), r.env...), "HEDGEHOG_PROFILE="+r.profilePrefix+"-"+logName,
			"TOFU_CPU_PROFILE="+r.profilePrefix+"-"+logName+"-cli.cpu")
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return res, err
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.watch(cmd.Process.Pid, stop, &res)
	}()
	err := cmd.Wait()
	res.wall = time.Since(start)
	close(stop)
	wg.Wait()
	res.output = out.Bytes()
	_ = os.WriteFile(filepath.Join(r.logDir, logName+".log"), res.output, 0o600)
	if ps := cmd.ProcessState; ps != nil {
		res.code = ps.ExitCode()
		res.cliCPU = ps.UserTime() + ps.SystemTime()
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		err = nil // the exit code is checked by the caller
	}
	return res, err
}

// watch polls /proc every 50ms for children of the CLI running the provider binary, recording their peak
// RSS (VmHWM) and CPU time. Cheap: one directory read and a few small files per tick.
func (r *runner) watch(cliPID int, stop <-chan struct{}, res *result) {
	type seen struct {
		cpu time.Duration
	}
	procs := map[int]*seen{}
	// Only the first look at a process reads its stat; later ticks skip the ones that are not ours.
	others := map[int]bool{}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	clk := time.Second / 100 // USER_HZ is 100 on Linux
	for {
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			if others[pid] {
				continue // already known not to be the CLI's provider
			}
			p, ok := procs[pid]
			if !ok {
				st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
				if err != nil || ppidOf(st) != cliPID {
					others[pid] = err == nil
					continue
				}
				if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); exe != r.provider {
					continue // perhaps not exec'd yet: look again next tick
				}
				p = &seen{}
				procs[pid] = p
				res.provStarts++
			}
			if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
				if f := statFields(st); len(f) > 13 {
					u, _ := strconv.ParseInt(f[11], 10, 64)
					s, _ := strconv.ParseInt(f[12], 10, 64)
					p.cpu = time.Duration(u+s) * clk
				}
			}
			if status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
				if kb := statusKB(status, "VmHWM:"); kb*1024 > res.provHWM {
					res.provHWM = kb * 1024
				}
			}
		}
		select {
		case <-stop:
			for _, p := range procs {
				res.provCPU += p.cpu
			}
			return
		case <-tick.C:
		}
	}
}

// statFields returns the fields of /proc/pid/stat after the command name (field 3, state, is index 0).
func statFields(st []byte) []string {
	i := bytes.LastIndexByte(st, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(st[i+1:]))
}

func ppidOf(st []byte) int {
	f := statFields(st)
	if len(f) < 2 {
		return -1
	}
	p, _ := strconv.Atoi(f[1])
	return p
}

func statusKB(status []byte, key string) int64 {
	for _, l := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(l, key) {
			f := strings.Fields(l[len(key):])
			if len(f) > 0 {
				v, _ := strconv.ParseInt(f[0], 10, 64)
				return v
			}
		}
	}
	return 0
}

// counters snapshots what the backends have received.
type counters struct {
	s       *stack.Stack
	repoDir string
	sel     stack.Backends
}

type snapshot struct {
	kube              map[string]float64 // apiserver_request_total by verb
	netbox            map[string]int     // emulator requests by method
	commits           int
	netboxTotal       int
	selfCPU, childCPU time.Duration
}

func (c *counters) snapshot() snapshot {
	s := snapshot{kube: kubeRequests(), netbox: map[string]int{}, commits: -1}
	if c.s.NetBox != nil {
		reqs := c.s.NetBox.Requests()
		s.netboxTotal = len(reqs)
		for _, r := range reqs {
			s.netbox[r.Method]++
		}
	}
	if c.repoDir != "" {
		if log, err := gitserver.Log(c.repoDir, gitBranch); err == nil {
			s.commits = len(log)
		} else {
			s.commits = 0 // an empty repository has no branch yet
		}
	}
	s.selfCPU, s.childCPU = rusage(syscall.RUSAGE_SELF), rusage(syscall.RUSAGE_CHILDREN)
	return s
}

func rusage(who int) time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(who, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// kubeRequests sums the in-process API server's apiserver_request_total by verb, for fabric kinds only.
func kubeRequests() map[string]float64 {
	out := map[string]float64{}
	mfs, err := legacyregistry.DefaultGatherer.Gather()
	if err != nil {
		return out
	}
	for _, mf := range mfs {
		if mf.GetName() != "apiserver_request_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			var verb, group string
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "verb":
					verb = l.GetValue()
				case "group":
					group = l.GetValue()
				}
			}
			if strings.HasSuffix(group, "githedgehog.com") {
				out[verb] += m.GetCounter().GetValue()
			}
		}
	}
	return out
}

func (c *counters) delta(a, b snapshot) string {
	var parts []string
	if c.sel.Kubernetes {
		parts = append(parts, "kube "+mapDelta(a.kube, b.kube))
	}
	if c.sel.NetBox {
		fa, fb := map[string]float64{}, map[string]float64{}
		for k, v := range a.netbox {
			fa[k] = float64(v)
		}
		for k, v := range b.netbox {
			fb[k] = float64(v)
		}
		parts = append(parts, "netbox "+mapDelta(fa, fb))
	}
	if c.sel.Git {
		parts = append(parts, fmt.Sprintf("git %d commits", b.commits-a.commits))
	}
	return strings.Join(parts, "; ")
}

// counts is what each selected backend received between a and b: requests (Git: commits).
func (c *counters) counts(a, b snapshot) []backendCount {
	var out []backendCount
	if c.sel.Kubernetes {
		t := 0.0
		for k, v := range b.kube {
			t += v - a.kube[k]
		}
		out = append(out, backendCount{"kube", t})
	}
	if c.sel.NetBox {
		out = append(out, backendCount{"netbox", float64(b.netboxTotal - a.netboxTotal)})
	}
	if c.sel.Git {
		out = append(out, backendCount{"git", float64(b.commits - a.commits)})
	}
	return out
}

func mapDelta(a, b map[string]float64) string {
	var keys []string
	total := 0.0
	for k, v := range b {
		if d := v - a[k]; d > 0 {
			keys = append(keys, k)
			total += d
		}
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %.0f", k, b[k]-a[k]))
	}
	if len(parts) == 0 {
		return "0"
	}
	return fmt.Sprintf("%.0f (%s)", total, strings.Join(parts, " "))
}

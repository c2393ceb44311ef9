package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Terraform's floor: the same CLI, size and parallelism creating, planning and destroying built-in
// terraform_data resources, which talk to nothing. Two shapes:
//   - "minimal": each resource holds only its name, the floor as the issue measured it;
//   - "same values": each holds an object with the values our VPC resource keeps in state (name, namespaces,
//     labels, the subnet, the checkpoint and the backend note), so Terraform's own cost of carrying a state
//     of that size per resource shows beside ours. It is triggers_replace, kept once in state (input is kept
//     twice, as output too); with its type information the state per resource is still somewhat larger
//     than ours, and the bench prints both sizes.
//
// The ratio of our phase to the floor's is what the provider and the backends add to what Terraform
// itself spends.

// floorPhase is one phase of a floor run.
type floorPhase struct {
	name       string
	wall, cpu  time.Duration // cpu: the CLI's own (terraform_data runs inside it)
	stateBytes int64         // after create
}

// floorShapes are the resource bodies of the two floor shapes (each.key is the VPC name, each.value its
// number).
var floorShapes = []struct{ name, body string }{
	{"minimal", `  input    = each.key`},
	{"same values", `  triggers_replace = {
    id = "default/${each.key}", name = each.key, namespace = "default"
    ipv4_namespace = "bench-ip", vlan_namespace = "bench-vl", labels = { bench = "base" }
    cluster_uid = "1a7e0bc0-29ac-4902-9c33-98140bfb6a51", drift = {}
    checkpoints = { kubernetes = "digest=2cd32ac386eac191197ede0fd54c3097 resource_version=${each.value}" }
    backend_changes = { kubernetes = "kubernetes: server-side apply VPC default/${each.key} (field manager \"terraform-provider-hedgehog\")" }
    subnets = { default = { subnet = "10.${floor(each.value / 256)}.${each.value % 256}.0/24", gateway = "10.${floor(each.value / 256)}.${each.value % 256}.1", vlan = 1000 + each.value } }
  }`},
}

// runFloor runs create, no-change plan and destroy of n+2 terraform_data resources of one shape.
func runFloor(o options, tf string, env []string, shape, body string) ([]floorPhase, error) {
	work, err := os.MkdirTemp("", "hedgehog-floor-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	hcl := fmt.Sprintf("resource \"terraform_data\" \"v\" {\n  for_each = { for i in range(%d) : format(\"bench-%%04d\", i) => i }\n%s\n}\n", o.n+2, body)
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(hcl), 0o600); err != nil {
		return nil, err
	}
	cli := &runner{tf: tf, dir: work, env: env, provider: "-", logDir: work}
	if r, err := cli.run("0-init", "init", "-input=false", "-no-color"); err != nil || r.code != 0 {
		return nil, fmt.Errorf("floor (%s): init: exit %d %v\n%s", shape, r.code, err, tail(r.output, 20))
	}
	par := "-parallelism=" + strconv.Itoa(o.parallelism)
	steps := []struct {
		name string
		args []string
		want int
	}{
		{fmt.Sprintf("apply (create %d)", o.n+2), []string{"apply", "-auto-approve", "-input=false", "-no-color", par}, 0},
		{"plan (refresh, no changes)", []string{"plan", "-detailed-exitcode", "-input=false", "-no-color", par}, 0},
		{"destroy", []string{"destroy", "-auto-approve", "-input=false", "-no-color", par}, 0},
	}
	var out []floorPhase
	for i, s := range steps {
		r, err := cli.run(fmt.Sprintf("%d-%s", i+1, s.args[0]), s.args...)
		if err == nil && r.code != s.want {
			err = fmt.Errorf("exit code %d, want %d", r.code, s.want)
		}
		if err != nil {
			return nil, fmt.Errorf("floor (%s): %s: %w\n%s", shape, s.name, err, tail(r.output, 20))
		}
		p := floorPhase{name: s.name, wall: r.wall, cpu: r.cliCPU}
		if i == 0 {
			if fi, err := os.Stat(filepath.Join(work, "terraform.tfstate")); err == nil {
				p.stateBytes = fi.Size()
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// printFloor prints each floor shape's phases and the ratio of ours to it (wall time and CPU of CLI and
// provider together), by phase name.
func printFloor(n int, ours map[string]phaseCost, shapes []string, floors [][]floorPhase) {
	fmt.Println("\nTerraform's floor (terraform_data, same CLI, size and parallelism; ratio = ours / floor):")
	head := []string{"phase"}
	for _, s := range shapes {
		head = append(head, s+": wall s (CPU s)", "ratio wall (CPU)")
	}
	rows := [][]string{head}
	for i := range floors[0] {
		name := floors[0][i].name
		row := []string{name}
		for _, f := range floors {
			p := f[i]
			row = append(row, fmt.Sprintf("%.2f (%.2f)", p.wall.Seconds(), p.cpu.Seconds()))
			if c, ok := ours[name]; ok && p.wall > 0 && p.cpu > 0 {
				row = append(row, fmt.Sprintf("%.1fx (%.1fx)", c.wall.Seconds()/p.wall.Seconds(), c.cliCPU.Seconds()/p.cpu.Seconds()))
			} else {
				row = append(row, "-")
			}
		}
		rows = append(rows, row)
	}
	sizes := []string{"state bytes per resource"}
	for _, f := range floors {
		sizes = append(sizes, strconv.FormatInt(f[0].stateBytes/int64(n+2), 10), "")
	}
	rows = append(rows, sizes)
	printRows(rows)
}

// printRows prints rows as a Markdown table, the first row as its head.
func printRows(rows [][]string) {
	w := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			w[i] = max(w[i], len(c))
		}
	}
	for j, r := range rows {
		var sb strings.Builder
		for i, c := range r {
			fmt.Fprintf(&sb, "| %-*s ", w[i], c)
		}
		fmt.Println(sb.String() + "|")
		if j == 0 {
			sb.Reset()
			for i := range r {
				fmt.Fprintf(&sb, "| %s ", strings.Repeat("-", w[i]))
			}
			fmt.Println(sb.String() + "|")
		}
	}
}

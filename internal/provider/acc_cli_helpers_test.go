package provider

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// Some workflows cannot be driven by resource.Test: two working directories with states of their own, and a
// provider process that dies mid-apply. They run the real CLI in a temporary directory against the provider
// binary built from this module (dev_overrides), exactly as a user's terminal would.

var (
	binOnce sync.Once
	binDir  string
	binErr  error
)

// providerBinary builds the provider once per test process and returns the directory holding it.
func providerBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hedgehog-provider-bin-")
		if err != nil {
			binErr = err
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-hedgehog"), "../..")
		out, err := cmd.CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		binDir = dir
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binDir
}

// workdir is one Terraform working directory with its own state.
type workdir struct {
	t   *testing.T
	dir string
	cli string
	env []string
}

func newWorkdir(t *testing.T, name string, extraEnv ...string) *workdir {
	t.Helper()
	bin := providerBinary(t)
	dir := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, ".terraformrc")
	if err := os.WriteFile(cfg, []byte(stack.DevOverridesConfig(bin, "acceptance test")), 0o644); err != nil {
		t.Fatal(err)
	}
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		t.Skip("no Terraform CLI (TF_ACC_TERRAFORM_PATH)")
	}
	return &workdir{t: t, dir: dir, cli: cli, env: append(stack.ChildEnv(cfg), extraEnv...)}
}

// write replaces the configuration.
func (w *workdir) write(hcl string) {
	w.t.Helper()
	hcl = "terraform {\n  required_providers {\n    hedgehog = { source = \"" + stack.ProviderSource + "\" }\n  }\n}\n" + hcl
	if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(hcl), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

// run runs the CLI with args and returns its combined output and whether it succeeded.
func (w *workdir) run(env []string, args ...string) (string, error) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, w.cli, args...)
	cmd.Dir = w.dir
	cmd.Env = append(append([]string(nil), w.env...), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// must runs the CLI and fails the test when it fails.
func (w *workdir) must(args ...string) string {
	w.t.Helper()
	out, err := w.run(nil, args...)
	if err != nil {
		w.t.Fatalf("%s %s: %v\n%s", filepath.Base(w.cli), strings.Join(args, " "), err, out)
	}
	return out
}

// fails runs the CLI, which must fail with output matching every want.
func (w *workdir) fails(env []string, wants []string, args ...string) string {
	w.t.Helper()
	out, err := w.run(env, args...)
	if err == nil {
		w.t.Fatalf("%s %s succeeded; want it to fail\n%s", filepath.Base(w.cli), strings.Join(args, " "), out)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range wants {
		if !strings.Contains(flat, want) {
			w.t.Fatalf("%s %s: output lacks %q\n%s", filepath.Base(w.cli), strings.Join(args, " "), want, out)
		}
	}
	return out
}
